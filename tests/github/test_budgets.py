"""GitHub budgets and hostile answers: one deadline for the whole source, capped answers, redirects on the same
host only, malformed JSON said plainly; never an internal error."""

from __future__ import annotations

import json
import os
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assess.collectors.github.api import MAX_RESPONSE_BYTES, EtagCache, GitHubApi, WaitBudget
from assess.collectors.github.repo import RepositoryUnavailableError, collect_github
from tests.bounded import run_bounded
from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub, Fault

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SINCE = datetime(2025, 10, 1, tzinfo=UTC)
REPO = "acme/stage2-argocd"
SCAN = ("import sys; from assess.cli import cli\n"
        "cli(['scan', *sys.argv[1:], '--no-history', '--no-cache', '-f', 'json', '-q'])\n")


def api(gh: FakeGitHub, max_wait: float = 30) -> GitHubApi:
    return GitHubApi(gh.base_url, ADMIN_TOKEN, None, WaitBudget(max_wait))


def scan_json(done_stdout: str) -> dict[str, object]:
    report: dict[str, object] = json.loads(done_stdout)
    return report


def test_max_wait_bounds_the_whole_source_against_a_slow_server(fake_github: FakeGitHub,
                                                                 sample_repos: dict[str, Path]) -> None:
    fake_github.faults.append(Fault(r"^/repos/acme/stage2-argocd$", 200, {}, delay=8))
    os.environ.pop("GITHUB_TOKEN", None)
    done = run_bounded(SCAN, memory_mb=1500, seconds=60, args=(
        str(sample_repos["stage2-argocd"]), "--github", REPO, "--github-url", fake_github.base_url,
        "--max-wait", "1"))
    assert done.returncode == 0, done.stderr[-2000:]  # GitHub is not the required source of a scan: reported
    github = scan_json(done.stdout)["sources"]["github"]  # type: ignore[index]
    assert github["available"] is False and "--max-wait deadline of 1s was reached" in github["reason"]
    # before: 272 s against a slow server (only the retry sleeps were bounded); the child's start-up is ~2 s
    assert done.seconds < 8


def test_the_deadline_covers_every_later_request_too(fake_github: FakeGitHub) -> None:
    fake_github.faults.append(Fault(r"/pulls$", 200, [], delay=3, times=5))  # type: ignore[arg-type]
    start = time.monotonic()
    ev = collect_github(api(fake_github, max_wait=1.5), REPO, None, SINCE, (), NOW)
    assert time.monotonic() - start < 3
    assert ev.sections["repository"].available and not ev.sections["pulls"].available
    assert not ev.sections["collaborators"].available  # after the deadline nothing more is asked
    assert "deadline" in (ev.sections["collaborators"].reason or "")


@pytest.mark.parametrize("declare_length", [True, False])
def test_a_giant_answer_is_not_read_whole(fake_github: FakeGitHub, declare_length: bool) -> None:
    fake_github.faults.append(Fault(r"/pulls$", 200, size=300 * 2**20, declare_length=declare_length))
    ev = collect_github(api(fake_github), REPO, None, SINCE, (), NOW)
    pulls = ev.sections["pulls"]
    assert not pulls.available and "larger than 32 MiB" in (pulls.reason or "")
    assert ev.sections["collaborators"].available
    time.sleep(0.2)
    assert fake_github.sent_bytes < 300 * 2**20  # the client hung up long before the end
    assert MAX_RESPONSE_BYTES == 32 * 2**20


def test_a_giant_answer_stays_under_a_memory_ceiling(fake_github: FakeGitHub, sample_repos: dict[str, Path]) -> None:
    fake_github.faults.append(Fault(r"^/repos/acme/stage2-argocd$", 200, size=300 * 2**20, declare_length=False))
    done = run_bounded(SCAN, memory_mb=900, seconds=90, args=(
        str(sample_repos["stage2-argocd"]), "--github", REPO, "--github-url", fake_github.base_url))
    assert done.returncode == 0, done.stderr[-2000:]
    github = scan_json(done.stdout)["sources"]["github"]  # type: ignore[index]
    assert github["available"] is False and "answer-too-large" in github["reason"]


def test_malformed_json_is_a_reason_not_an_internal_error(fake_github: FakeGitHub,
                                                          sample_repos: dict[str, Path]) -> None:
    fake_github.faults.append(Fault(r"^/repos/acme/stage2-argocd$", 200, raw=b'{"name": "stage2-argocd", '))
    done = run_bounded(SCAN, memory_mb=1500, seconds=60, args=(
        str(sample_repos["stage2-argocd"]), "--github", REPO, "--github-url", fake_github.base_url))
    assert done.returncode == 0, done.stderr[-2000:]  # before: exit 4, "internal error"
    github = scan_json(done.stdout)["sources"]["github"]  # type: ignore[index]
    assert "malformed-answer (the answer is not valid JSON" in github["reason"]
    fake_github.faults.append(Fault(r"/pulls$", 200, raw=b'[{"number": "x"'))
    fake_github.faults.append(Fault(r"/deployments$", 200, raw=b'"a string, not a list"'))
    ev = collect_github(api(fake_github), REPO, None, SINCE, (), NOW)
    assert "malformed answer" in (ev.sections["pulls"].reason or "")
    assert "malformed answer" in (ev.sections["deployments"].reason or "")
    assert ev.sections["protection"].available


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_renamed_repository_redirect_on_the_same_host_is_followed(fake_github: FakeGitHub, status: int) -> None:
    fake_github.faults.append(Fault(r"^/repos/acme/old-name$", status, {"message": "Moved Permanently"},
                                    {"Location": f"{fake_github.base_url}/repos/{REPO}"}))
    ev = collect_github(api(fake_github), "acme/old-name", None, SINCE, (), NOW)
    assert ev.sections["repository"].available and ev.html_url.endswith(REPO)  # the repository it moved to


@pytest.mark.parametrize("status", [301, 302, 307])
def test_a_redirect_to_another_host_is_refused_with_a_reason(fake_github: FakeGitHub, status: int) -> None:
    fake_github.faults.append(Fault(r"^/repos/acme/stage2-argocd$", status, {},
                                    {"Location": "http://attacker.invalid/repos/acme/stage2-argocd"}))
    with pytest.raises(RepositoryUnavailableError) as info:
        collect_github(api(fake_github), REPO, None, SINCE, (), NOW)
    assert info.value.error.kind.value == "redirected-elsewhere"
    assert "attacker.invalid" in info.value.error.message
    assert all(r.path.startswith("/repos/") for r in fake_github.requests)


def test_a_damaged_cache_entry_is_fetched_again(fake_github: FakeGitHub, tmp_path: Path) -> None:
    cached = GitHubApi(fake_github.base_url, ADMIN_TOKEN, EtagCache(tmp_path, ADMIN_TOKEN), WaitBudget(30))
    collect_github(cached, REPO, None, SINCE, (), NOW)
    for entry in tmp_path.glob("*.json"):
        data = json.loads(entry.read_text())
        entry.write_text(json.dumps({**data, "body": "{broken"}))
    ev = collect_github(GitHubApi(fake_github.base_url, ADMIN_TOKEN, EtagCache(tmp_path, ADMIN_TOKEN),
                                  WaitBudget(30)), REPO, None, SINCE, (), NOW)
    assert all(s.available for s in ev.sections.values()), ev.sections
