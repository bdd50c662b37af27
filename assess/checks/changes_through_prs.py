"""Stage 2: production changes arrive through pull requests, never by direct push."""

from __future__ import annotations

from assess.checks._history import PR_PATHS, commit_refs, describe, initial_import
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity

SPEC = CheckSpec(
    id="changes-through-prs",
    title="Production changes arrive through pull requests",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    signals=(Signal.PR_GATE,),
    failure_modes=(FailureMode.FM1,),
    sources=("history",),
    rationale="At stage 2 pull requests are the only path to production state: no one, not even an admin, changes "
    "production outside a reviewed change. Inferred offline from merge and squash markers; GitHub evidence confirms.",
    remediation="Protect the default branch (required reviews, no bypass) and land every production change through a "
    "pull request, emergencies included (a fast-track review beats an unreviewed push).",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on human deployments to production that landed without a pull request."""
    changes = [r for r in ctx.production_changes() if not r.is_bot and not initial_import(r)]
    if not changes:
        return result(Outcome.NOT_APPLICABLE, "No human production change in the window.",
                      confidence=Confidence.INFERRED)
    direct = [r for r in changes if r.change_path not in PR_PATHS]
    if direct:
        return result(Outcome.FAIL, f"{len(direct)} of {plural(len(changes), 'production change')} bypassed pull "
                      f"requests: {describe(direct)}.", commit_refs(direct), Confidence.INFERRED)
    return result(Outcome.PASS, f"All {plural(len(changes), 'production change')} landed through pull requests.",
                  commit_refs(changes[:5]), Confidence.INFERRED)


CHECK = Check(SPEC, run)
