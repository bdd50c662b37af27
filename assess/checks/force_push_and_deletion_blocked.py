"""FM1: history on the default branch cannot be rewritten or deleted."""

from __future__ import annotations

from assess.checks._forge import forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, RefKind, Severity

SPEC = CheckSpec(
    id="force-push-and-deletion-blocked",
    title="Force pushes and deletion of the default branch are blocked",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    any_repository=True,
    rationale="The Git history is the audit trail: a force push can erase deployments and failures from it, and "
    "the reconciler follows the rewritten branch immediately.",
    remediation="Block force pushes (`non_fast_forward` rule) and deletions (`deletion` rule) on the default "
    "branch, for everyone.",
    forge_remediation=(("gitlab", "Turn off \"Allowed to force push\" on the default branch's protected-branch "
                        "rule (a protected branch cannot be deleted while the rule stands)."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when both are blocked; fail when either is allowed and the policy was fully visible."""
    gh = forge(ctx)
    view = policy_view(gh)
    p = view.policy
    activity = gh.force_push_url()
    pushes = [Ref(RefKind.URL, activity)] if gh.force_pushes and activity else []
    seen = (f" {len(gh.force_pushes)} force push(es) happened in the window "
            f"(latest by {gh.force_pushes[0].actor} at {gh.force_pushes[0].timestamp}).") if gh.force_pushes else ""
    if p is not None and p.force_push_blocked and p.deletion_blocked:
        if gh.force_pushes:
            return observed(Outcome.WARN, "Force pushes and deletion are blocked now, but" + seen.rstrip(".")
                            + ".", [settings_ref(gh), *pushes])
        return observed(Outcome.PASS, gh.on_branch("Force pushes and deletion are blocked."),
                        [settings_ref(gh)])
    if not view.complete:
        return view.unknown("force pushes and deletion are blocked")
    allowed = [what for what, blocked in (("force pushes", p.force_push_blocked if p else False),
                                          ("deletion", p.deletion_blocked if p else False)) if not blocked]
    text = f"{' and '.join(allowed).capitalize()} allowed on {gh.default_branch}.{seen}"
    return observed(Outcome.FAIL, gh.on_branch(text), [settings_ref(gh), *pushes])


CHECK = Check(SPEC, run)
