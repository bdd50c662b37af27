"""FM1: an approval no longer counts once new commits are pushed."""

from __future__ import annotations

from assess.checks._forge import change_ref, forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="stale-approvals-dismissed",
    title="Approvals are dismissed when new commits are pushed",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    rationale="If an approval survives later pushes, what merges is not what was reviewed: approve a harmless "
    "change, then push the real one.",
    remediation="Enable `dismiss stale pull request approvals` (classic) or `dismiss_stale_reviews_on_push` "
    "(ruleset), and ideally `require_last_push_approval`.",
    forge_remediation=(("gitlab", "In Settings → Merge requests → Approval settings, enable \"Remove all approvals "
                        "when commits are added to the source branch\"."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when stale approvals are dismissed; warn on merged PRs whose approval was not on the merged head."""
    gh = forge(ctx)
    view = policy_view(gh)
    # Approvals off the merged head are seen only where an approval records its commit (GitHub; not GitLab).
    off_head = [p for p in gh.pulls if gh.terms.approvals_name_commit and p.reviews_read and p.head_sha and any(
        r.state == "APPROVED" for r in p.reviews) and not any(
        r.state == "APPROVED" and r.commit_id == p.head_sha for r in p.reviews)]
    if view.policy is not None and view.policy.dismiss_stale_reviews:
        if off_head:
            return observed(Outcome.WARN, "Stale approvals are dismissed, yet "
                            f"{plural(len(off_head), gh.terms.change_abbrev)} merged with "
                            "approvals on an older head.", [change_ref(gh, p) for p in off_head])
        return observed(Outcome.PASS, gh.on_branch("Stale approvals are dismissed on push."), [settings_ref(gh)])
    if not view.complete:
        return view.unknown("stale approvals are dismissed")
    older = f"; {plural(len(off_head), gh.terms.change_abbrev)} merged with approvals on an older head."
    return observed(Outcome.FAIL, gh.on_branch("Approvals survive new pushes") + (older if off_head else "."),
        [settings_ref(gh)] + [change_ref(gh, p) for p in off_head])


CHECK = Check(SPEC, run)
