"""Stage 2 (observed): a GitOps reconciler is installed and its controllers are ready."""

from __future__ import annotations

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.cluster import AccessStatus
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="reconciler-running",
    title="A GitOps reconciler is installed and healthy in every cluster",
    principle=Principle.RECONCILED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    sources=("cluster",),
    rationale="CRDs can outlive an uninstall and declarations in Git prove nothing about the cluster: only running, "
    "ready controllers reconcile.",
    remediation="Install Argo CD or Flux in each cluster (declared in Git itself) and keep the controllers healthy.",
)

ARGO = ("argocd-application-controller", "argocd-repo-server")
FLUX = ("source-controller", "kustomize-controller")


def run(ctx: CheckContext) -> CheckResult:
    """Pass when every cluster runs ready Argo CD or Flux controllers."""
    gap = unreadable(ctx, "apps/deployments", "apps/statefulsets")
    if gap:
        return gap
    healthy, broken, missing = [], [], []
    for cluster in clusters(ctx):
        ready: dict[str, bool] = {}
        refs: list[Ref] = []
        for kind in ("Deployment", "StatefulSet"):
            for obj in cluster.of("apps", kind):
                name = (obj.get("metadata") or {}).get("name", "")
                if name in ARGO + FLUX:
                    status = obj.get("status") or {}
                    ready[name] = int(status.get("readyReplicas") or 0) >= int((obj.get("spec") or {}).get(
                        "replicas", 1) or 1)
                    refs.append(obj_ref(cluster, obj))
        tools = [t for t, names in (("argocd", ARGO), ("flux", FLUX)) if any(n in ready for n in names)]
        crds = any(a.status is AccessStatus.OK for a in cluster.access
                   if a.resource in ("argoproj.io/applications", "kustomize.toolkit.fluxcd.io/kustomizations"))
        if not tools:
            missing.append(f"{cluster.name}" + (" (CRDs present, no controllers)" if crds else ""))
        elif not all(ready.get(n, True) for t in tools for n in (ARGO if t == "argocd" else FLUX) if n in ready):
            broken.append((cluster.name, refs))
        else:
            healthy.append((cluster.name, "+".join(tools), refs))
    if missing:
        return observed(Outcome.FAIL, f"No reconciler running in: {', '.join(missing)}.")
    if broken:
        return observed(Outcome.FAIL, f"Reconciler controllers not ready in: {', '.join(n for n, _ in broken)}.",
                        [r for _, refs in broken for r in refs])
    return observed(Outcome.PASS, "Reconciler running and ready: " + ", ".join(f"{n} ({t})" for n, t, _ in healthy)
                    + ".", [r for _, _, refs in healthy for r in refs])


CHECK = Check(SPEC, run)
