"""Stage 2: failed changes are rolled back by reverting in Git."""

from __future__ import annotations

from assess.checks._history import commit_refs, describe, nothing_to_judge
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity

SPEC = CheckSpec(
    id="rollback-by-revert",
    title="Rollback happens by reverting in Git",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    stage=2,
    sources=("history",),
    rationale="In GitOps a rollback is a `git revert`: the operator applies the previous state, and the history "
    "records who rolled back what and when. Forward hotfixes under pressure leave the failed state half-undone.",
    remediation="Roll back with `git revert` (or GitHub's Revert button) and let the reconciler apply it; fix "
    "forward afterwards in a normal pull request.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when failed deployments were remediated by revert or by restoring an earlier state."""
    failed = [r for r in ctx.audit_trail if r.failed]
    if not failed:
        reverts = [r for r in ctx.audit_trail if r.is_revert]
        if reverts:
            return result(Outcome.PASS, f"{plural(len(reverts), 'revert')} in {ctx.period_label}.",
                          commit_refs(reverts), Confidence.INFERRED)
        return nothing_to_judge(ctx, "failed deployment or revert")
    forward = [r for r in failed if r.failure_detection == "hotfix"]
    in_git = len(failed) - len(forward)
    if forward and not in_git:
        return result(Outcome.FAIL, f"{plural(len(failed), 'failed deployment')}, none rolled back by revert: "
                      f"{describe(forward)}.", commit_refs(forward), Confidence.INFERRED)
    if forward:
        return result(Outcome.WARN, f"{in_git} of {plural(len(failed), 'failed deployment')} rolled back in Git; "
                      f"{len(forward)} fixed forward: {describe(forward)}.", commit_refs(forward), Confidence.INFERRED)
    return result(Outcome.PASS, f"All {plural(len(failed), 'failed deployment')} rolled back by revert or "
                  "restore.", commit_refs(failed), Confidence.INFERRED)


CHECK = Check(SPEC, run)
