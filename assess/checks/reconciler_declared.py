"""Stage 2: a pull-based reconciler (Argo CD or Flux) is declared."""

from __future__ import annotations

from assess.checks._reconciler import all_units, unit_count
from assess.checks._repo import ARGO, FLUX_SOURCE, deployed, doc_ref, docs, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="reconciler-declared",
    title="A GitOps reconciler (Argo CD or Flux) is declared",
    principle=Principle.PULLED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    rationale="Configuration in Git without a sync loop is version-controlled infrastructure, not GitOps: only an "
    "operator that pulls from Git keeps the cluster from diverging.",
    remediation="Install Argo CD or Flux and declare the applications it reconciles (Application/ApplicationSet, "
    "or GitRepository + Kustomization/HelmRelease) in this repository.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when Argo CD Applications/ApplicationSets or Flux Kustomizations/HelmReleases are declared."""
    ev = deployed(ctx)
    units = all_units(ev)
    sources = docs(ev, group=FLUX_SOURCE) + docs(ev, "AppProject", group=ARGO)
    if not units:
        if sources:
            return result(Outcome.FAIL, "Reconciler sources or projects are declared but no application is "
                          "reconciled.", [doc_ref(d) for d in sources])
        return result(Outcome.FAIL, "No Argo CD Application/ApplicationSet or Flux Kustomization/HelmRelease is "
                      "declared in this repository, so nothing here shows that deployments are pulled from Git (a "
                      "reconciler configured elsewhere would show in a cluster snapshot).")
    tools = sorted({u.tool for u in units})
    return result(Outcome.PASS, f"{unit_count(units, 'reconciled unit')} declared ({', '.join(tools)}).",
                  [doc_ref(u.doc) for u in units])


CHECK = Check(SPEC, run)
