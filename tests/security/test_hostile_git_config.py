"""A scanned repository's own `.git/config` runs nothing: signature programs, fsmonitor, hooks, pager and external
diff are pinned, whatever the command (`scan`, `scan --worktree`, `--verify-signatures`, `audit-trail`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV, git
from tests.history_builder import HistoryBuilder, at

KS = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
      "  namespace: flux-system\nspec:\n  interval: 30m\n  prune: true\n  path: ./kubernetes/apps\n"
      "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
ESTATE = {"kubernetes/flux/ks.yaml": KS,
          "kubernetes/apps/web/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"}
CANARY = "ghp_canary_token_never_seen_by_git"
FAKE_SIG = ("gpgsig -----BEGIN PGP SIGNATURE-----\n \n iQEzBAABCAAdFiEEgarbage\n =abcd\n"
            " -----END PGP SIGNATURE-----")


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m assess`, as a user runs it, with a token and a kubeconfig in its environment."""
    return subprocess.run([sys.executable, "-m", "assess", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2],
                          env={**os.environ, "GITHUB_TOKEN": CANARY, "KUBECONFIG": "/canary/kubeconfig",
                               **(env or {})})


def trap(tmp_path: Path) -> tuple[Path, Path]:
    """A script that records that it ran, and the environment it saw, in a marker directory."""
    markers = tmp_path / "markers"
    markers.mkdir(parents=True)
    script = tmp_path / "evil.sh"
    script.write_text(f"#!/bin/sh\nenv > {markers}/ran.$$\ncat >/dev/null 2>&1\nexit 0\n")
    script.chmod(0o755)
    return script, markers


def signed_commit(repo: Path, subject: str) -> str:
    """A commit on main carrying a gpgsig header (a garbage signature), made with `hash-object`."""
    tree = git(repo, "rev-parse", "HEAD^{tree}").strip()
    parent = git(repo, "rev-parse", "HEAD").strip()
    raw = (f"tree {tree}\nparent {parent}\nauthor Mallory <m@x.test> 1772400000 +0000\n"
           f"committer Mallory <m@x.test> 1772400000 +0000\n{FAKE_SIG}\n\n{subject}\n")
    sha = subprocess.run(["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--stdin"], input=raw,
                         capture_output=True, text=True, check=True, env=GIT_ENV).stdout.strip()
    git(repo, "update-ref", "refs/heads/main", sha)
    return sha


def hostile_repo(tmp_path: Path) -> tuple[Path, Path]:
    """An estate whose .git/config points every program-running key at the trap."""
    script, markers = trap(tmp_path)
    b = HistoryBuilder(tmp_path / "repo")
    b.push(ESTATE, "bootstrap", at("2026-02-01T10:00"))
    b.push({"kubernetes/apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"}, "change",
           at("2026-02-02T10:00"))
    signed_commit(b.root, "signed change")
    hooks = tmp_path / "hooks"
    hooks.mkdir()
    for hook in ("post-checkout", "post-index-change", "reference-transaction", "pre-auto-gc"):
        (hooks / hook).symlink_to(script)
    for key, value in [("log.showSignature", "true"), ("gpg.program", script), ("gpg.ssh.program", script),
                       ("gpg.x509.program", script), ("core.fsmonitor", script), ("core.hooksPath", hooks),
                       ("core.pager", script), ("diff.external", script), ("core.sshCommand", script),
                       ("core.worktree", tmp_path)]:
        git(b.root, "config", "--local", key, str(value))
    (b.root / "untracked.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: u\n")
    return b.root, markers


def test_the_trap_is_armed(tmp_path: Path) -> None:
    # Plain git on the same repository runs the configured program (what the tool must never do).
    repo, markers = hostile_repo(tmp_path)
    subprocess.run(["git", "--git-dir", str(repo / ".git"), "log", "-1"], capture_output=True,
                   env={**os.environ, "GITHUB_TOKEN": CANARY}, check=False)
    ran = list(markers.iterdir())
    assert ran and CANARY in ran[0].read_text()


@pytest.mark.parametrize("args", [
    ["scan", "--no-github", "-q", "-f", "json"],
    ["scan", "--no-github", "-q", "-f", "json", "--worktree"],
    ["scan", "--no-github", "-q", "-f", "json", "--verify-signatures"],
    ["audit-trail"],
], ids=["scan", "worktree", "verify-signatures", "audit-trail"])
def test_no_program_of_the_repository_runs(tmp_path: Path, args: list[str]) -> None:
    repo, markers = hostile_repo(tmp_path)
    out = cli(*args[:1], str(repo), *args[1:])
    assert out.returncode in (0, 1), out.stderr
    assert list(markers.iterdir()) == []
    assert CANARY not in out.stdout + out.stderr


def test_signatures_are_not_verified_without_a_named_verifier(tmp_path: Path) -> None:
    repo, markers = hostile_repo(tmp_path)
    out = cli("scan", str(repo), "--no-github", "-q", "-f", "json", "--verify-signatures")
    assert out.returncode in (0, 1), out.stderr
    assert "signatures not verified: no verifier named" in out.stdout
    assert list(markers.iterdir()) == []


def test_a_named_verifier_is_the_only_program_run(tmp_path: Path) -> None:
    repo, markers = hostile_repo(tmp_path)
    mine, my_markers = trap(tmp_path / "mine")
    out = cli("scan", str(repo), "--no-github", "-q", "-f", "json", "--verifier", f"openpgp={mine}")
    assert out.returncode in (0, 1), out.stderr
    assert list(markers.iterdir()) == []  # the repository's gpg.program never ran …
    seen = [p.read_text() for p in my_markers.iterdir()]
    assert seen  # … the user's did, once per signed commit batch,
    assert all(CANARY not in env and "KUBECONFIG" not in env for env in seen)  # with no token in sight


def test_bad_verifier_option_is_a_usage_error(tmp_path: Path) -> None:
    out = cli("scan", str(tmp_path), "--verifier", "pgp")
    assert out.returncode == 2 and "FORMAT=PROGRAM" in out.stderr
