"""Stage 2 / FM1: the default branch is protected by branch protection or an active ruleset."""

from __future__ import annotations

from assess.checks._forge import forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="default-branch-protected",
    title="The default branch is protected (branch protection or an active ruleset)",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    signals=(Signal.PR_GATE,),
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    any_repository=True,
    rationale="The reconciler applies whatever the default branch says. Without protection anyone with write "
    "access, or a leaked token, changes production with a push.",
    remediation="Protect the default branch with a ruleset (or classic branch protection): require pull requests, "
    "block force pushes and deletions.",
    forge_remediation=(("gitlab", "Protect the default branch (Settings → Repository → Protected branches): "
                        "\"Allowed to push and merge\" No one, \"Allowed to merge\" Maintainers, force push off."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when protected; fail only when both classic protection and rulesets were visible and neither applies."""
    gh = forge(ctx)
    view = policy_view(gh)
    if view.policy is not None and view.policy.protected:
        return observed(Outcome.PASS, f"{gh.default_branch} is protected by {', '.join(view.policy.sources)}.",
                        [settings_ref(gh)])
    if not view.complete:
        return view.unknown(f"{gh.default_branch} is protected")
    return observed(Outcome.FAIL, gh.terms.not_protected.format(branch=gh.default_branch), [settings_ref(gh)])


CHECK = Check(SPEC, run)
