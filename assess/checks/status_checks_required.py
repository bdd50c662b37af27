"""Readiness: CI must pass before merging."""

from __future__ import annotations

from assess.checks._forge import forge, observed, policy_view, settings_ref
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="status-checks-required",
    title="Status checks must pass before merging",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    signals=(Signal.RELIABLE_CI,),
    sources=("forge",),
    any_repository=True,
    rationale="If CI results do not gate the merge, a red build can still become the state the reconciler "
    "enforces.",
    remediation="Require the validating CI jobs as status checks on the default branch (and require branches to "
    "be up to date).",
    forge_remediation=(("gitlab", "Enable \"Pipelines must succeed\" (Settings → Merge requests → Merge checks) so "
                        "a merge request merges only on a passing pipeline."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when at least one status check is required."""
    gh = forge(ctx)
    view = policy_view(gh)
    p = view.policy
    if p is not None and p.required_status_checks:
        strict = " (branches must be up to date)" if p.strict_status_checks else ""
        return observed(Outcome.PASS, gh.on_branch(f"Required checks: {', '.join(p.required_status_checks)}{strict}."),
                        [settings_ref(gh)])
    if not view.complete:
        return view.unknown("status checks are required")
    return observed(Outcome.FAIL, gh.on_branch("No status check is required before merging."), [settings_ref(gh)])


CHECK = Check(SPEC, run)
