"""FM1: the default branch accepts only signed commits."""

from __future__ import annotations

from assess.checks._forge import forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="signed-commits-required",
    title="Signed commits are required on the default branch",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    any_repository=True,
    rationale="Requiring signatures makes every state change attributable to a key, so a stolen password or token "
    "alone cannot write production state.",
    remediation="Enable `required_signatures` (ruleset or classic protection) and register signing keys.",
    forge_remediation=(("gitlab", "Enable the push rule \"Reject unsigned commits\" (Settings → Repository → Push "
                        "rules) and have everyone register a signing key."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when signatures are required."""
    gh = forge(ctx)
    view = policy_view(gh)
    if view.policy is not None and view.policy.required_signatures:
        return observed(Outcome.PASS, gh.on_branch("Signed commits are required."), [settings_ref(gh)])
    if not view.complete:
        return view.unknown("signed commits are required")
    return observed(Outcome.FAIL, gh.on_branch(f"{gh.default_branch} accepts unsigned commits."), [settings_ref(gh)])


CHECK = Check(SPEC, run)
