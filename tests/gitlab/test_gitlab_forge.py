"""GitLab as a forge, through python-gitlab against the local GitLab-compatible server: the branch-policy, review
and CI checks judge GitLab evidence and name GitLab; "not protected" differs from "cannot see"; pagination; faults."""

from __future__ import annotations

import time
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from assess.checks.runner import run_checks
from assess.collectors.github.api import WaitBudget
from assess.collectors.gitlab.collect import GitLabAccess, RepositoryUnavailableError, client, collect_gitlab
from assess.collectors.gitlab.remote import parse_remote
from assess.derive.forge_confirmation import confirm_with_forge
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle
from assess.model.finding import Finding, Outcome
from assess.model.forge import ForgeEvidence
from assess.model.history import AuditRecord, ChangePath, SignatureType
from tests.conftest import catalogued
from tests.fakes.gitlab_server import (
    JOB_TOKEN,
    MAINTAINER_TOKEN,
    NO_SCOPE_TOKEN,
    REPORTER_TOKEN,
    FakeGitLab,
    Fault,
    ProjectFixture,
    level,
    pipeline,
    protected,
    well_run,
)

PROJECT = "platform/deploy"
SINCE = datetime(2026, 11, 1, tzinfo=UTC)
NOW = datetime(2026, 12, 1, tzinfo=UTC)
FORGE_CHECKS = ("default-branch-protected", "review-required", "stale-approvals-dismissed", "no-self-approval",
                "ci-success-rate", "force-push-and-deletion-blocked", "admins-cannot-bypass",
                "signed-commits-required", "status-checks-required")


def read(fake: FakeGitLab, token: str | None = MAINTAINER_TOKEN, job: bool = False, wait: float = 30.0,
         suspects: tuple[str, ...] = ()) -> ForgeEvidence:
    access = GitLabAccess(fake.url, token, job)
    gl, counter = client(access, WaitBudget(wait))
    return collect_gitlab(gl, counter, access, PROJECT, SINCE, suspects, NOW)


def judge(ev: ForgeEvidence) -> dict[str, Finding]:
    checks = [catalogued(c) for c in FORGE_CHECKS]
    return {f.check_id: f for f in run_checks(checks, CheckContext(EvidenceBundle(forge=ev)))}


def serve(fixture: ProjectFixture) -> FakeGitLab:
    return FakeGitLab({PROJECT: fixture})


def test_well_run_project_passes_and_messages_name_gitlab() -> None:
    with serve(well_run()) as fake:
        ev = read(fake)
        requests = list(fake.requests)
    assert ev.forge_name == "GitLab" and ev.default_branch == "main"
    found = judge(ev)
    assert {k: f.outcome for k, f in found.items()} == {k: Outcome.PASS for k in FORGE_CHECKS}
    assert found["default-branch-protected"].message == "main is protected by GitLab protected branch main."
    assert found["review-required"].message.startswith("GitLab protected branch main: 2 approvals and code-owner")
    assert found["admins-cannot-bypass"].message == ("GitLab protected branch main: nobody may push directly; every "
                                                     "change goes through a merge request.")
    assert "GitLab merge requests were approved" in found["no-self-approval"].message
    assert found["ci-success-rate"].message == "96% of 24 completed GitLab pipelines succeeded (threshold 90%)."
    assert str(found["default-branch-protected"].refs[0].target).endswith("/platform/deploy/-/settings/repository")
    # GET only; one request per resource and one per merged merge request's approvals (4), nothing else.
    assert {r.method for r in requests} == {"GET"}
    assert len(requests) == 13 == ev.requests
    assert all(r.token == MAINTAINER_TOKEN for r in requests)


def test_not_protected_is_a_fail_not_an_unknown() -> None:
    with serve(replace(well_run(), protected_branches=[protected("release/*")])) as fake:
        found = judge(read(fake))
    assert found["default-branch-protected"].outcome is Outcome.FAIL
    assert found["default-branch-protected"].message.startswith("GitLab: main is not a protected branch")
    assert found["force-push-and-deletion-blocked"].outcome is Outcome.FAIL


