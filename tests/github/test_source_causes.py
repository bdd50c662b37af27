"""Why a source is missing travels as fields (cause, scope, the finding's unobserved sources), never parsed back out of
sentences: the HTML report's "What could not be observed" reads them, and older reports without them still render."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from assess.model.report import Report
from assess.reporters import html, markdown, terminal
from tests.cli_runner import invoke
from tests.conftest import assert_valid_report, git
from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub

GOLDEN = Path(__file__).resolve().parents[1] / "golden" / "report.json"


def run(*args: str, token: str | None = ADMIN_TOKEN) -> subprocess.CompletedProcess[str]:
    return invoke(*args, env={"COLUMNS": "160", **({"GITHUB_TOKEN": token} if token else {})},
                  unset=("GITHUB_TOKEN", "GH_TOKEN"))


def _not_observed(page: str) -> str:
    return page.split("What could not be observed</h2>")[1].split("</table>")[0]


def test_a_missing_repository_is_not_found_with_the_permission_that_fixes_it(
        fake_github: FakeGitHub, sample_repos: dict[str, Path]) -> None:
    out = run("scan", str(sample_repos["stage2-argocd"]), "--github", "acme/nope", "--github-url",
              fake_github.base_url, "--no-cache", "-q", "-f", "json")
    report = assert_valid_report(out.stdout)
    github = report["sources"]["github"]
    assert (github["available"], github["cause"], github["scope"]) == (False, "not-found", "Metadata: read")
    review = next(f for f in report["findings"] if f["check_id"] == "review-required")
    assert review["outcome"] == "unknown" and review["unobserved"] == ["github"]
    assert report["sources"]["cluster"]["cause"] == "not-requested"
    assert "Metadata: read" in _not_observed(html.render(Report.from_json(report)))


def test_no_token_is_its_own_cause(fake_github: FakeGitHub, sample_repos: dict[str, Path], tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(sample_repos["stage3-platform"]), str(clone)], check=True)
    host = fake_github.base_url.split("//")[1].split(":")[0]
    git(clone, "remote", "set-url", "origin", f"git@{host}:acme/stage3-platform.git")
    report = assert_valid_report(run("scan", str(clone), "--github-url", fake_github.base_url, "-q", "-f", "json",
                                     token=None).stdout)
    assert report["sources"]["github"]["cause"] == "no-token"
    # Every human-readable format names the permission the token needs, which the fix sentence does not.
    assert "Metadata: read" not in report["sources"]["github"]["fix"]
    typed = Report.from_json(report)
    for text in (html.render(typed), markdown.render(typed), terminal.render(typed, width=400)):
        assert "(needs Metadata: read)" in text


def _with_gap(message: str, unobserved: list[str] | None) -> dict[str, Any]:
    report: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    finding = next(f for f in report["findings"] if f["check_id"] == "review-required")
    finding.update({"outcome": "unknown", "message": message})
    if unobserved is not None:
        finding["unobserved"] = unobserved
    return report


def test_the_html_view_reads_the_missing_source_from_the_field_not_the_sentence() -> None:
    # The sentence names no source the view could parse; the field alone says the cluster was missing (11 other
    # checks of the recorded report lack it too).
    page = html.render(Report.from_json(_with_gap("Could not be judged: the source it reads is absent.", ["cluster"])))
    assert "source: cluster (12 checks could not be judged)" in _not_observed(page)
    assert "the source it reads is absent" not in _not_observed(page)


def test_reports_written_before_the_fields_still_render_their_gaps() -> None:
    report = _with_gap("Not observable: cluster: no cluster was requested (fix: run with --cluster)", None)
    assert all("cause" not in s for s in report["sources"].values())
    page = html.render(Report.from_json(report))
    assert "source: cluster (12 checks could not be judged)" in _not_observed(page)


def test_a_checks_own_fix_is_read_from_the_finding_not_the_sentence() -> None:
    report = _with_gap("Branch rules not visible to this token (fix: Administration: read).", [])
    finding = next(f for f in report["findings"] if f["check_id"] == "review-required")
    finding["fix"] = "Administration: read"
    rows = _not_observed(html.render(Report.from_json(report)))
    assert "Branch rules not visible to this token</td>" in rows and "<td>Administration: read</td>" in rows
