"""Readiness: CI on the default branch is reliable."""

from __future__ import annotations

from collections import Counter

from assess.checks._forge import forge, observed, run_ref
from assess.checks._repo import plural
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity

SPEC = CheckSpec(
    id="ci-success-rate",
    title="CI on the default branch succeeds reliably",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    signals=(Signal.RELIABLE_CI,),
    sources=("forge",),
    any_repository=True,
    rationale="A flaky pipeline does not get better with GitOps on top: fix CI first. The success rate of completed "
    "default-branch runs (cancelled and skipped runs excluded) is the measure.",
    remediation="Fix or quarantine the failing workflows until the default branch stays green.",
)

COUNTED = ("success", "failure", "timed_out", "startup_failure")


def run(ctx: CheckContext) -> CheckResult:
    """Fail below the configured success rate (default 90%)."""
    gh = forge(ctx)
    if not gh.section("actions").available:
        s = gh.section("actions")
        return CheckResult(Outcome.UNKNOWN, f"{gh.terms.ci_run}s not readable: {s.reason} (fix: {s.permission})",
                           Confidence.OBSERVED, fix=s.permission)
    runs = [r for r in gh.runs if r.conclusion in COUNTED]
    if not runs:
        return observed(Outcome.NOT_APPLICABLE, f"No completed {gh.terms.ci_run} on the default branch in the window.")
    counts = Counter(r.conclusion for r in runs)
    rate = counts["success"] / len(runs)
    threshold = ctx.thresholds.ci_success_rate
    kind = gh.terms.ci_runs_counted
    message = f"{rate:.0%} of {plural(len(runs), kind)} succeeded (threshold {threshold:.0%})"
    failed = [r for r in runs if r.conclusion != "success"]
    refs = [run_ref(gh, r) for r in failed]
    if rate < threshold:
        return observed(Outcome.FAIL, message + ".", refs)
    return observed(Outcome.PASS, message + ".")


CHECK = Check(SPEC, run)
