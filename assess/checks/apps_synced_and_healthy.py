"""Stage 2 (observed): the sync loop keeps apps in sync and healthy."""

from __future__ import annotations

from assess.checks._cluster import clusters, condition, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="apps-synced-and-healthy",
    title="Apps are Synced and Healthy (Flux objects Ready)",
    principle=Principle.RECONCILED,
    severity=Severity.MEDIUM,
    stage=2,
    sources=("cluster",),
    rationale="OutOfSync means the cluster differs from Git right now; a loop that cannot converge is drift the "
    "team has learned to live with.",
    remediation="Investigate each OutOfSync or Degraded app (the drift list below), fix the cause in Git, and let "
    "the reconciler converge.",
)

THRESHOLD = 0.9


def run(ctx: CheckContext) -> CheckResult:
    """Share of Argo CD apps Synced+Healthy and Flux Kustomizations/HelmReleases Ready; list the rest."""
    gap = unreadable(ctx, "argoproj.io/applications", "kustomize.toolkit.fluxcd.io/kustomizations")
    if gap:
        return gap
    good, bad, refs = 0, [], []
    for cluster in clusters(ctx):
        for app in cluster.of("argoproj.io", "Application"):
            status = app.get("status") or {}
            sync = (status.get("sync") or {}).get("status")
            health = (status.get("health") or {}).get("status")
            if sync == "Synced" and health == "Healthy":
                good += 1
                continue
            drifted = [f"{r.get('kind')}/{r.get('name')}" for r in status.get("resources") or []
                       if r.get("status") == "OutOfSync"]
            bad.append(f"{cluster.name}:{app['metadata'].get('name')} ({sync}/{health}"
                       + (f": {', '.join(drifted[:3])}" if drifted else "") + ")")
            refs.append(obj_ref(cluster, app))
        for group, kind in (("kustomize.toolkit.fluxcd.io", "Kustomization"), ("helm.toolkit.fluxcd.io",
                                                                               "HelmRelease")):
            for obj in cluster.of(group, kind):
                ready = condition(obj, "Ready")
                if ready and ready.get("status") == "True" and not (obj.get("spec") or {}).get("suspend"):
                    good += 1
                else:
                    reason = (ready or {}).get("reason") or "no Ready condition"
                    bad.append(f"{cluster.name}:{kind}/{obj['metadata'].get('name')} ({reason})")
                    refs.append(obj_ref(cluster, obj))
    total = good + len(bad)
    if total == 0:
        return observed(Outcome.NOT_APPLICABLE, "No reconciled app in the cluster(s).")
    share = good / total
    message = f"{share:.0%} of {total} apps in sync and healthy"
    if not bad:
        return observed(Outcome.PASS, message + ".")
    outcome = Outcome.WARN if share >= THRESHOLD else Outcome.FAIL
    return observed(outcome, f"{message}; out of sync or unhealthy: {'; '.join(bad[:5])}.", refs)


CHECK = Check(SPEC, run)
