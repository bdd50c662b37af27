"""Stage 2: objects deleted from Git are deleted from the cluster."""

from __future__ import annotations

from assess.checks._reconciler import argo_units, flux_kustomizations, judged_units, unit_count
from assess.checks._repo import deployed, doc_ref, is_true, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="prune-enabled",
    title="Objects removed from Git are pruned from the cluster",
    principle=Principle.RECONCILED,
    severity=Severity.MEDIUM,
    stage=2,
    gates_stage=True,
    rationale="Without pruning, an object deleted in Git keeps running: the cluster holds state no commit "
    "declares, and Git stops being the source of truth.",
    remediation="Set `syncPolicy.automated.prune: true` on Argo CD apps and `spec.prune: true` on Flux "
    "Kustomizations.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on Argo apps without automated prune and Flux Kustomizations without prune."""
    ev = deployed(ctx)
    argo, flux = argo_units(ev), flux_kustomizations(ev)
    if not argo and not flux:
        return result(Outcome.FAIL, "No reconciler declared: nothing prunes removed objects.")
    bad = [(u, f"{u.policy}.automated") for u in argo if not u.sets("automated.prune")]
    bad += [(u, "spec") for u in flux if not is_true(u.doc, "spec.prune")]
    total = len(argo) + len(flux)
    if bad:
        return judged_units(ctx, bad, total, "do not prune")
    return result(Outcome.PASS, f"All {unit_count(argo + flux, 'reconciled unit')} prune removed objects.",
                  [doc_ref(u.doc) for u in argo + flux])


CHECK = Check(SPEC, run)
