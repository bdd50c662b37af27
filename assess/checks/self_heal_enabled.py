"""Stage 2: drift is corrected by the reconciler, not by people."""

from __future__ import annotations

from assess.checks._reconciler import argo_units, flux_helmreleases, flux_kustomizations, judged_units, unit_count
from assess.checks._repo import deployed, doc_ref, plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="self-heal-enabled",
    title="The reconciler corrects drift on its own (self-heal)",
    principle=Principle.RECONCILED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    rationale="Continuously reconciled means out-of-band changes (`kubectl edit`, manual scaling) are reverted. "
    "Argo CD only does so with `automated.selfHeal: true`; Flux Kustomizations always re-apply, and HelmReleases "
    "correct in-cluster drift only with `driftDetection.mode: enabled`.",
    remediation="Set `syncPolicy.automated.selfHeal: true` on Argo CD apps; set `spec.driftDetection.mode: "
    "enabled` on Flux HelmReleases.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on Argo apps without selfHeal; warn on HelmReleases without drift detection."""
    ev = deployed(ctx)
    argo, kustomizations, releases = argo_units(ev), flux_kustomizations(ev), flux_helmreleases(ev)
    if not (argo or kustomizations or releases):
        return result(Outcome.FAIL, "No reconciler declared: drift is only ever fixed by hand.")
    no_heal = [u for u in argo if not u.sets("automated.selfHeal")]
    no_drift = [u for u in releases if u.doc.get("spec.driftDetection.mode") != "enabled"
                and "spec.driftDetection.mode=enabled" not in u.doc.lines]
    total = len(argo) + len(kustomizations) + len(releases)
    if no_heal:
        return judged_units(ctx, [(u, f"{u.policy}.automated") for u in no_heal], total,
                            "leave drift in place (no selfHeal)")
    if no_drift:
        names = ", ".join(u.label for u in no_drift[:10]) + (f", and {len(no_drift) - 10} more"
                                                            if len(no_drift) > 10 else "")
        return result(Outcome.WARN, f"{len(no_drift)} of {plural(len(releases), 'HelmRelease')} without drift "
                      f"detection: in-cluster edits to their objects stay until the next chart change: {names}.",
                      [doc_ref(u.doc, "spec") for u in no_drift])
    return result(Outcome.PASS, f"All {unit_count(argo + kustomizations + releases, 'reconciled unit')} correct "
                  "drift automatically.",
                  [doc_ref(u.doc, f"{u.policy}.automated.selfHeal") for u in argo]
                  + [doc_ref(u.doc) for u in kustomizations + releases])


CHECK = Check(SPEC, run)
