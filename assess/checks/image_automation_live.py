"""FM3 (observed): image update automation runs and writes to Git."""

from __future__ import annotations

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="image-automation-live",
    title="Image update automation runs in the cluster and writes back to Git",
    principle=Principle.PULLED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM3,),
    sources=("cluster",),
    rationale="Automation that writes new image versions to Git keeps declarations and registries in step; Argo CD "
    "Image Updater's default `argocd` write-back mutates the cluster instead, which is not GitOps.",
    remediation="Run Flux ImageUpdateAutomation (push to a review branch) or Argo CD Image Updater with "
    "`write-back-method: git`.",
)

UPDATER = "argocd-image-updater.argoproj.io/"


def run(ctx: CheckContext) -> CheckResult:
    """Pass on Flux image automation or Image Updater writing to Git; warn on Image Updater writing to the cluster."""
    gap = unreadable(ctx, "image.toolkit.fluxcd.io/imageupdateautomations", "argoproj.io/applications")
    if gap:
        return gap
    git: list[str] = []
    cluster_only: list[str] = []
    refs = []
    for cluster in clusters(ctx):
        for iua in cluster.of("image.toolkit.fluxcd.io", "ImageUpdateAutomation"):
            git.append(f"{cluster.name}:ImageUpdateAutomation/{iua['metadata'].get('name')}")
            refs.append(obj_ref(cluster, iua))
        for updater in cluster.of("argocd-image-updater.argoproj.io", "ImageUpdater"):
            method = str(((updater.get("spec") or {}).get("writeBackConfig") or {}).get("method", "argocd"))
            (git if method.startswith("git") else cluster_only).append(f"{cluster.name}:ImageUpdater/"
                                                                       f"{updater['metadata'].get('name')}")
            refs.append(obj_ref(cluster, updater))
        for app in cluster.of("argoproj.io", "Application"):
            annotations = (app.get("metadata") or {}).get("annotations") or {}
            if f"{UPDATER}image-list" in annotations:
                method = str(annotations.get(f"{UPDATER}write-back-method", "argocd"))
                (git if method.startswith("git") else cluster_only).append(f"{cluster.name}:Application/"
                                                                           f"{app['metadata'].get('name')}")
                refs.append(obj_ref(cluster, app))
    if git:
        extra = f"; {len(cluster_only)} write to the cluster only" if cluster_only else ""
        return observed(Outcome.PASS if not cluster_only else Outcome.WARN,
                        f"Image automation writing to Git: {', '.join(git[:4])}{extra}.", refs)
    if cluster_only:
        return observed(Outcome.WARN, f"Image Updater writes to the cluster, not Git: {', '.join(cluster_only[:4])}.",
                        refs)
    return observed(Outcome.FAIL, "No image update automation runs in the cluster(s).")


CHECK = Check(SPEC, run)
