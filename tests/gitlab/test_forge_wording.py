"""A report that read (or tried) GitLab speaks GitLab's words in every sentence of its own: merge requests, MRs,
GitLab; only text quoted from the repository (commit subjects, file paths) and GitHub's product names keep GitHub's.
With no forge at all a report keeps GitHub's wording (the parity goldens hold it byte for byte)."""

from __future__ import annotations

import html
import json
import re
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from assess.collectors.samples import get_sample, materialise
from assess.model.forge import TERMS, Forge, forge_wording
from tests.cli_runner import invoke
from tests.conftest import assert_valid_report
from tests.fakes.gitlab_server import MAINTAINER_TOKEN, FakeGitLab, well_run
from tests.gitlab.conftest import TOKENS

DEAD_PROXY = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}
GITHUB_WORDING = re.compile(r"(?i:pull request)|GitHub|\bPRs?\b")
# GitHub named on purpose: products that exist whatever the forge (a GitLab project may keep GitHub Actions
# workflows; the workflow-token check is about GitHub App tokens).
PRODUCT_NAMES = re.compile(r"GitHub (?:Actions|App)\b|GitHub/Forgejo/Gitea|[^.]*web-flow[^.]*")


def _text(document: str) -> str:
    """The words of a document as a reader sees them: no markup, no styles, whitespace collapsed."""
    document = re.sub(r"<(style|script)\b.*?</\1>", " ", document, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", document)).split())


def _unquoted(text: str, report: dict[str, object]) -> str:
    """The text without what it quotes from the repository: commit subjects, file paths, CI kinds."""
    for record in report["audit_trail"]:  # type: ignore[attr-defined]
        for quoted in (record["subject"], record["pr_title"]):
            if quoted:
                text = text.replace(" ".join(html.unescape(quoted).split()), "<quoted>")
    text = re.sub(r"\.github/\S+|github-actions-workflow", "<path>", text)
    return PRODUCT_NAMES.sub("<product>", text)


def _offences(text: str) -> list[str]:
    return [text[max(m.start() - 60, 0):m.end() + 40] for m in GITHUB_WORDING.finditer(text)]


def test_the_gitlab_sample_says_merge_request_in_every_format(tmp_path: Path) -> None:
    out = invoke("scan", "--sample", "gitlab-argocd", "-f", "terminal,md,html,json", "-o", str(tmp_path),
                 env={"COLUMNS": "400", **DEAD_PROXY}, unset=TOKENS)
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(tmp_path / "report.json")
    assert report["github"]["forge"] == "GitLab"
    documents = {"terminal": out.stdout, "markdown": (tmp_path / "summary.md").read_text(),
                 "html": (tmp_path / "report.html").read_text()}
    for name, document in documents.items():
        text = _text(document)
        assert _offences(_unquoted(text, report)) == [], name
        # the same sentences in the forge's words (not merely deleted)
        assert "landed through merge requests" in text, name
        assert "MRs are a real gate" in text, name
    page = _text(documents["html"])
    assert "Production changes arrive through merge requests" in page
    assert "Changed through a merge request" in page and "Attributable to an MR or ticket" in page
    assert "through MRs 97%" in page and "!142" in page
    # what the repository says is quoted as it is: its commit subjects still read "Merge pull request"
    assert 'Merge pull request #142 from acme/prod-replicas' in page
    titles = {c["id"]: c["title"] for c in report["checks"]}
    assert titles["no-self-approval"] == "Every merged merge request was approved by someone other than its author"


def test_a_scan_that_tried_gitlab_speaks_gitlab_even_when_it_read_nothing(fake: FakeGitLab, tmp_path: Path) -> None:
    repo = materialise(get_sample("stage2-argocd"), tmp_path / "stage2-argocd")
    out = invoke("scan", str(repo), "--gitlab", "platform/nope", "--gitlab-url", fake.url, "-q", "-f", "json",
                 env={"COLUMNS": "160", "GITLAB_TOKEN": MAINTAINER_TOKEN}, unset=TOKENS)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    assert report["sources"]["gitlab"]["available"] is False and report["github"] == {}
    found = {f["check_id"]: f["message"] for f in report["findings"]}
    assert "landed through merge requests" in found["changes-through-prs"]
    assert report["metrics"]["change_management"]["statement"].endswith("(needs GitLab evidence).")
    assert [s["name"] for s in report["signals"] if s["id"] == "prs-are-a-real-gate"] == ["MRs are a real gate"]


def test_without_a_forge_the_report_keeps_github_wording(tmp_path: Path) -> None:
    out = invoke("scan", "--sample", "stage2-argocd", "-q", "-f", "json", "--no-github",
                 env={"COLUMNS": "160", **DEAD_PROXY}, unset=TOKENS)
    assert out.returncode == 0, out.stderr
    report = json.loads(out.stdout)
    found = {f["check_id"]: f["message"] for f in report["findings"]}
    assert "landed through pull requests" in found["changes-through-prs"]
    assert [s["name"] for s in report["signals"] if s["id"] == "prs-are-a-real-gate"] == ["PRs are a real gate"]


@pytest.mark.parametrize(("github", "gitlab"), [
    ("Production changes arrive through pull requests", "Production changes arrive through merge requests"),
    ("Pull requests need at least one approval", "Merge requests need at least one approval"),
    ("a PR or ticket; PRs per day", "an MR or ticket; MRs per day"),
    ("GitHub resolves every CODEOWNERS entry", "GitLab resolves every CODEOWNERS entry"),
    ("GitHub's Revert button", "GitLab's Revert button"),
    ("Workflow and GitHub App tokens; no GitHub Actions workflow; GitHub/Forgejo/Gitea Actions",
     "Workflow and GitHub App tokens; no GitHub Actions workflow; GitHub/Forgejo/Gitea Actions"),
    ("pr-merge, PRSTATE, pull-request", "pr-merge, PRSTATE, pull-request"),
    ("Enable `dismiss stale pull request approvals` for pull requests", "Enable `dismiss stale pull request "
     "approvals` for merge requests"),
    ("GitHub web-flow signatures prove only that GitHub made the merge. Keys registered on GitHub.",
     "GitHub web-flow signatures prove only that GitHub made the merge. Keys registered on GitLab."),
])
def test_the_tools_sentences_in_each_forges_words(github: str, gitlab: str) -> None:
    assert forge_wording(github, TERMS[Forge.GITHUB]) == github
    assert forge_wording(github, TERMS[Forge.GITLAB]) == gitlab


def test_a_group_scans_project_reports_speak_gitlab(tmp_path: Path) -> None:
    repo = materialise(get_sample("stage2-argocd"), tmp_path / "stage2-argocd")
    archive = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar.gz", "--prefix=deploy-main-abc/",
                              "main"], capture_output=True, check=True).stdout
    with FakeGitLab({"platform/deploy": replace(well_run("platform/deploy", pid=42), archive=archive)},
                    groups={"platform": ["platform/deploy"]}) as fake:
        out = invoke("scan", "--gitlab-group", "platform", "--gitlab-url", fake.url, "-q", "-f", "json,html",
                     "-o", str(tmp_path / "out"), env={"COLUMNS": "160", "GITLAB_TOKEN": MAINTAINER_TOKEN},
                     unset=TOKENS)
    assert out.returncode == 0, out.stderr
    project = tmp_path / "out" / "platform__deploy"
    report = assert_valid_report(project / "report.json")
    assert report["github"]["forge"] == "GitLab" and report["sources"]["git"]["available"]
    assert _offences(_unquoted(_text((project / "report.html").read_text()), report)) == []


def test_fixes_name_the_settings_of_the_forge_read(tmp_path: Path) -> None:
    """Where GitLab's settings differ from GitHub's, the fix names GitLab's (not GitHub's translated word by word)."""
    out = invoke("scan", "--sample", "gitlab-argocd", "-f", "json", "-o", str(tmp_path / "gl"),
                 env={**DEAD_PROXY}, unset=TOKENS)
    assert out.returncode == 0, out.stderr
    fixes = {c["id"]: c["remediation"] for c in assert_valid_report(tmp_path / "gl" / "report.json")["checks"]}
    assert "Remove all approvals when commits are added to the source branch" in fixes["stale-approvals-dismissed"]
    assert "Pipelines must succeed" in fixes["status-checks-required"]
    assert "ruleset" not in " ".join(fixes.values())
    github = invoke("scan", "--sample", "stage2-argocd", "-f", "json", "-o", str(tmp_path / "gh"), unset=TOKENS)
    assert github.returncode == 0, github.stderr
    fixes = {c["id"]: c["remediation"] for c in assert_valid_report(tmp_path / "gh" / "report.json")["checks"]}
    assert "dismiss_stale_reviews_on_push" in fixes["stale-approvals-dismissed"]
