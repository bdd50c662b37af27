"""Stage 4: a fleet, not a handful of clusters."""

from __future__ import annotations

from assess.checks._repo import known_clusters, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="fleet-scale",
    title="The fleet spans many clusters or several clouds",
    principle=Principle.DECLARATIVE,
    severity=Severity.LOW,
    stage=4,
    gates_stage=True,
    rationale="Stage 4 is multi-cloud fleet management: 20 or more clusters, or clusters across several cloud "
    "providers, governed from one place.",
    remediation="Nothing to fix if the fleet is small: stage 4 is a matter of scale, not of quality.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass with at least the configured cluster count, or clusters on several clouds."""
    ev = repo(ctx)
    found = known_clusters(ev, ctx)
    names = {c.name for c in found}
    clouds = sorted({c.cloud for c in found if c.cloud})
    t = ctx.thresholds
    detail = f"{plural(len(names), 'cluster')} on {plural(len(clouds), 'cloud')} ({', '.join(clouds) or 'unknown'})"
    if len(names) >= t.fleet_clusters or len(clouds) >= t.fleet_clouds:
        return result(Outcome.PASS, f"Fleet scale: {detail}.", [c.ref for c in found])
    return result(Outcome.FAIL, f"{detail}; stage 4 needs ≥ {plural(t.fleet_clusters, 'cluster')} or ≥ "
                  f"{plural(t.fleet_clouds, 'cloud')}.", [c.ref for c in found])


CHECK = Check(SPEC, run)