def test_cannot_see_is_unknown_with_the_scope_and_role_that_fix_it() -> None:
    with serve(well_run()) as fake:
        found = judge(read(fake, REPORTER_TOKEN))
    for check in ("default-branch-protected", "review-required", "force-push-and-deletion-blocked"):
        assert found[check].outcome is Outcome.UNKNOWN, check
        assert "GitLab protected branches: not visible to this token (403)" in found[check].message
        assert "read_api scope and the Maintainer role" in found[check].message
    # The merge requests and pipelines are readable with Reporter: their checks still judge.
    assert found["no-self-approval"].outcome is Outcome.PASS


def test_wildcard_rule_applies_and_direct_pushers_and_force_push_fail_naming_gitlab() -> None:
    weak = protected("ma*", push=30, merge=30, force=True)
    with serve(replace(well_run(), protected_branches=[weak], approval_rules=[], push_rule={})) as fake:
        found = judge(read(fake))
    assert found["default-branch-protected"].outcome is Outcome.PASS
    assert found["force-push-and-deletion-blocked"].message.startswith(
        "GitLab protected branch main: force pushes allowed on main")
    assert found["admins-cannot-bypass"].outcome is Outcome.FAIL
    assert "Developers + Maintainers (direct push)" in found["admins-cannot-bypass"].message
    assert found["review-required"].outcome is Outcome.FAIL
    assert found["signed-commits-required"].outcome is Outcome.FAIL


def test_free_tier_404s_are_not_available_not_failures_of_collection() -> None:
    with serve(replace(well_run(), approval_rules=None, push_rule=None)) as fake:
        ev = read(fake)
    assert ev.section("approval_rules").available and ev.section("push_rule").available
    found = judge(ev)
    assert found["review-required"].outcome is Outcome.FAIL
    assert "approval rules (GitLab Premium) not available on this project or tier (404)" in \
        found["review-required"].message
    assert found["signed-commits-required"].outcome is Outcome.FAIL  # a real "no", not "cannot see"


def test_self_approved_merge_request_fails_the_segregation_check() -> None:
    fixture = well_run()
    fixture.mr_approvals[1] = ["alice"]  # !1 is alice's
    fixture.mr_approvals[2] = []
    with serve(fixture) as fake:
        found = judge(read(fake))
    finding = found["no-self-approval"]
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("2 of 4 merged GitLab merge requests had no independent approval: !1 by alice")
    assert any(str(r.target).endswith("/-/merge_requests/1") for r in finding.refs)


def test_offset_pagination_is_followed_with_link_and_next_page_headers() -> None:
    runs = [pipeline(1000 + i, "success" if i % 5 else "failed", "2026-11-20T10:00:00Z") for i in range(250)]
    with serve(replace(well_run(), pipelines=runs)) as fake:
        ev = read(fake)
        pages = [r.query.get("page", ["1"])[0] for r in fake.requests if r.path.endswith("/pipelines")]
    assert pages == ["1", "2", "3"]
    assert len(ev.runs) == 250
    assert judge(ev)["ci-success-rate"].outcome is Outcome.FAIL  # 80% < 90%


def test_rate_limit_within_the_deadline_is_waited_out() -> None:
    with serve(well_run()) as fake:
        fake.faults.append(Fault(r"/approvals$", 429, {"message": "429 Too Many Requests"}, {"Retry-After": "1"}))
        ev = read(fake)
        hits = [r.status for r in fake.requests if r.path.endswith("/42/approvals")]
    assert hits == [429, 200]
    assert ev.section("approvals").available and ev.policy is not None and ev.policy.dismiss_stale_reviews


def test_rate_limit_beyond_the_deadline_leaves_the_section_unknown() -> None:
    with serve(well_run()) as fake:
        fake.faults.append(Fault(r"/protected_branches$", 429, {}, {"Retry-After": "3600"}))
        ev = read(fake, wait=5.0)
    status = ev.section("protection")
    assert not status.available and "retry after 3600s, beyond the deadline" in str(status.reason)
    assert status.permission == "run again later, or raise --max-wait"
    assert judge(ev)["default-branch-protected"].outcome is Outcome.UNKNOWN


