"""The GitHub collector against a local GitHub-compatible server, through the real PyGithub client."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assess.collectors.github.api import ApiError, EtagCache, GitHubApi, WaitBudget
from assess.collectors.github.repo import RepositoryUnavailableError, collect_github
from tests.fakes.github_server import ADMIN_TOKEN, FINE_GRAINED_READ_TOKEN, READ_TOKEN, FakeGitHub, Fault

NOW = datetime(2026, 3, 1, tzinfo=UTC)
SINCE = datetime(2025, 10, 1, tzinfo=UTC)


def api(gh: FakeGitHub, token: str | None = ADMIN_TOKEN, cache: Path | None = None, max_wait: float = 30,
        timeout: int = 15) -> GitHubApi:
    return GitHubApi(gh.base_url, token, EtagCache(cache, token) if cache else None, WaitBudget(max_wait),
                     timeout=timeout)


def test_collects_every_section_with_get_only(fake_github: FakeGitHub) -> None:
    ev = collect_github(api(fake_github), "acme/stage2-argocd", None, SINCE, (), NOW)
    assert all(s.available for s in ev.sections.values()), ev.sections
    assert ev.policy is not None and ev.policy.protected and ev.policy.required_approvals == 1
    assert ev.policy.require_code_owner_reviews and ev.policy.force_push_blocked and ev.policy.admins_enforced
    assert ev.pulls and all(p.reviews_read for p in ev.pulls)
    assert ev.runs and ev.collaborators and ev.codeowners_found
    assert {r.method for r in fake_github.requests} == {"GET"}
    assert all(r.query.get("per_page") == ["100"] for r in fake_github.requests if r.path.endswith(("/pulls",
                                                                                                      "/runs")))
    assert ev.requests == len(fake_github.requests)


def test_second_run_costs_conditional_requests_only(fake_github: FakeGitHub, tmp_path: Path) -> None:
    first = collect_github(api(fake_github, cache=tmp_path), "acme/stage3-platform", None, SINCE, (), NOW)
    count = len(fake_github.requests)
    fake_github.requests.clear()
    second = collect_github(api(fake_github, cache=tmp_path), "acme/stage3-platform", None, SINCE, (), NOW)
    assert len(fake_github.requests) == count
    # Everything that answered 200 the first time is now a 304; "not protected" (404) carries no ETag.
    assert all(r.status in (304, 404) for r in fake_github.requests), [(r.path, r.status) for r in
                                                                      fake_github.requests]
    assert sum(r.status == 304 for r in fake_github.requests) == count - 1
    assert second.policy == first.policy and second.pulls == first.pulls
    assert not any(ADMIN_TOKEN in p.read_text() for p in tmp_path.iterdir())


def test_pagination_follows_link_headers(fake_github: FakeGitHub) -> None:
    fixture = fake_github.repos["acme/stage4-fleet"]
    ev = collect_github(api(fake_github), "acme/stage4-fleet", None, None, (), NOW)
    assert len(ev.runs) == len(fixture.runs) > 0
    pages = [r for r in fake_github.requests if r.path.endswith("/pulls") and r.query.get("page")]
    assert len(fixture.pulls) <= 100 or pages


def test_unprotected_is_a_fail_and_invisible_is_unknown(fake_github: FakeGitHub) -> None:
    admin = collect_github(api(fake_github), "acme/stage0-scripts", None, SINCE, (), NOW)
    assert admin.sections["protection"].available and admin.policy is not None and not admin.policy.protected
    classic_read = collect_github(api(fake_github, READ_TOKEN), "acme/stage0-scripts", None, SINCE, (), NOW)
    assert not classic_read.sections["protection"].available and classic_read.policy is None
    assert "404" in (classic_read.sections["protection"].reason or "")
    assert "Administration: read" in (classic_read.sections["protection"].permission or "")
    fine = collect_github(api(fake_github, FINE_GRAINED_READ_TOKEN), "acme/stage0-scripts", None, SINCE, (), NOW)
    assert "403" in (fine.sections["protection"].reason or "")
    assert not fine.sections["collaborators"].available


def test_without_a_token_public_data_is_read_and_gaps_are_named(fake_github: FakeGitHub) -> None:
    ev = collect_github(api(fake_github, None), "acme/stage2-argocd", None, SINCE, (), NOW)
    assert not ev.authenticated and ev.pulls and ev.runs
    assert not ev.sections["protection"].available
    assert "GITHUB_TOKEN" in (ev.sections["protection"].permission or "")
    assert not any(r.authenticated for r in fake_github.requests)


def test_rulesets_alone_prove_protection_to_a_read_token(fake_github: FakeGitHub) -> None:
    ev = collect_github(api(fake_github, READ_TOKEN), "acme/stage3-platform", None, SINCE, (), NOW)
    assert ev.policy is not None and ev.policy.protected and ev.policy.required_approvals == 2
    assert ev.policy.sources == ("ruleset:protect-main",)
    assert ev.policy.admins_enforced is None  # bypass actors are withheld from non-admin tokens


def test_rate_limit_is_retried_after_retry_after(fake_github: FakeGitHub) -> None:
    fake_github.faults.append(Fault(r"/pulls$", 429, {"message": "You have exceeded a secondary rate limit"},
                                    {"Retry-After": "1"}))
    fake_github.faults.append(Fault(r"/actions/runs$", 502, {"message": "Server Error"}))
    start = time.monotonic()
    ev = collect_github(api(fake_github), "acme/stage2-argocd", None, SINCE, (), NOW)
    assert time.monotonic() - start >= 1.0
    assert ev.sections["pulls"].available and ev.sections["actions"].available and ev.pulls and ev.runs
    statuses = [r.status for r in fake_github.requests if r.path.endswith("/pulls")]
    assert statuses[:2] == [429, 200]


def test_waits_are_bounded_by_max_wait(fake_github: FakeGitHub) -> None:
    fake_github.faults.append(Fault(r"/pulls$", 429, {"message": "rate limited"}, {"Retry-After": "3600"},
                                    times=10))
    fake_github.faults.append(Fault(r"/deployments$", 503, {"message": "unavailable"}, times=10))
    start = time.monotonic()
    ev = collect_github(api(fake_github, max_wait=2), "acme/stage2-argocd", None, SINCE, (), NOW)
    assert time.monotonic() - start < 5
    assert not ev.sections["pulls"].available and "rate limited" in (ev.sections["pulls"].reason or "")
    assert "max-wait" in (ev.sections["pulls"].permission or "")
    assert not ev.sections["deployments"].available
    assert ev.sections["protection"].available  # one bad section leaves the others intact


def test_timeouts_become_unavailable_sections(fake_github: FakeGitHub) -> None:
    fake_github.faults.append(Fault(r"/collaborators$", 200, {}, delay=2.5, times=4))
    ev = collect_github(api(fake_github, max_wait=0.5, timeout=1), "acme/stage2-argocd", None, SINCE, (), NOW)
    assert not ev.sections["collaborators"].available
    assert "network error or timeout" in (ev.sections["collaborators"].reason or "")


@pytest.mark.parametrize(("token", "repo", "kind"), [
    (ADMIN_TOKEN, "acme/no-such-repo", "not-found"),
    (None, "acme/no-such-repo", "not-found"),
])
def test_missing_repository_makes_the_source_unavailable(fake_github: FakeGitHub, token: str | None, repo: str,
                                                         kind: str) -> None:
    with pytest.raises(RepositoryUnavailableError) as info:
        collect_github(api(fake_github, token), repo, None, SINCE, (), NOW)
    assert info.value.error.kind.value == kind
    assert "token" in info.value.fix


def test_bad_credentials_are_a_clear_error(fake_github: FakeGitHub) -> None:
    fake_github.faults.append(Fault(r"^/repos/acme/stage2-argocd$", 401, {"message": "Bad credentials"}))
    with pytest.raises(RepositoryUnavailableError) as info:
        collect_github(api(fake_github, "wrong"), "acme/stage2-argocd", None, SINCE, (), NOW)
    assert info.value.error.kind.value == "unauthorized"


def test_commit_to_pr_mapping_only_for_suspects(fake_github: FakeGitHub) -> None:
    fixture = fake_github.repos["acme/stage2-argocd"]
    direct = [sha for sha, prs in fixture.commit_pulls.items() if not prs]
    merged = [p["merge_commit_sha"] for p in fixture.pulls][:2]
    ev = collect_github(api(fake_github), "acme/stage2-argocd", None, None, direct + merged, NOW)
    lookups = [r for r in fake_github.requests if r.path.endswith("/pulls") and "/commits/" in r.path]
    assert len(lookups) == len(direct)  # merge commits of listed PRs need no lookup
    assert all(ev.commit_pulls[sha] == () for sha in direct)


def test_api_error_kinds_are_decided_on_status_codes(fake_github: FakeGitHub) -> None:
    client = api(fake_github, READ_TOKEN)
    with pytest.raises(ApiError) as info:
        client.get("/repos/acme/stage0-scripts/branches/main/protection")
    assert info.value.kind.value == "not-found"
    admin = api(fake_github)
    with pytest.raises(ApiError) as info:
        admin.get("/repos/acme/stage0-scripts/branches/main/protection")
    assert info.value.kind.value == "not-protected"


def test_force_pushes_come_from_the_activity_api(fake_github: FakeGitHub) -> None:
    ev = collect_github(api(fake_github), "acme/stage1-pushed", None, None, (), NOW)
    assert len(ev.force_pushes) == 1 and ev.force_pushes[0].actor == "frank"
    activity = [r for r in fake_github.requests if r.path.endswith("/activity")]
    assert activity and activity[0].query["activity_type"] == ["force_push"]
