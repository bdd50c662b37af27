"""The one git runner: a minimal environment, pinned configuration, the only module that runs git; foreign-owned
repositories refused unless trusted; --worktree never reads through a symbolic link out of the repository."""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assess.collectors import git_command
from assess.collectors.git_command import NO_PROGRAM, Verifiers, git_argv, git_env
from assess.collectors.repo_tree import collect_repo
from tests.history_builder import HistoryBuilder, at
from tests.security.test_hostile_git_config import ESTATE, cli

PACKAGE = Path(__file__).resolve().parents[2] / "assess"
ALLOWED_ENV = {"PATH", "LC_ALL", "HOME", "GIT_CONFIG_NOSYSTEM", "GIT_CONFIG_GLOBAL", "GIT_NO_LAZY_FETCH",
               "GIT_TERMINAL_PROMPT", "GIT_NO_REPLACE_OBJECTS", "GIT_GRAFT_FILE", "GIT_ATTR_NOSYSTEM"}


def test_git_environment_is_minimal(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in [("GITHUB_TOKEN", "canary-1"), ("GH_TOKEN", "canary-2"), ("KUBECONFIG", "/canary"),
                        ("GIT_DIR", "/canary"), ("GIT_CONFIG_PARAMETERS", "'core.fsmonitor=/canary'"),
                        ("GIT_EXTERNAL_DIFF", "/canary"), ("AWS_SECRET_ACCESS_KEY", "canary-3")]:
        monkeypatch.setenv(name, value)
    env = git_env()
    assert set(env) == ALLOWED_ENV
    assert not any("canary" in v for v in env.values())
    assert env["GIT_CONFIG_GLOBAL"] == "/dev/null" and env["GIT_CONFIG_NOSYSTEM"] == "1"
    home = Path(env["HOME"])
    assert home.is_dir() and list(home.iterdir()) == [] and home != Path.home()


def test_every_program_running_key_is_pinned() -> None:
    argv = git_argv(["log"], git_dir="/r")
    pinned = dict(argv[i + 1].split("=", 1) for i, a in enumerate(argv) if a == "-c")
    for key in ("core.fsmonitor", "core.hooksPath", "log.showSignature", "gpg.program", "gpg.ssh.program",
                "gpg.x509.program", "core.pager", "diff.external", "core.sshCommand", "protocol.allow"):
        assert key in pinned, key
    assert pinned["gpg.program"] == NO_PROGRAM and pinned["log.showSignature"] == "false"
    named = git_argv(["log"], verifiers=Verifiers(ssh="/usr/bin/ssh-keygen"))
    assert "gpg.ssh.program=/usr/bin/ssh-keygen" in named and f"gpg.program={NO_PROGRAM}" in named


def test_no_module_but_the_runner_runs_git() -> None:
    offenders: list[str] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.name == "git_command.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import) and any(a.name == "git" or a.name.startswith("git.") for a in node.names):
                offenders.append(f"{path.name}: imports GitPython")
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] == "git":
                offenders.append(f"{path.name}: imports GitPython")
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in ("subprocess", "os")
                    and node.func.attr in ("run", "Popen", "call", "check_call", "check_output", "system",
                                           "execv", "execvp", "spawnv")
                    and "git" in ast.unparse(node).replace("zizmor", "")):
                offenders.append(f"{path.name}:{node.lineno}: runs git without the runner")
    assert offenders == []


def test_the_scanner_catches_a_stray_git_call(tmp_path: Path) -> None:
    # The rule above is not vacuous: the sort of call it forbids is found.
    stray = ast.parse('subprocess.run(["git", "log"])').body[0]
    assert isinstance(stray, ast.Expr) and "git" in ast.unparse(stray.value)


def estate(tmp_path: Path) -> Path:
    b = HistoryBuilder(tmp_path / "repo")
    b.push(ESTATE, "bootstrap", at("2026-02-01T10:00"))
    return b.root


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0,
                    reason="giving a repository to another user needs root (chown)")
def test_a_repository_owned_by_another_user_is_refused_unless_trusted(tmp_path: Path) -> None:
    repo = estate(tmp_path)
    for root, dirs, files in os.walk(repo):
        for name in [*dirs, *files]:
            os.lchown(os.path.join(root, name), 12345, 12345)
    os.chown(repo, 12345, 12345)
    refused = cli("scan", str(repo), "--no-github", "-q", "-f", "json")
    assert refused.returncode == 2
    assert "owned by another user" in refused.stderr and "--trust-repo-config" in refused.stderr
    assert cli("audit-trail", str(repo)).returncode == 2
    trusted = cli("scan", str(repo), "--no-github", "-q", "-f", "json", "--trust-repo-config")
    assert trusted.returncode in (0, 1), trusted.stderr
    # The user's own git configuration listing the directory in safe.directory is trust too.
    home = tmp_path / "home"
    home.mkdir()
    (home / ".gitconfig").write_text(f"[safe]\n\tdirectory = {repo}\n")
    listed = subprocess.run([sys.executable, "-m", "assess", "scan", str(repo), "--no-github", "-q", "-f", "json"],
                            capture_output=True, text=True, cwd=PACKAGE.parent,
                            env={**os.environ, "HOME": str(home), "GIT_CONFIG_GLOBAL": str(home / ".gitconfig")})
    assert listed.returncode in (0, 1), listed.stderr


def test_worktree_never_reads_through_a_linked_directory(tmp_path: Path) -> None:
    repo = estate(tmp_path)
    outside = tmp_path / "outside"
    outside.mkdir()
    secret = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: outside-canary\n"
    (outside / "cm.yaml").write_text(secret)
    (outside / "deploy.yml").write_text("on: push\njobs: {}\n")
    # Tracked files under kubernetes/apps/linked, whose directory is then replaced by a link out of the repository.
    linked = repo / "kubernetes/apps/linked"
    linked.mkdir(parents=True)
    (linked / "cm.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: inside\n")
    subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True)
    shutil.rmtree(linked)
    linked.symlink_to(outside, target_is_directory=True)
    wf = repo / ".github"
    wf.symlink_to(outside, target_is_directory=True)
    subprocess.run(["git", "-C", str(repo), "update-index", "--add", "--cacheinfo",
                    f"100644,{'e69de29bb2d1d6434b8b29ae775ad8c2e48c5391'},.github/workflows/deploy.yml"], check=True)
    out = cli("scan", str(repo), "--no-github", "-q", "-f", "json", "--worktree")
    assert out.returncode in (0, 1), out.stderr
    assert "outside-canary" not in out.stdout
    ev = collect_repo(str(repo), "HEAD", True, datetime(2026, 3, 1, tzinfo=UTC))
    problems = {f.path: f.problem for f in ev.files if f.path.startswith("kubernetes/apps/linked/")}
    assert problems and all(p is not None and "not followed" in p.detail for p in problems.values()), problems


def test_private_home_is_reused_not_the_users() -> None:
    assert git_command.git_env()["HOME"] == git_command.git_env()["HOME"] != os.environ.get("HOME")
