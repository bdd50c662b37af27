"""Stage 2: the reconciler applies merged changes automatically."""

from __future__ import annotations

from assess.checks._reconciler import argo_units, flux_helmreleases, flux_kustomizations, judged_units, unit_count
from assess.checks._repo import deployed, doc_ref, is_true, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="auto-sync-enabled",
    title="Reconciled apps sync automatically on merge",
    principle=Principle.PULLED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    rationale="Pulled automatically means no manual deploy step: an approved merge is applied by the operator. "
    "Argo CD needs `syncPolicy.automated`; a suspended Flux object does not reconcile.",
    remediation="Set `spec.syncPolicy.automated` on every Argo CD Application (or ApplicationSet template); remove "
    "`spec.suspend: true` from Flux Kustomizations and HelmReleases.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on Argo apps without `automated` and on suspended Flux objects."""
    ev = deployed(ctx)
    argo, flux = argo_units(ev), flux_kustomizations(ev) + flux_helmreleases(ev)
    if not argo and not flux:
        return result(Outcome.FAIL, "No reconciled application declared, so nothing syncs automatically.")
    manual = [u for u in argo if not u.sets("automated", value=None)]
    suspended = [u for u in flux if is_true(u.doc, "spec.suspend")]
    bad = manual + suspended
    total = len(argo) + len(flux)
    if bad:
        return judged_units(ctx, [(u, f"{u.policy}.automated" if u.tool == "argocd" else "spec.suspend")
                                  for u in bad], total, "do not sync automatically")
    return result(Outcome.PASS, f"All {unit_count(argo + flux, 'reconciled unit')} sync automatically.",
                  [doc_ref(u.doc, f"{u.policy}.automated") for u in argo] + [doc_ref(u.doc) for u in flux])


CHECK = Check(SPEC, run)
