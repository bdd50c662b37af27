"""Stage 2: production changes arrive through pull requests, never by direct push."""

from __future__ import annotations

from assess.checks._forge import in_forge_words
from assess.checks._history import commit_refs, dated, initial_import, nothing_to_judge
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity
from assess.model.history import PR_PATHS

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
    "production outside a reviewed change. Judged over the assessment period; a small, listed minority of exceptions "
    "(by default under 5%) is tolerated as a caveat. Inferred offline from merge and squash markers; GitHub evidence "
    "confirms.",
    remediation="Protect the default branch (required reviews, no bypass) and land every production change through a "
    "pull request, emergencies included (a fast-track review beats an unreviewed push).",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when every human production change of the period came through a pull request; warn (met with
    exceptions) above the configured share; fail below it."""
    changes = [r for r in ctx.production_changes() if not r.is_bot and not initial_import(r, ctx)]
    if not changes:
        return nothing_to_judge(ctx, "human production change", gate=True)
    direct = [r for r in changes if r.change_path not in PR_PATHS]
    history_note = f" ({ctx.historical.describe()}, not counted)" if ctx.historical and ctx.historical.count else ""
    share = 1 - len(direct) / len(changes)
    summary = (f"{share:.0%} of {plural(len(changes), 'human production change')} in {ctx.period_label} landed "
               + in_forge_words(ctx, "through pull requests"))
    if not direct:
        return result(Outcome.PASS, summary + history_note + ".", commit_refs(changes[:5]), Confidence.INFERRED)
    if share >= ctx.thresholds.pr_share_min:
        return result(Outcome.WARN, f"Met with exceptions: {summary} (threshold {ctx.thresholds.pr_share_min:.0%}); "
                      f"exceptions: {dated(direct)}{history_note}.", commit_refs(direct), Confidence.INFERRED)
    return result(Outcome.FAIL, f"{summary}, below the {ctx.thresholds.pr_share_min:.0%} threshold; "
                  f"{plural(len(direct), 'direct change')}: {dated(direct, 5)}{history_note}.", commit_refs(direct),
                  Confidence.INFERRED)


CHECK = Check(SPEC, run)
