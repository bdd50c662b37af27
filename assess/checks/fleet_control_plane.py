"""Stage 4: one control plane drives the whole fleet."""

from __future__ import annotations

from assess.checks._fleet import cluster_generators, flux_cluster_dirs
from assess.checks._repo import clusters_targeted, doc_ref, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="fleet-control-plane",
    title="One control plane manages the fleet (ApplicationSet cluster generators or a Flux fleet layout)",
    principle=Principle.RECONCILED,
    severity=Severity.MEDIUM,
    stage=4,
    gates_stage=True,
    failure_modes=(FailureMode.FM4,),
    rationale="Dozens of clusters stay alike only when one declaration is stamped onto all of them, not copied "
    "per cluster.",
    remediation="Drive clusters from one Argo CD with ApplicationSets using the `clusters` generator, or adopt a "
    "Flux fleet layout (`clusters/<name>/` over shared infrastructure and apps).",
)

MIN_FLUX_CLUSTERS = 3


def run(ctx: CheckContext) -> CheckResult:
    """Pass on ApplicationSet cluster generators or a Flux layout of several cluster directories."""
    ev = repo(ctx)
    gens = cluster_generators(ev)
    flux_dirs = flux_cluster_dirs(ev)
    spokes = [c for c in clusters_targeted(ctx, ev) if c.how.startswith("Flux spoke")]
    if gens:
        return result(Outcome.PASS, f"{plural(len(gens), 'ApplicationSet cluster generator')} fan out over "
                      "registered clusters.", [doc_ref(g.doc, g.key) for g in gens])
    if len(flux_dirs) >= MIN_FLUX_CLUSTERS:
        return result(Outcome.PASS, f"Flux fleet layout over {len(flux_dirs)} cluster directories.",
                      list(flux_dirs.values()))
    if len(spokes) >= 2:
        return result(Outcome.PASS, f"A Flux hub reconciles {plural(len(spokes), 'spoke cluster')} through "
                      "`spec.kubeConfig`.", [c.ref for c in spokes])
    return result(Outcome.FAIL, "No ApplicationSet cluster generator and no Flux fleet layout "
                  f"(found {plural(len(flux_dirs), 'Flux cluster directory')}, "
                  f"{plural(len(spokes), 'Flux spoke')}).", list(flux_dirs.values()))


CHECK = Check(SPEC, run)
