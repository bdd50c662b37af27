"""FM1: the rules bind administrators too."""

from __future__ import annotations

from assess.checks._forge import forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity

SPEC = CheckSpec(
    id="admins-cannot-bypass",
    title="Administrators cannot bypass the branch rules",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    any_repository=True,
    rationale="At stage 2 no one, not even an admin, makes a persistent change outside a reviewed pull request. "
    "Bypass rights are the path incidents and attackers take.",
    remediation="Enable `enforce admins` (classic) or remove bypass actors from the ruleset; keep a documented "
    "break-glass procedure instead.",
    forge_remediation=(("gitlab", "On the protected default branch set \"Allowed to push and merge\" to No one (merges "
                        "through merge requests only), keep the Maintainer and Owner list short, and document a "
                        "break-glass procedure instead."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when admins are bound and nobody may bypass; unknown when bypass actors were withheld from the token."""
    gh = forge(ctx)
    view = policy_view(gh)
    p = view.policy
    if p is None or not p.protected:
        if not view.complete:
            return view.unknown("administrators can bypass")
        return observed(Outcome.FAIL, "No rules exist, so there is nothing administrators must follow.",
                        [settings_ref(gh)])
    if p.admins_enforced is None:
        return CheckResult(Outcome.UNKNOWN, "Ruleset bypass actors are not visible to this token "
                           "(fix: use a token with the admin role).", Confidence.OBSERVED,
                           fix="use a token with the admin role")
    if gh.terms.direct_push_is_bypass:  # who may push straight to the branch bypasses every rule
        if p.admins_enforced and not p.bypass_actors:
            return observed(Outcome.PASS, f"{gh.rule_subject()}nobody may push directly; every change goes "
                            "through a merge request.", [settings_ref(gh)])
        return observed(Outcome.FAIL, f"{gh.rule_subject()}may push directly, bypassing merge requests: "
                        f"{', '.join(p.bypass_actors)}.", [settings_ref(gh)])
    if p.admins_enforced and not p.bypass_actors:
        return observed(Outcome.PASS, "Rules apply to administrators; nobody may bypass.", [settings_ref(gh)])
    who = ", ".join(p.bypass_actors) or "administrators"
    return observed(Outcome.FAIL, f"Can bypass the rules: {who}.", [settings_ref(gh)])


CHECK = Check(SPEC, run)