def test_server_error_makes_one_section_unavailable() -> None:
    with serve(well_run()) as fake:
        fake.faults.append(Fault(r"/pipelines$", 502, {"message": "502 Bad Gateway"}))
        ev = read(fake)
    found = judge(ev)
    assert found["ci-success-rate"].outcome is Outcome.UNKNOWN
    assert found["ci-success-rate"].message == ("GitLab pipelines not readable: GitLab server error (502) "
                                                "(fix: run again later)")
    assert found["default-branch-protected"].outcome is Outcome.PASS


@pytest.mark.parametrize(("token", "reason", "fix"), [
    ("glpat-wrong", "needs authentication (401)", "read_api"),
    (NO_SCOPE_TOKEN, "not visible to this token (403)", "read_api"),
    (None, "not found or not visible to this token (404)", "set GITLAB_TOKEN to a token with read_api"),
])
def test_project_unreadable_raises_with_reason_and_fix(token: str | None, reason: str, fix: str) -> None:
    with serve(well_run()) as fake, pytest.raises(RepositoryUnavailableError) as err:
        read(fake, token)
    assert err.value.reason == reason and fix in err.value.fix


def test_job_token_reads_the_project_and_says_what_it_cannot_see() -> None:
    with serve(well_run()) as fake:
        ev = read(fake, JOB_TOKEN, job=True)
        assert all(r.token == JOB_TOKEN for r in fake.requests)
    status = ev.section("protection")
    assert not status.available and "CI_JOB_TOKEN reaches only a few endpoints" in str(status.permission)


def test_suspected_direct_pushes_are_looked_up_as_merge_requests() -> None:
    fixture = replace(well_run(), commit_mrs={"ab" * 20: [7]})
    with serve(fixture) as fake:
        ev = read(fake, suspects=("ab" * 20, "cd" * 20))
    assert ev.commit_pulls == {"ab" * 20: (7,), "cd" * 20: ()}


def test_user_and_group_push_entries_are_named() -> None:
    branch = protected()
    branch["push_access_levels"] = [level(0, "No one"), {**level(0, "alice"), "user_id": 12}]
    with serve(replace(well_run(), protected_branches=[branch])) as fake:
        found = judge(read(fake))
    assert found["admins-cannot-bypass"].message.endswith("user 12 (direct push).")


@pytest.mark.parametrize(("url", "host", "expected"), [
    ("git@gitlab.com:platform/team/deploy.git", "gitlab.com", "platform/team/deploy"),
    ("https://gitlab.com/platform/deploy.git", "gitlab.com", "platform/deploy"),
    ("ssh://git@gitlab.example.org:2222/a/b/c.git", "gitlab.example.org", "a/b/c"),
    ("git@github.com:acme/deploy.git", "gitlab.com", None),
    ("https://gitlab.com/platform/deploy/-/tree/main", "gitlab.com", None),
])
def test_origin_remotes_on_gitlab_com_and_self_managed_hosts(url: str, host: str, expected: str | None) -> None:
    assert parse_remote(url, host) == expected


