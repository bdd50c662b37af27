"""Shared reading of live cluster objects: ownership by GitOps tools, sync anchors, managers, images."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from assess.model.check import CheckResult
from assess.model.cluster import AccessStatus, ClusterEvidence
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind

GITOPS_MANAGERS = frozenset({"argocd-controller", "argocd-application-controller", "argocd-applicationset-controller",
                             "kustomize-controller", "gotk-kustomize-controller", "helm-controller"})
SYSTEM_MANAGERS = frozenset({"kube-controller-manager", "kubelet", "kube-scheduler", "before-first-apply"})
SYSTEM_NAMESPACES = frozenset({"kube-system", "kube-public", "kube-node-lease", "argocd", "flux-system",
                               "gatekeeper-system", "kyverno", "cert-manager"})
WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob")


def clusters(ctx: CheckContext) -> tuple[ClusterEvidence, ...]:
    """The clusters of the bundle (the runner guarantees at least one for cluster checks)."""
    if not ctx.evidence.clusters:
        raise LookupError("cluster evidence missing")
    return ctx.evidence.clusters


def obj_ref(cluster: ClusterEvidence, obj: dict[str, Any]) -> Ref:
    """`<cluster>:<kind>/<namespace>/<name>`."""
    meta = obj.get("metadata") or {}
    parts = [str(obj.get("kind")), meta.get("namespace") or "", str(meta.get("name"))]
    return Ref(RefKind.OBJECT, f"{cluster.name}:" + "/".join(p for p in parts if p))


def ident(obj: dict[str, Any]) -> str:
    """kind/namespace/name."""
    meta = obj.get("metadata") or {}
    return "/".join(p for p in (str(obj.get("kind")), meta.get("namespace") or "", str(meta.get("name"))) if p)


def observed(outcome: Outcome, message: str, refs: list[Ref] | None = None) -> CheckResult:
    """A result observed in the cluster."""
    return CheckResult(outcome, message, Confidence.OBSERVED, tuple(dict.fromkeys(refs or ())))


def unreadable(ctx: CheckContext, *resources: str) -> CheckResult | None:
    """UNKNOWN naming the refused resources and the RBAC fix, when any needed resource could not be read."""
    gaps = []
    for c in clusters(ctx):
        for resource in resources:
            access = c.access_of(resource)
            if access is not None and access.status in (AccessStatus.FORBIDDEN, AccessStatus.ERROR,
                                                        AccessStatus.NOT_IN_SNAPSHOT, AccessStatus.PARTIAL):
                gaps.append(f"{c.name}: {resource} {access.status.value}" + (f" ({access.fix})" if access.fix else ""))
    if gaps:
        return CheckResult(Outcome.UNKNOWN, "Not observable: " + "; ".join(gaps), Confidence.OBSERVED)
    return None


def condition(obj: dict[str, Any], kind: str) -> dict[str, Any] | None:
    """A status condition by type."""
    for cond in (obj.get("status") or {}).get("conditions") or []:
        if cond.get("type") == kind:
            return dict(cond)
    return None


def workloads(cluster: ClusterEvidence) -> Iterator[dict[str, Any]]:
    """Top-level workloads outside the system and GitOps-tool namespaces."""
    for kind in WORKLOAD_KINDS:
        for obj in cluster.of("apps" if kind != "CronJob" else "batch", kind):
            if (obj.get("metadata") or {}).get("namespace") not in SYSTEM_NAMESPACES:
                yield obj


@dataclass(frozen=True)
class Ownership:
    """Which GitOps tool manages an object, and since when it last synced it."""

    tool: str
    owner: str
    synced_at: datetime | None


def ownership(cluster: ClusterEvidence) -> dict[str, Ownership]:
    """kind/namespace/name → owner, from Argo CD status.resources and tracking ids, and Flux inventories/labels."""
    owned: dict[str, Ownership] = {}
    for app in cluster.of("argoproj.io", "Application"):
        synced = _ts(((app.get("status") or {}).get("operationState") or {}).get("finishedAt"))
        name = (app.get("metadata") or {}).get("name", "")
        for res in (app.get("status") or {}).get("resources") or []:
            key = "/".join(p for p in (res.get("kind"), res.get("namespace") or "", res.get("name")) if p)
            owned[key] = Ownership("argocd", f"Application {name}", synced)
    for ks in cluster.of("kustomize.toolkit.fluxcd.io", "Kustomization"):
        status = ks.get("status") or {}
        history = status.get("history") or []
        ready = condition(ks, "Ready")
        synced = _ts(history[0].get("lastReconciled") if history else (ready or {}).get("lastTransitionTime"))
        name = (ks.get("metadata") or {}).get("name", "")
        for entry in (status.get("inventory") or {}).get("entries") or []:
            parts = str(entry.get("id", "")).split("_")
            if len(parts) == 4:
                namespace, obj_name, _, kind = parts
                key = "/".join(p for p in (kind, namespace, obj_name) if p)
                owned[key] = Ownership("flux", f"Kustomization {name}", synced)
    for kind in WORKLOAD_KINDS:
        for obj in cluster.of("apps" if kind != "CronJob" else "batch", kind):
            key = ident(obj)
            meta = obj.get("metadata") or {}
            annotations, labels = meta.get("annotations") or {}, meta.get("labels") or {}
            tracking = str(annotations.get("argocd.argoproj.io/tracking-id", ""))
            if key not in owned and tracking.endswith(f":{meta.get('namespace', '')}/{meta.get('name')}"):
                owned[key] = Ownership("argocd", f"tracking-id {tracking.split(':')[0]}", None)
            for tool in ("kustomize", "helm"):
                if key not in owned and labels.get(f"{tool}.toolkit.fluxcd.io/name"):
                    owned[key] = Ownership("flux", f"{tool} {labels[f'{tool}.toolkit.fluxcd.io/name']}", None)
    return owned


def _ts(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_time(value: Any) -> datetime | None:
    """An RFC 3339 timestamp, or None."""
    return _ts(value)


def containers(obj: dict[str, Any]) -> list[dict[str, Any]]:
    """Containers (and init containers) of a workload's pod template."""
    spec = obj.get("spec") or {}
    if obj.get("kind") == "CronJob":
        spec = ((spec.get("jobTemplate") or {}).get("spec") or {})
    pod = ((spec.get("template") or {}).get("spec") or {})
    return [c for c in (pod.get("initContainers") or []) + (pod.get("containers") or []) if isinstance(c, dict)]
