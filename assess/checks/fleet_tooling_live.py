"""Stage 4 (observed): the control plane knows a fleet of clusters."""

from __future__ import annotations

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="fleet-tooling-live",
    title="The control plane manages a fleet (registered clusters, cluster generators, Cluster API)",
    principle=Principle.RECONCILED,
    severity=Severity.LOW,
    stage=4,
    gates_stage=True,
    failure_modes=(FailureMode.FM4,),
    sources=("cluster",),
    rationale="A fleet shows in the control plane: clusters registered with Argo CD, ApplicationSets generating "
    "per-cluster apps, Cluster API objects, Flux remote kubeconfigs.",
    remediation="Register clusters declaratively (cluster Secrets generated from Cluster API) and drive them with "
    "ApplicationSet cluster generators.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Count registered and Cluster API clusters and cluster generators; pass at the fleet threshold."""
    gap = unreadable(ctx, "core/secrets", "argoproj.io/applicationsets")
    if gap:
        return gap
    registered, capi, generators, refs = set(), set(), 0, []
    clouds: set[str] = set()
    for cluster in clusters(ctx):
        for secret in cluster.of("", "Secret"):
            labels = (secret.get("metadata") or {}).get("labels") or {}
            if labels.get("argocd.argoproj.io/secret-type") == "cluster":
                registered.add(secret["metadata"].get("name"))
                refs.append(obj_ref(cluster, secret))
                clouds |= {labels["cloud"]} if labels.get("cloud") else set()
        for c in cluster.of("cluster.x-k8s.io", "Cluster"):
            capi.add(c["metadata"].get("name"))
            refs.append(obj_ref(cluster, c))
            infra = str(((c.get("spec") or {}).get("infrastructureRef") or {}).get("kind", ""))
            clouds |= {infra.removesuffix("Cluster").lower()} if infra else set()
        for appset in cluster.of("argoproj.io", "ApplicationSet"):
            if "'clusters'" in str((appset.get("spec") or {}).get("generators")):
                generators += 1
                refs.insert(0, obj_ref(cluster, appset))
    fleet = max(len(registered), len(capi), len(clusters(ctx)))
    t = ctx.thresholds
    message = (f"{plural(len(registered), 'registered cluster')}, {plural(len(capi), 'Cluster API cluster')}, "
               f"{plural(generators, 'cluster generator')}, clouds: {', '.join(sorted(clouds)) or 'unknown'}")
    if (fleet >= t.fleet_clusters or len(clouds) >= t.fleet_clouds) and generators:
        return observed(Outcome.PASS, f"Fleet managed from one control plane: {message}.", refs)
    return observed(Outcome.FAIL, f"Not a managed fleet yet: {message}.", refs)


CHECK = Check(SPEC, run)
