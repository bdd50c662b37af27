"""Stage 2 (observed): what runs matches what Git declares (image and replicas), object by object."""

from __future__ import annotations

import posixpath

from assess.checks._cluster import clusters, condition, containers, ident, obj_ref, observed
from assess.checks._repo import WORKLOAD_KINDS, docs, files_of, pod_spec_path, repo
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind, YamlDoc
from assess.model.finding import Outcome, Ref, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="git-cluster-drift",
    title="Running workloads match their declarations in Git",
    principle=Principle.RECONCILED,
    severity=Severity.HIGH,
    stage=2,
    sources=("git", "cluster"),
    rationale="Drift is the gap between what Git declares and what runs. Plain manifests are compared field by "
    "field (image, replicas); objects rendered by Kustomize or Helm are judged by their reconciler's own status "
    "(Argo CD OutOfSync resources, Flux HelmRelease Drifted). No Helm or Kustomize plugin is ever run.",
    remediation="Bring each drifted object back to its declaration (enable self-heal), or change Git if the live "
    "value is the right one.",
)


def _plain_manifests(ctx: CheckContext) -> list[YamlDoc]:
    """Workload documents that no Kustomize overlay rewrites (under a kustomization root they are rendered)."""
    ev = repo(ctx)
    roots = {posixpath.dirname(f.path) for f in files_of(ev, FileKind.KUSTOMIZATION)}
    return [d for d in docs(ev, *WORKLOAD_KINDS) if not d.templated and d.body is not None
            and not any(d.path == r or d.path.startswith(r + "/") for r in roots if r)]


def run(ctx: CheckContext) -> CheckResult:
    """Compare plain manifests with live objects; collect reconciler-reported drift."""
    drift: list[str] = []
    refs: list[Ref] = []
    compared = 0
    for doc in _plain_manifests(ctx):
        base = pod_spec_path(doc) or "spec.template.spec"
        declared_images = [c.get("image") for c in doc.get(f"{base}.containers") or [] if isinstance(c, dict)]
        declared_replicas = doc.get("spec.replicas")
        for cluster in clusters(ctx):
            for live in cluster.of("apps" if doc.kind != "CronJob" else "batch", str(doc.kind)):
                meta = live.get("metadata") or {}
                if meta.get("name") != doc.name or (doc.namespace and meta.get("namespace") != doc.namespace):
                    continue
                compared += 1
                live_images = [c.get("image") for c in containers(live)
                               if c.get("name") in {x.get("name") for x in doc.get(f"{base}.containers") or []}]
                diffs = []
                if declared_images and sorted(map(str, declared_images)) != sorted(map(str, live_images)):
                    diffs.append(f"image {', '.join(map(str, declared_images))} → {', '.join(map(str, live_images))}")
                live_replicas = (live.get("spec") or {}).get("replicas")
                if isinstance(declared_replicas, int) and live_replicas != declared_replicas:
                    diffs.append(f"replicas {declared_replicas} → {live_replicas}")
                if diffs:
                    drift.append(f"{cluster.name}:{ident(live)} ({'; '.join(diffs)}; declared in "
                                 f"{doc.path}:{doc.line})")
                    refs += [obj_ref(cluster, live), Ref.file(doc.path, doc.line)]
    for cluster in clusters(ctx):
        for app in cluster.of("argoproj.io", "Application"):
            for res in (app.get("status") or {}).get("resources") or []:
                if res.get("status") == "OutOfSync":
                    compared += 1
                    drift.append(f"{cluster.name}:{res.get('kind')}/{res.get('namespace', '')}/{res.get('name')} "
                                 f"(OutOfSync in Application {app['metadata'].get('name')})")
                    refs.append(obj_ref(cluster, app))
                elif res.get("status") == "Synced":
                    compared += 1
        for release in cluster.of("helm.toolkit.fluxcd.io", "HelmRelease"):
            drifted = condition(release, "Drifted")
            compared += 1
            if drifted and drifted.get("status") == "True":
                drift.append(f"{cluster.name}:HelmRelease/{release['metadata'].get('name')} (Drifted)")
                refs.append(obj_ref(cluster, release))
    if compared == 0:
        return observed(Outcome.NOT_APPLICABLE, "No declared workload found running, and no reconciler status to "
                        "compare.")
    if drift:
        return observed(Outcome.FAIL, f"{plural(len(drift), 'drifted object')}: {'; '.join(drift[:5])}.", refs)
    return observed(Outcome.PASS, f"No drift among {plural(compared, 'compared object')}.")


CHECK = Check(SPEC, run)
