"""FM4: reviews keep up with the flow of configuration pull requests."""

from __future__ import annotations

from statistics import median

from assess.checks._forge import forge, hours_between, observed
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="review-latency-and-volume",
    title="Reviews keep up with pull-request volume",
    principle=Principle.VERSIONED,
    severity=Severity.LOW,
    failure_modes=(FailureMode.FM4,),
    sources=("forge",),
    rationale="Ten or more config PRs a day per team breed review fatigue and workarounds; a first review that "
    "takes more than a day is the early sign.",
    remediation="Batch promotions with ApplicationSets or Kustomize overlays, automate low-risk updates with "
    "policy checks, and spread code ownership.",
)

MAX_FIRST_REVIEW_HOURS = 24.0
MAX_PRS_PER_DAY = 10.0


def run(ctx: CheckContext) -> CheckResult:
    """Warn when the median first review takes over a day or volume reaches 10 PRs a day; fail when both."""
    gh = forge(ctx)
    pulls = [p for p in gh.pulls if p.reviews_read]
    if not pulls:
        return observed(Outcome.NOT_APPLICABLE, f"No merged {gh.terms.change_request} with readable reviews in the "
                        "window.")
    first = [hours_between(p.created_at, min(r.submitted_at for r in p.reviews if r.submitted_at))
             for p in pulls if any(r.submitted_at for r in p.reviews)]
    latency = median(first) if first else None
    merged = sorted(p.merged_at for p in pulls)
    days = max(hours_between(merged[0], merged[-1]) / 24, 1.0)
    per_day = len(pulls) / days
    slow = latency is not None and latency > MAX_FIRST_REVIEW_HOURS
    busy = per_day >= MAX_PRS_PER_DAY
    detail = (f"median first review {latency:.1f} h" if latency is not None else "no reviews") + \
        f", {per_day:.1f} merged {gh.terms.changes_short} a day"
    if slow and busy:
        return observed(Outcome.FAIL, f"{gh.terms.change_abbrev} bottleneck: {detail}.")
    if slow or busy:
        return observed(Outcome.WARN, f"Review pressure: {detail}.")
    return observed(Outcome.PASS, f"Reviews keep up: {detail}.")


CHECK = Check(SPEC, run)
