"""Stage 2: merging needs an approval, including from code owners."""

from __future__ import annotations

from assess.checks._forge import forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="review-required",
    title="Pull requests need at least one approval, including code owners'",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    signals=(Signal.PR_GATE,),
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    any_repository=True,
    rationale="A pull request is a gate only when someone other than the author must approve it; code-owner review "
    "makes the right people that someone for production paths.",
    remediation="Require a pull request with at least one approving review and code-owner review on the default "
    "branch (ruleset rule `pull_request`, or classic required reviews).",
    forge_remediation=(("gitlab", "Require at least one approval on merge requests to the default branch (an "
                        "approval rule) and \"Code owner approval\" on its protected-branch rule."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass with ≥1 required approval and code-owner review; warn without code owners; fail without reviews."""
    gh = forge(ctx)
    view = policy_view(gh)
    policy = view.policy
    if policy is not None and policy.required_approvals >= 1:
        if policy.require_code_owner_reviews:
            return observed(Outcome.PASS, gh.on_branch(
                f"{plural(policy.required_approvals, 'approval')} and code-owner review required "
                f"({', '.join(policy.sources)})."), [settings_ref(gh)])
        if view.complete:
            return observed(Outcome.WARN, gh.on_branch(f"{plural(policy.required_approvals, 'approval')} required, "
                            "but not code-owner review."), [settings_ref(gh)])
    if not view.complete:
        return view.unknown("reviews are required")
    tier = gh.section("approval_rules").reason if gh.section("approval_rules").available else None
    return observed(Outcome.FAIL, gh.on_branch(f"Merging into {gh.default_branch} needs no approving review"
                    + (f" ({tier}: required approvals do not exist there)." if tier else ".")), [settings_ref(gh)])


CHECK = Check(SPEC, run)
