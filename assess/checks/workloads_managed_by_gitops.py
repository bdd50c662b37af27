"""Stage 2 (observed): every workload in the cluster is managed by a GitOps tool."""

from __future__ import annotations

from assess.checks._cluster import clusters, ident, obj_ref, observed, ownership, unreadable, workloads
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="workloads-managed-by-gitops",
    title="Every workload in the cluster is managed by Argo CD or Flux",
    principle=Principle.DECLARATIVE,
    severity=Severity.HIGH,
    stage=2,
    sources=("cluster",),
    rationale="A workload no GitOps tool lists was created by hand or by a pipeline push: it has no declaration, "
    "no review and no drift correction.",
    remediation="Declare the listed workloads in Git under a reconciled path, or delete them; system and GitOps-tool "
    "namespaces are excluded.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on workloads outside system namespaces that no Argo CD app or Flux object owns."""
    gap = unreadable(ctx, "apps/deployments", "argoproj.io/applications", "kustomize.toolkit.fluxcd.io/kustomizations")
    if gap:
        return gap
    total, unmanaged, refs = 0, [], []
    for cluster in clusters(ctx):
        owners = ownership(cluster)
        for obj in workloads(cluster):
            total += 1
            if ident(obj) not in owners:
                fields = (obj.get("metadata") or {}).get("managedFields") or [{}]
                creator = fields[0].get("manager", "unknown")
                unmanaged.append(f"{cluster.name}:{ident(obj)} (created by {creator})")
                refs.append(obj_ref(cluster, obj))
    if total == 0:
        return observed(Outcome.NOT_APPLICABLE, "No application workload in the cluster(s).")
    if unmanaged:
        return observed(Outcome.FAIL, f"{len(unmanaged)} of {total} workloads are managed by no GitOps tool: "
                        f"{'; '.join(unmanaged[:5])}.", refs)
    return observed(Outcome.PASS, f"All {total} workloads are managed by a GitOps tool.")


CHECK = Check(SPEC, run)
