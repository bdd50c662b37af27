"""Checks fed by GitHub evidence: a PASS and a FAIL each (evidence as a URL), and UNKNOWN when not visible."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest

from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle
from assess.model.finding import Outcome, RefKind
from assess.model.forge import BranchPolicy, ForgeEvidence, PullRequest, Review, SectionStatus, WorkflowRun
from assess.model.provenance import Provenance, Source
from tests.conftest import catalogued

OK = SectionStatus(True)
STRONG = BranchPolicy(protected=True, sources=("ruleset:main",), requires_pull_request=True, required_approvals=2,
                      dismiss_stale_reviews=True, require_code_owner_reviews=True, required_status_checks=("ci",),
                      required_signatures=True, force_push_blocked=True, deletion_blocked=True,
                      admins_enforced=True)
WEAK = BranchPolicy(protected=False)


def pr(n: int, author: str = "alice", approver: str | None = "bob", on_head: bool = True, hours: int = 2,
       merged: str = "2026-02-01T12:00:00Z") -> PullRequest:
    submitted = (datetime(2026, 2, 1, 10, tzinfo=UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:%SZ")
    reviews = (Review(approver, "APPROVED", submitted, "h" if on_head else "old"),) if approver else ()
    return PullRequest(n, f"PR {n}", author, False, "2026-02-01T10:00:00Z", merged, author, f"{n:040x}", "h",
                       f"b{n}", (), reviews, True)


def ev(policy: BranchPolicy | None = STRONG, **kw: object) -> CheckContext:
    sections = {name: OK for name in ("repository", "protection", "rulesets", "codeowners", "pulls", "reviews",
                                      "actions", "deployments", "collaborators")}
    base = ForgeEvidence(Provenance(Source.GITHUB, "t", datetime(2026, 3, 1, tzinfo=UTC).isoformat()),
                          "acme/x", "https://api.github.com", "https://github.com/acme/x", True, "main",
                          policy=policy, sections=sections, codeowners_found=True,
                          pulls=(pr(1), pr(2, "carol", "dave")),
                          runs=tuple(WorkflowRun(i, "ci", "push", "completed", "success", "2026-02-01T10:00:00Z", "x")
                                     for i in range(10)))
    return CheckContext(EvidenceBundle(forge=replace(base, **kw)))  # type: ignore[arg-type]


def hidden_protection() -> CheckContext:
    ctx = ev(policy=None)
    gh = ctx.evidence.forge
    assert gh is not None
    sections = {**gh.sections, "protection": SectionStatus(False, "not visible to this token (404)",
                                                           "Administration: read")}
    return CheckContext(EvidenceBundle(forge=replace(gh, sections=sections)))


@dataclass(frozen=True)
class Case:
    check_id: str
    passing: Callable[[], CheckContext]
    failing: Callable[[], CheckContext]


CASES = [
    Case("default-branch-protected", ev, lambda: ev(WEAK)),
    Case("review-required", ev, lambda: ev(replace(STRONG, required_approvals=0, requires_pull_request=False))),
    Case("no-self-approval", ev, lambda: ev(pulls=(pr(1), pr(2, "carol", None), pr(3, "dave", "dave")))),
    Case("stale-approvals-dismissed", ev, lambda: ev(replace(STRONG, dismiss_stale_reviews=False))),
    Case("force-push-and-deletion-blocked", ev, lambda: ev(replace(STRONG, force_push_blocked=False))),
    Case("signed-commits-required", ev, lambda: ev(replace(STRONG, required_signatures=False))),
    Case("admins-cannot-bypass", ev, lambda: ev(replace(STRONG, admins_enforced=False,
                                                        bypass_actors=("RepositoryRole:5 (always)",)))),
    Case("status-checks-required", ev, lambda: ev(replace(STRONG, required_status_checks=()))),
    Case("ci-success-rate", ev, lambda: ev(runs=tuple(WorkflowRun(i, "ci", "push", "completed",
                                                                  "failure" if i % 3 == 0 else "success",
                                                                  "2026-02-01T10:00:00Z", "x") for i in range(10)))),
    Case("review-latency-and-volume", ev, lambda: ev(pulls=tuple(pr(i, hours=30) for i in range(40)) + tuple(
        pr(100 + i, hours=30, merged="2026-02-02T11:00:00Z") for i in range(40)))),
    Case("codeowners-valid", ev, lambda: ev(codeowners_errors=(".github/CODEOWNERS:2: Unknown owner",))),
]


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_pass(case: Case) -> None:
    check = catalogued(case.check_id)
    result = check.run(case.passing())
    assert result.outcome is Outcome.PASS, result.message


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_fail_with_a_url(case: Case) -> None:
    check = catalogued(case.check_id)
    result = check.run(case.failing())
    assert result.outcome is Outcome.FAIL, result.message
    if case.check_id != "review-latency-and-volume":
        assert result.refs and all(r.kind is RefKind.URL for r in result.refs)


@pytest.mark.parametrize("check_id", ["default-branch-protected", "review-required", "signed-commits-required",
                                      "force-push-and-deletion-blocked", "admins-cannot-bypass"])
def test_not_visible_is_unknown_and_names_the_permission(check_id: str) -> None:
    check = catalogued(check_id)
    result = check.run(hidden_protection())
    assert result.outcome is Outcome.UNKNOWN
    assert "Administration: read" in result.message
    # and as a field, so no format has to find it in the sentence
    assert result.fix is not None and "Administration: read" in result.fix
