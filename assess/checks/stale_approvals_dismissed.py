"""FM1: an approval no longer counts once new commits are pushed."""

from __future__ import annotations

from assess.checks._github import github, observed, on_branch, policy_view, pr_ref, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.forge import is_gitlab
from assess.model.wording import plural

SPEC = CheckSpec(
    id="stale-approvals-dismissed",
    title="Approvals are dismissed when new commits are pushed",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM1,),
    sources=("github",),
    rationale="If an approval survives later pushes, what merges is not what was reviewed: approve a harmless "
    "change, then push the real one.",
    remediation="Enable `dismiss stale pull request approvals` (classic) or `dismiss_stale_reviews_on_push` "
    "(ruleset), and ideally `require_last_push_approval`.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when stale approvals are dismissed; warn on merged PRs whose approval was not on the merged head."""
    gh = github(ctx)
    view = policy_view(gh)
    # GitLab does not say on which commit an approval was given, so approvals off the merged head are GitHub's only.
    off_head = [] if is_gitlab(gh) else [p for p in gh.pulls if p.reviews_read and p.head_sha and any(
        r.state == "APPROVED" for r in p.reviews) and not any(
        r.state == "APPROVED" and r.commit_id == p.head_sha for r in p.reviews)]
    if view.policy is not None and view.policy.dismiss_stale_reviews:
        if off_head:
            return observed(Outcome.WARN, "Stale approvals are dismissed, yet "
                            f"{plural(len(off_head), 'PR')} merged with "
                            "approvals on an older head.", [pr_ref(gh, p) for p in off_head])
        return observed(Outcome.PASS, on_branch(gh, "Stale approvals are dismissed on push."), [settings_ref(gh)])
    if not view.complete:
        return view.unknown("stale approvals are dismissed")
    return observed(Outcome.FAIL, on_branch(gh, "Approvals survive new pushes") + (
        f"; {plural(len(off_head), 'PR')} merged with approvals on an older head." if off_head else "."),
        [settings_ref(gh)] + [pr_ref(gh, p) for p in off_head])


CHECK = Check(SPEC, run)
