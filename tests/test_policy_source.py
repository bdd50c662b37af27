"""A pull request cannot weaken the policy that gates it: with --config-ref the policy comes from the base branch,
and every disabled check and waiver a report was judged with is listed in it."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Files
from tests.test_cli import run

SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: k9Lq!x3Vv0\n"
WEAKER = ("version: 1\nchecks:\n  disable:\n    - no-plaintext-secrets\nwaivers:\n  - check: images-pinned\n"
          "    reason: vendor images have no digests yet\n    owner: platform\n    expires: '2099-01-01'\n")


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


def _pull_request(repo_factory: Callable[[Files], Path]) -> Path:
    """main holds a leaked Secret and no policy; the branch under review adds a policy that disables the check."""
    repo = repo_factory({"k8s/db.yaml": SECRET})
    _git(repo, "checkout", "-q", "-b", "weaken")
    (repo / ".gitops-assess.yaml").write_text(WEAKER, encoding="utf-8")
    _git(repo, "add", ".gitops-assess.yaml")
    _git(repo, "-c", "user.name=Mallory", "-c", "user.email=m@example.com", "commit", "-q", "-m", "tidy policy")
    return repo


def test_the_reviewed_trees_policy_is_reported_not_applied(repo_factory: Callable[[Files], Path],
                                                           tmp_path: Path) -> None:
    repo = _pull_request(repo_factory)
    base = "weaken~1"  # the base branch's tip, as `origin/main` is in a pull-request checkout
    out = run("scan", str(repo), "--no-history", "--no-github", "-q", "-f", "json", "-o", str(tmp_path / "ref"),
              "--config-ref", base, "--fail-on", "critical")
    assert out.returncode == 1, out.stderr  # the leaked Secret still gates the pull request
    report = json.loads((tmp_path / "ref" / "report.json").read_text())
    secrets = next(f for f in report["findings"] if f["check_id"] == "no-plaintext-secrets")
    assert secrets["outcome"] == "fail"
    policy = report["policy"]
    assert policy["source"] == f"committed at {base} (--config-ref)" and policy["disabled"] == []
    assert [(c["what"], c["check"]) for c in policy["not_applied"]] == [("disabled", "no-plaintext-secrets"),
                                                                       ("waived", "images-pinned")]


def test_without_config_ref_the_report_lists_what_the_policy_disabled_and_waived(
        repo_factory: Callable[[Files], Path], tmp_path: Path) -> None:
    repo = _pull_request(repo_factory)
    out = run("scan", str(repo), "--no-history", "--no-github", "-q", "-f", "json,md", "-o", str(tmp_path),
              "--fail-on", "critical")
    assert out.returncode == 0, out.stderr  # the policy file under review switched the gate off …
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["policy"]["disabled"] == ["no-plaintext-secrets"]  # … and the report says so
    assert report["policy"]["waivers"][0]["check"] == "images-pinned"
    summary = (tmp_path / "summary.md").read_text()
    assert "Disabled checks: no-plaintext-secrets" in summary and "Waiver: images-pinned" in summary


def test_a_config_ref_that_does_not_exist_is_a_usage_error(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory({"k8s/db.yaml": SECRET})
    out = run("scan", str(repo), "--no-history", "--no-github", "-q", "--config-ref", "origin/nope")
    assert out.returncode == 2 and "--config-ref origin/nope: no such revision" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr
    dash = run("scan", str(repo), "--no-history", "--no-github", "-q", "--config-ref=--output=/tmp/x")
    assert dash.returncode == 2 and "not a Git revision name" in dash.stderr, dash.stderr
