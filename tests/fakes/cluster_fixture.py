"""Live objects for the sample estates: what Argo CD / Flux clusters running those repositories look like,
including status, managedFields with manual edits, an unmanaged workload and policy reports."""

from __future__ import annotations

from typing import Any

CANARY_TOKEN = "Y2FuYXJ5LWNsdXN0ZXItYmVhcmVyLXRva2Vu"  # base64 of a planted canary; must never reach any output
SYNC = "2026-01-20T10:00:00Z"
AFTER = "2026-01-21T09:15:00Z"
BEFORE = "2026-01-19T16:40:00Z"


def _meta(name: str, namespace: str | None = None, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "uid": f"uid-{namespace}-{name}", "creationTimestamp": "2025-11-01T08:00:00Z",
                            "generation": 3}
    if namespace:
        meta["namespace"] = namespace
    meta.update(extra)
    return meta


def _mf(manager: str, time: str, operation: str = "Update", subresource: str = "",
        fields: dict[str, Any] | None = None) -> dict[str, Any]:
    entry = {"manager": manager, "operation": operation, "apiVersion": "apps/v1", "time": time,
             "fieldsType": "FieldsV1", "fieldsV1": fields or {"f:spec": {"f:template": {}}}}
    if subresource:
        entry["subresource"] = subresource
    return entry


def deployment(name: str, namespace: str, image: str, replicas: int = 2, labels: dict[str, str] | None = None,
               annotations: dict[str, str] | None = None, managed: list[dict[str, Any]] | None = None,
               ready: bool = True) -> dict[str, Any]:
    """A live Deployment with status and managedFields."""
    meta = _meta(name, namespace, labels=labels or {"app.kubernetes.io/name": name})
    if annotations:
        meta["annotations"] = annotations
    meta["managedFields"] = managed or [_mf("kube-controller-manager", SYNC, subresource="status",
                                            fields={"f:status": {}})]
    return {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta,
            "spec": {"replicas": replicas, "selector": {"matchLabels": {"app.kubernetes.io/name": name}},
                     "template": {"spec": {"containers": [{"name": name, "image": image}]}}},
            "status": {"replicas": replicas, "readyReplicas": replicas if ready else 0,
                       "availableReplicas": replicas if ready else 0}}


def _argocd_components() -> list[dict[str, Any]]:
    comps = [deployment(n, "argocd", "quay.io/argoproj/argocd:v3.4.2", 1,
                        labels={"app.kubernetes.io/part-of": "argocd", "app.kubernetes.io/name": n})
             for n in ("argocd-server", "argocd-repo-server", "argocd-applicationset-controller")]
    controller = deployment("argocd-application-controller", "argocd", "quay.io/argoproj/argocd:v3.4.2", 1,
                            labels={"app.kubernetes.io/part-of": "argocd",
                                    "app.kubernetes.io/name": "argocd-application-controller"})
    controller["kind"] = "StatefulSet"
    return [*comps, controller]


def _flux_components() -> list[dict[str, Any]]:
    return [deployment(n, "flux-system", f"ghcr.io/fluxcd/{n}:v1.9.1", 1,
                       labels={"app.kubernetes.io/part-of": "flux", "app.kubernetes.io/instance": "flux-system"})
            for n in ("source-controller", "kustomize-controller", "helm-controller", "notification-controller",
                      "image-reflector-controller", "image-automation-controller")]


def _default_project() -> dict[str, Any]:
    return {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": _meta("default", "argocd"),
            "spec": {"sourceRepos": ["*"], "destinations": [{"server": "*", "namespace": "*"}],
                     "clusterResourceWhitelist": [{"group": "*", "kind": "*"}]}}


