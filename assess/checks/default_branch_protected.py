"""Stage 2 / FM1: the default branch is protected by branch protection or an active ruleset."""

from __future__ import annotations

from assess.checks._github import github, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.forge import is_gitlab

SPEC = CheckSpec(
    id="default-branch-protected",
    title="The default branch is protected (branch protection or an active ruleset)",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    signals=(Signal.PR_GATE,),
    failure_modes=(FailureMode.FM1,),
    sources=("github",),
    any_repository=True,
    rationale="The reconciler applies whatever the default branch says. Without protection anyone with write "
    "access, or a leaked token, changes production with a push.",
    remediation="Protect the default branch with a ruleset (or classic branch protection): require pull requests, "
    "block force pushes and deletions.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when protected; fail only when both classic protection and rulesets were visible and neither applies."""
    gh = github(ctx)
    view = policy_view(gh)
    if view.policy is not None and view.policy.protected:
        return observed(Outcome.PASS, f"{gh.default_branch} is protected by {', '.join(view.policy.sources)}.",
                        [settings_ref(gh)])
    if not view.complete:
        return view.unknown(f"{gh.default_branch} is protected")
    if is_gitlab(gh):
        return observed(Outcome.FAIL, f"GitLab: {gh.default_branch} is not a protected branch; anyone with "
                        "Developer access can push to it.", [settings_ref(gh)])
    return observed(Outcome.FAIL, f"{gh.default_branch} has no branch protection and no active ruleset.",
                    [settings_ref(gh)])


CHECK = Check(SPEC, run)