def test_merge_requests_and_their_approvals_confirm_the_audit_trail() -> None:
    fixture = replace(well_run(), commit_mrs={"ab" * 20: [2]})
    fixture.mr_approvals[3] = ["alice"]  # !3 is alice's own
    with serve(fixture) as fake:
        ev = read(fake, suspects=("ab" * 20, "cd" * 20))
    base = AuditRecord(
        sha="", parents=("p" * 40,), deployed_at="2026-11-12T10:00:00+00:00", authored_at="2026-11-12T09:00:00+00:00",
        author_name="Alice", author_email="alice@acme.example", committer_name="Alice",
        committer_email="alice@acme.example", co_authors=(), is_bot=False, bot_kind=None,
        change_path=ChangePath.PR_MERGE, change_path_confidence="medium", pr_number=None, pr_title=None,
        ticket_refs=(), signature=SignatureType.NONE, webflow_signed=False, signature_status=None,
        environments=("prod",), files=("M\tclusters/prod/app.yaml",), subject="change")
    merged = [p for p in ev.pulls if p.number in (1, 3)]
    records = (*(replace(base, sha=str(p.merge_commit_sha)) for p in merged),
               replace(base, sha="ab" * 20, change_path=ChangePath.DIRECT_PUSH),
               replace(base, sha="cd" * 20, change_path=ChangePath.DIRECT_PUSH))
    by_sha = {r.sha: r for r in confirm_with_forge(records, ev)}
    first, third = (by_sha[str(p.merge_commit_sha)] for p in merged)
    assert (first.confirmed_by, first.approvers, first.self_approved) == ("gitlab:mr!1", ("dave", "erin"), False)
    assert (third.confirmed_by, third.approvers, third.self_approved) == ("gitlab:mr!3", (), True)
    rebased = by_sha["ab" * 20]
    assert (rebased.change_path, rebased.confirmed_by, rebased.pr_number) == (ChangePath.PR_REBASE, "gitlab:mr!2", 2)
    assert by_sha["cd" * 20].confirmed_by == "gitlab:no-merge-request"


def test_authors_allowed_to_approve_their_own_merge_requests_is_a_warning() -> None:
    fixture = well_run()
    fixture.approvals["merge_requests_author_approval"] = True
    with serve(fixture) as fake:
        ev = read(fake)
    assert ev.forge_settings["merge_requests_author_approval"] is True
    finding = judge(ev)["no-self-approval"]
    assert finding.outcome is Outcome.WARN and "lets authors approve their own merge requests" in finding.message


def test_a_slow_server_cannot_hold_the_scan_past_the_deadline() -> None:
    with serve(well_run()) as fake:
        fake.delays[r"/protected_branches$"] = 3.0  # answers after the deadline
        started = time.monotonic()
        ev = read(fake, wait=1.0)
        elapsed = time.monotonic() - started
        asked = fake.paths()
    assert elapsed < 2.5
    assert not ev.section("protection").available
    # nothing more is sent once the deadline has passed: every later section says so
    assert all(p.endswith(("/deploy", "/protected_branches")) for p in asked)
    assert ev.section("actions").reason == "GitLab: the --max-wait deadline has passed"


def test_gitlab_merge_commits_that_look_local_offline_become_merge_request_merges() -> None:
    with serve(well_run()) as fake:
        ev = read(fake)
    first, second = ev.pulls[0], ev.pulls[1]
    base = AuditRecord(
        sha=str(first.merge_commit_sha), parents=("p" * 40, "q" * 40), deployed_at="2026-11-12T10:00:00+00:00",
        authored_at="2026-11-12T09:00:00+00:00", author_name="Alice", author_email="alice@acme.example",
        committer_name="Alice", committer_email="alice@acme.example", co_authors=(), is_bot=False, bot_kind=None,
        change_path=ChangePath.LOCAL_MERGE, change_path_confidence="medium", pr_number=None, pr_title=None,
        ticket_refs=(), signature=SignatureType.NONE, webflow_signed=False, signature_status=None,
        environments=("prod",), files=("M\tclusters/prod/app.yaml",),
        subject="Merge branch 'feature-1' into 'main'")
    squashed = replace(base, sha=str(second.merge_commit_sha), parents=("p" * 40,),
                       change_path=ChangePath.DIRECT_PUSH, subject="Change 2")
    merged, squash = confirm_with_forge((base, squashed), ev)
    assert (merged.change_path, merged.confirmed_by) == (ChangePath.PR_MERGE, f"gitlab:mr!{first.number}")
    assert (squash.change_path, squash.confirmed_by) == (ChangePath.PR_SQUASH, f"gitlab:mr!{second.number}")
