"""`scan --gitlab` against the local GitLab-compatible server: report sections, findings naming GitLab, GET only,
tokens never shown, origin detection, and a project that cannot be read leaving the scan standing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from assess.model.report import Report
from assess.reporters.view import build_view
from tests.cli_runner import invoke
from tests.conftest import assert_valid_report, git
from tests.fakes.gitlab_server import JOB_TOKEN, MAINTAINER_TOKEN, FakeGitLab
from tests.gitlab.conftest import TOKENS


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return invoke(*args, env={"COLUMNS": "160", **(env or {})}, unset=TOKENS)


def findings(report: dict[str, object]) -> dict[str, dict[str, str]]:
    return {f["check_id"]: f for f in report["findings"]}  # type: ignore[attr-defined, index]


def test_scan_reads_gitlab_and_names_it(fake: FakeGitLab, repo: Path, tmp_path: Path) -> None:
    out = run("scan", str(repo), "--gitlab", "platform/deploy", "--gitlab-url", fake.url, "-q", "-f",
              "terminal,json,html", "-o", str(tmp_path / "out"), "--save-evidence", str(tmp_path / "evidence.json"),
              env={"GITLAB_TOKEN": MAINTAINER_TOKEN})
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(tmp_path / "out" / "report.json")
    assert report["sources"]["gitlab"]["available"] is True and "github" not in report["sources"]
    assert report["github"]["forge"] == "GitLab" and report["github"]["repo"] == "platform/deploy"
    found = findings(report)
    assert found["default-branch-protected"]["outcome"] == "pass"
    assert "GitLab protected branch main" in found["default-branch-protected"]["message"]
    assert found["review-required"]["message"].startswith("GitLab protected branch main: 2 approvals")
    assert found["no-self-approval"]["outcome"] == "pass"
    assert "GitLab platform/deploy (main)" in out.stdout
    assert "<h3>GitLab settings and access snapshot</h3>" in (tmp_path / "out" / "report.html").read_text()
    assert {r.method for r in fake.requests} == {"GET"}
    everything = out.stdout + out.stderr + "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    everything += (tmp_path / "evidence.json").read_text()
    assert MAINTAINER_TOKEN not in everything
    # The saved evidence re-evaluates offline to the same verdicts (the forge survives the round trip).
    again = run("scan", str(repo), "--from-evidence", str(tmp_path / "evidence.json"), "-q", "-f", "json")
    assert {k: v["outcome"] for k, v in findings(json.loads(again.stdout)).items()} == \
        {k: v["outcome"] for k, v in found.items()}


def test_unreadable_project_is_unknown_not_a_crash(fake: FakeGitLab, repo: Path) -> None:
    out = run("scan", str(repo), "--gitlab", "platform/nope", "--gitlab-url", fake.url, "-q", "-f", "json",
              env={"GITLAB_TOKEN": MAINTAINER_TOKEN})
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(out.stdout)
    assert report["sources"]["gitlab"]["available"] is False
    assert "GitLab project platform/nope" in report["sources"]["gitlab"]["reason"]
    finding = findings(report)["default-branch-protected"]
    assert finding["outcome"] == "unknown" and finding["message"].startswith("Not observable: gitlab: GitLab project")
    # The HTML/Markdown view lists the missing source once, not once more for every forge check.
    gaps = [g["what"] for g in build_view(Report.from_json(report))["not_observed"]]
    assert any(g.startswith("source: gitlab") for g in gaps)
    assert not any("branch" in g for g in gaps if g.startswith("check:"))


def test_ci_job_token_is_sent_as_job_token_and_never_shown(fake: FakeGitLab, repo: Path) -> None:
    out = run("scan", str(repo), "--gitlab", "platform/deploy", "--gitlab-url", fake.url, "-q", "-f", "json",
              env={"CI_JOB_TOKEN": JOB_TOKEN})
    report = assert_valid_report(out.stdout)
    assert fake.requests and all(r.token == JOB_TOKEN for r in fake.requests)
    assert "CI_JOB_TOKEN reaches only a few endpoints" in report["github"]["not_visible"]["protection"]["fix"]
    assert findings(report)["default-branch-protected"]["outcome"] == "unknown"
    assert JOB_TOKEN not in out.stdout + out.stderr


def test_project_is_detected_from_a_self_managed_origin(fake: FakeGitLab, repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(repo), str(clone)], check=True)
    git(clone, "remote", "set-url", "origin", "git@127.0.0.1:platform/deploy.git")
    out = run("scan", str(clone), "--gitlab-url", fake.url, "-q", "-f", "json", env={"GITLAB_TOKEN": MAINTAINER_TOKEN})
    assert assert_valid_report(out.stdout)["github"]["repo"] == "platform/deploy"
    without = assert_valid_report(run("scan", str(clone), "--gitlab-url", fake.url, "-q", "-f", "json").stdout)
    assert "origin is platform/deploy on GitLab, but no token is set" in without["sources"]["gitlab"]["reason"]


@pytest.mark.parametrize("args", [("--gitlab", "not a project"), ("--gitlab", "a/b", "--github", "acme/x")])
def test_bad_gitlab_arguments_are_usage_errors(repo: Path, args: tuple[str, ...]) -> None:
    out = run("scan", str(repo), *args, "-q", "-f", "json")
    assert out.returncode == 2 and "Traceback" not in out.stderr


def test_plain_http_to_another_host_is_warned_about(repo: Path) -> None:
    out = run("scan", str(repo), "--gitlab", "platform/deploy", "--gitlab-url", "http://gitlab.invalid", "-q", "-f",
              "json", "--max-wait", "2")
    assert "warning: the GitLab URL is plain http (host gitlab.invalid)" in out.stderr
    assert assert_valid_report(out.stdout)["sources"]["gitlab"]["available"] is False