def _application(name: str, path: str, namespace: str, synced: bool = True, resources: list[dict[str, Any]] | None = None,
                 destination: str = "https://kubernetes.default.svc") -> dict[str, Any]:
    return {
        "apiVersion": "argoproj.io/v1alpha1", "kind": "Application", "metadata": _meta(name, "argocd"),
        "spec": {"project": "web" if name.startswith("web") else "default",
                 "source": {"repoURL": "https://github.com/acme/deploy.git", "targetRevision": "main", "path": path},
                 "destination": {"server": destination, "namespace": namespace},
                 "syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
        "status": {
            "sync": {"status": "Synced" if synced else "OutOfSync", "revision": "a" * 40},
            "health": {"status": "Healthy"},
            "operationState": {"phase": "Succeeded", "startedAt": "2026-01-20T09:59:58Z", "finishedAt": SYNC,
                               "operation": {"initiatedBy": {"automated": True}}},
            "reconciledAt": SYNC,
            "resources": resources or [],
        },
    }


def stage2_objects() -> list[dict[str, Any]]:
    """Argo CD on one cluster: web in staging and prod, a manual edit and a scale on prod, one unmanaged tool."""
    image = "ghcr.io/acme/web:2.3.9"
    tracking = {"argocd.argoproj.io/tracking-id": "web-prod:apps/Deployment:web-prod/web"}
    # A debugging env var added by `kubectl edit` before the last sync survives: Git does not declare the field.
    prod = deployment("web", "web-prod", image, 4, annotations=tracking, managed=[
        _mf("kubectl-edit", BEFORE, fields={"f:spec": {"f:template": {"f:spec": {}}}}),
        _mf("argocd-controller", SYNC, "Apply"),
        _mf("kube-controller-manager", SYNC, subresource="status", fields={"f:status": {}}),
    ])
    staging = deployment("web", "web-staging", image, 1, annotations={
        "argocd.argoproj.io/tracking-id": "web-staging:apps/Deployment:web-staging/web"},
        managed=[_mf("argocd-controller", SYNC, "Apply")])
    debug = deployment("debug-tools", "ops", "busybox:latest", 1, managed=[_mf("kubectl-create", "2025-12-02T10:00:00Z")])
    resources = [{"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "web-prod", "name": "web",
                  "status": "OutOfSync", "health": {"status": "Healthy"}},
                 {"version": "v1", "kind": "Service", "namespace": "web-prod", "name": "web", "status": "Synced"}]
    return [
        *_argocd_components(),
        _default_project(),
        {"apiVersion": "argoproj.io/v1alpha1", "kind": "AppProject", "metadata": _meta("web", "argocd"),
         "spec": {"sourceRepos": ["https://github.com/acme/web-deploy.git"],
                  "destinations": [{"server": "https://kubernetes.default.svc", "namespace": "web-*"}]}},
        _application("web-prod", "apps/web/overlays/prod", "web-prod", synced=False, resources=resources),
        _application("web-staging", "apps/web/overlays/staging", "web-staging", resources=[
            {"group": "apps", "version": "v1", "kind": "Deployment", "namespace": "web-staging", "name": "web",
             "status": "Synced"}]),
        prod, staging, debug,
    ]


def _ks(name: str, path: str, inventory: list[str]) -> dict[str, Any]:
    return {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": _meta(name, "flux-system"),
            "spec": {"interval": "10m", "prune": True, "suspend": False, "path": path,
                     "sourceRef": {"kind": "GitRepository", "name": "platform"}},
            "status": {"observedGeneration": 3, "lastAppliedRevision": "main@sha1:" + "b" * 40,
                       "lastAttemptedRevision": "main@sha1:" + "b" * 40,
                       "conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                                       "lastTransitionTime": SYNC, "observedGeneration": 3}],
                       "history": [{"lastReconciled": SYNC, "lastReconciledStatus": "ReconciliationSucceeded"}],
                       "inventory": {"entries": [{"id": i, "v": "v1"} for i in inventory]}}}


def _flux_cluster(env: str) -> list[dict[str, Any]]:
    orders = deployment("orders", "orders", "ghcr.io/acme/orders:2.4.2", 3 if env == "production" else 1,
                        labels={"app.kubernetes.io/name": "orders", "kustomize.toolkit.fluxcd.io/name": "apps",
                                "kustomize.toolkit.fluxcd.io/namespace": "flux-system"},
                        managed=[_mf("kustomize-controller", SYNC, "Apply")])
    objects = [
        *_flux_components(),
        {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "GitRepository", "metadata": _meta("platform", "flux-system"),
         "spec": {"url": "https://github.com/acme/platform", "interval": "1m", "ref": {"branch": "main"}},
         "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "Succeeded"}]}},
        _ks("infrastructure", "./infrastructure", ["kyverno_kyverno_helm.toolkit.fluxcd.io_HelmRelease"]),
        _ks("policies", "./policies", ["_disallow-latest-tag_kyverno.io_ClusterPolicy",
                                       "_require-requests_kyverno.io_ClusterPolicy"]),
        _ks("apps", f"./apps/overlays/{env}", ["orders_orders_apps_Deployment", "orders_orders__Service"]),
        {"apiVersion": "helm.toolkit.fluxcd.io/v2", "kind": "HelmRelease", "metadata": _meta("kyverno", "kyverno"),
         "spec": {"interval": "1h", "driftDetection": {"mode": "enabled"},
                  "chart": {"spec": {"chart": "kyverno", "version": "3.3.4"}}},
         "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "UpgradeSucceeded"}]}},
        *[{"apiVersion": "kyverno.io/v1", "kind": "ClusterPolicy", "metadata": _meta(n),
           "spec": {"validationFailureAction": "Enforce", "background": True, "rules": [{"name": n}]},
           "status": {"conditions": [{"type": "Ready", "status": "True"}]}}
          for n in ("disallow-latest-tag", "require-requests")],
        {"apiVersion": "wgpolicyk8s.io/v1alpha2", "kind": "PolicyReport",
         "metadata": _meta("a1b2", "orders", labels={"app.kubernetes.io/managed-by": "kyverno"}),
         "summary": {"pass": 4, "fail": 1 if env == "staging" else 0, "warn": 0, "error": 0, "skip": 0},
         "results": [{"policy": "require-requests", "result": "fail", "severity": "medium",
                      "message": "CPU and memory requests are required."}] if env == "staging" else []},
        orders,
    ]
    if env == "production":
        objects += [
            {"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageRepository", "metadata": _meta("orders", "flux-system"),
             "spec": {"image": "ghcr.io/acme/orders", "interval": "5m"}},
            {"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImagePolicy", "metadata": _meta("orders", "flux-system"),
             "spec": {"imageRepositoryRef": {"name": "orders"}, "policy": {"semver": {"range": "2.x"}}}},
            {"apiVersion": "image.toolkit.fluxcd.io/v1", "kind": "ImageUpdateAutomation",
             "metadata": _meta("platform", "flux-system"),
             "spec": {"git": {"push": {"branch": "image-updates"}}, "sourceRef": {"kind": "GitRepository",
                                                                                  "name": "platform"}}},
            *[{"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster", "metadata": _meta(n, "fleet"),
               "spec": {"infrastructureRef": {"kind": "AWSCluster", "name": n}}, "status": {"phase": "Provisioned"}}
              for n in ("staging", "production")],
        ]
    return objects


def stage3_clusters() -> dict[str, list[dict[str, Any]]]:
    """Flux on production and staging (two contexts)."""
    return {"production": _flux_cluster("production"), "staging": _flux_cluster("staging")}


def stage4_objects() -> list[dict[str, Any]]:
    """The Argo CD hub of a 24-cluster fleet: ApplicationSets, registered clusters, Gatekeeper on the hub."""
    regions = [("aws-euw1", "aws", "eu-west-1"), ("aws-use1", "aws", "us-east-1"),
               ("gcp-euw4", "gcp", "europe-west4"), ("azure-weu", "azure", "westeurope")]
    clusters = [(f"{p}-{i}", cloud, region) for p, cloud, region in regions for i in range(1, 7)]
    secrets = [{"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
                "metadata": _meta(f"cluster-{n}", "argocd", labels={
                    "argocd.argoproj.io/secret-type": "cluster", "cloud": cloud, "region": region,
                    "tier": "workload"}, annotations={"managed-by": "argocd.argoproj.io"}),
                "data": {"name": "", "server": "", "config": CANARY_TOKEN}} for n, cloud, region in clusters]
    apps = [_application(f"policies-{n}", "platform/policies", "gatekeeper-system",
                         destination=f"https://{n}.k8s.acme.example") for n, _, _ in clusters]
    apps.append(_application("fleet-clusters", "fleet/clusters", "fleet"))
    appsets = [{"apiVersion": "argoproj.io/v1alpha1", "kind": "ApplicationSet", "metadata": _meta(name, "argocd"),
                "spec": {"generators": generators, "template": {"spec": {"syncPolicy": {
                    "automated": {"prune": True, "selfHeal": True}}}}}}
               for name, generators in (("platform-policies", [{"clusters": {}}]),
                                        ("team-apps", [{"matrix": {"generators": [
                                            {"clusters": {"selector": {"matchLabels": {"tier": "workload"}}}},
                                            {"git": {"directories": [{"path": "teams/*/overlays/production"}]}}]}}]))]
    constraints = [
        {"apiVersion": "templates.gatekeeper.sh/v1", "kind": "ConstraintTemplate", "metadata": _meta("k8sdisallowedtags"),
         "spec": {"crd": {"spec": {"names": {"kind": "K8sDisallowedTags"}}}}, "status": {"created": True}},
        {"apiVersion": "constraints.gatekeeper.sh/v1beta1", "kind": "K8sDisallowedTags",
         "metadata": _meta("container-image-must-not-have-latest-tag"),
         "spec": {"parameters": {"tags": ["latest"]}},
         "status": {"auditTimestamp": SYNC, "totalViolations": 1, "violations": [
             {"kind": "Pod", "namespace": "legacy", "name": "old-cron", "message": "latest tag",
              "enforcementAction": "deny"}]}},
    ]
    capi = [{"apiVersion": "cluster.x-k8s.io/v1beta2", "kind": "Cluster", "metadata": _meta(n, "fleet",
                                                                                            labels={"region": region}),
             "spec": {"infrastructureRef": {"kind": {"aws": "AWSCluster", "gcp": "GCPCluster",
                                                     "azure": "AzureCluster"}[cloud], "name": n}},
             "status": {"phase": "Provisioned"}} for n, cloud, region in clusters]
    return [*_argocd_components(), _default_project(), *secrets, *apps, *appsets, *constraints, *capi]
