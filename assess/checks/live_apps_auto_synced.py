"""Stage 2 (observed): the running apps sync automatically, self-heal and prune."""

from __future__ import annotations

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="live-apps-auto-synced",
    title="Live apps sync automatically, self-heal and prune",
    principle=Principle.PULLED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    sources=("cluster",),
    rationale="What runs in the cluster is what counts: an Application switched to manual sync, or a suspended Flux "
    "Kustomization, silently ends the sync loop even if Git says otherwise.",
    remediation="Re-enable `syncPolicy.automated` with `selfHeal` and `prune` on the listed Applications; resume "
    "suspended Flux objects and set `prune: true`.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on live Argo CD apps without automated/selfHeal/prune and on suspended or non-pruning Flux objects."""
    gap = unreadable(ctx, "argoproj.io/applications", "kustomize.toolkit.fluxcd.io/kustomizations")
    if gap:
        return gap
    total, bad, refs = 0, [], []
    for cluster in clusters(ctx):
        for app in cluster.of("argoproj.io", "Application"):
            total += 1
            automated = ((app.get("spec") or {}).get("syncPolicy") or {}).get("automated")
            ok = isinstance(automated, dict) and automated.get("enabled", True) is not False and \
                automated.get("selfHeal") is True and automated.get("prune") is True
            if not ok:
                bad.append(f"{cluster.name}:{app['metadata'].get('name')}")
                refs.append(obj_ref(cluster, app))
        for group, kind in (("kustomize.toolkit.fluxcd.io", "Kustomization"), ("helm.toolkit.fluxcd.io",
                                                                               "HelmRelease")):
            for obj in cluster.of(group, kind):
                total += 1
                spec = obj.get("spec") or {}
                if spec.get("suspend") is True or (kind == "Kustomization" and spec.get("prune") is not True):
                    bad.append(f"{cluster.name}:{kind}/{obj['metadata'].get('name')}")
                    refs.append(obj_ref(cluster, obj))
    if total == 0:
        return observed(Outcome.FAIL, "No Argo CD Application or Flux object runs in the cluster(s).")
    if bad:
        return observed(Outcome.FAIL, f"{len(bad)} of {total} live units do not auto-sync with self-heal and prune: "
                        f"{', '.join(bad[:5])}.", refs)
    return observed(Outcome.PASS, f"All {total} live units auto-sync with self-heal and prune.")


CHECK = Check(SPEC, run)
