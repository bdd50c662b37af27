"""Clusters a repository declares as code, and clusters it merely targets (pure).

One explicit list of what declares a cluster's lifecycle, counted per cluster (a root module, a Talos cluster name,
a Cluster API object), never per file that merely mentions one. Modules that add to an existing cluster (addons,
IRSA, Karpenter) and resources that are not Kubernetes clusters (an RDS `DBCluster`, a Crossplane
`ClusterStackInstall`) are not clusters."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assess.model.evidence import FileKind, RepoEvidence, YamlDoc
from assess.model.finding import Ref

LOOKED_FOR = ("Cluster API Cluster, Talos (talconfig.yaml, machine configs), kOps Cluster, eksctl ClusterConfig, "
              "k3s/RKE2 configs and Ansible roles, Crossplane EKS/GKE/AKS clusters, Terraform/OpenTofu "
              "aws_eks_cluster, google_container_cluster, azurerm_kubernetes_cluster, digitalocean_kubernetes_cluster "
              "and the registry cluster modules, Pulumi YAML programs")
CAPI_CLOUD = {"AWS": "aws", "GCP": "gcp", "Azure": "azure", "Vsphere": "vsphere", "Docker": "docker",
              "Hetzner": "hetzner", "OpenStack": "openstack", "DO": "digitalocean", "Metal3": "metal3",
              "Proxmox": "proxmox", "Talos": "talos"}
TF_RESOURCE = re.compile(r'^\s*resource\s+"(aws_eks_cluster|google_container_cluster|azurerm_kubernetes_cluster|'
                         r'digitalocean_kubernetes_cluster|linode_lke_cluster|oci_containerengine_cluster|'
                         r'scaleway_k8s_cluster|ovh_cloud_project_kube|exoscale_sks_cluster|civo_kubernetes_cluster|'
                         r'vultr_kubernetes)"\s+"([^"]+)"', re.MULTILINE)
TF_MODULE = re.compile(r'^\s*module\s+"([^"]+)"\s*\{(?P<body>.*?)^\s*\}', re.MULTILINE | re.DOTALL)
TF_SOURCE = re.compile(r'^\s*source\s*=\s*"([^"]+)"', re.MULTILINE)
# Registry modules that create a cluster; `//modules/…` sub-modules of them add to one (addons, IRSA, node groups),
# except the private/public cluster variants of the GKE module.
CLUSTER_MODULES = {"terraform-aws-modules/eks/aws": "aws", "terraform-google-modules/kubernetes-engine/google": "gcp",
                   "azure/aks/azurerm": "azure", "digitalocean/doks/digitalocean": "digitalocean"}
CLUSTER_SUBMODULES = re.compile(r"//modules/(?:private-cluster|beta-private-cluster|beta-public-cluster|"
                                r"gke-autopilot-cluster|beta-autopilot-private-cluster|beta-autopilot-public-cluster)")
TF_CLOUD = {"aws_": "aws", "google_": "gcp", "azurerm_": "azure", "digitalocean_": "digitalocean", "linode_": "linode",
            "oci_": "oracle", "scaleway_": "scaleway", "ovh_": "ovh", "exoscale_": "exoscale", "civo_": "civo",
            "vultr_": "vultr"}
# Crossplane managed resources that are Kubernetes clusters (group suffix, kind).
CROSSPLANE_CLUSTERS = {("eks.aws.upbound.io", "Cluster"): "aws", ("eks.aws.crossplane.io", "Cluster"): "aws",
                       ("container.gcp.upbound.io", "Cluster"): "gcp",
                       ("container.gcp.crossplane.io", "Cluster"): "gcp",
                       ("containerservice.azure.upbound.io", "KubernetesCluster"): "azure",
                       ("compute.azure.crossplane.io", "AKSCluster"): "azure",
                       ("kubernetes.digitalocean.crossplane.io", "DOKubernetesCluster"): "digitalocean"}
PULUMI_CLUSTERS = {"eks:Cluster": "aws", "aws:eks:Cluster": "aws", "gcp:container:Cluster": "gcp",
                   "azure-native:containerservice:ManagedCluster": "azure",
                   "digitalocean:KubernetesCluster": "digitalocean"}
UPGRADE_KINDS = {("TalosUpgrade", "tuppr"), ("KubernetesUpgrade", "tuppr"), ("Plan", "upgrade.cattle.io")}
ANSIBLE_ROLE = re.compile(r"(?:^|/)roles/((?:[\w.-]*\.)?(k3s|rke2|kubeadm|kubespray|k0s|microk8s)[\w-]*)/")
K3S_KEYS = frozenset({"cluster-init", "tls-san", "write-kubeconfig-mode", "node-label", "disable", "flannel-backend",
                      "server", "token", "cni", "kube-apiserver-arg", "etcd-expose-metrics"})


@dataclass(frozen=True)
class ClusterDecl:
    """A cluster the repository declares (its lifecycle in Git) or only targets (deploys to)."""

    name: str
    ref: Ref
    cloud: str | None = None
    region: str | None = None
    how: str = ""
    lifecycle: bool = True
    template: bool = False  # a Crossplane composition nobody claims yet: it can create clusters, it is none


# Declarations that are Kubernetes objects: they create a cluster only once something applies them.
APPLIED_HOWS = frozenset({"Cluster API", "Crossplane", "Crossplane claim"})


def cluster_declarations(ev: RepoEvidence, applied: RepoEvidence | None = None) -> list[ClusterDecl]:
    """Every cluster whose creation the repository declares, one per cluster. With `applied` (what reconcilers
    apply), a Cluster API or Crossplane object nothing applies (an example beside the estate) is left out."""
    found: dict[str, ClusterDecl] = {}
    kept = {d.path for d in applied.docs} if applied is not None else None
    for decl in (*_capi(ev), *_kops_eksctl(ev), *_talos(ev), *_k3s(ev), *_crossplane(ev), *_terraform(ev),
                 *_pulumi(ev)):
        if kept is None or decl.how not in APPLIED_HOWS or decl.ref.target in kept:
            found.setdefault(f"{decl.how}:{decl.name}", decl)
    return list(found.values())


def targeted_clusters(ev: RepoEvidence) -> list[ClusterDecl]:
    """Clusters the repository deploys to without declaring them: Argo CD cluster secrets, Flux spokes reached
    through `spec.kubeConfig`, and `clusters/<name>/` folders."""
    out: dict[str, ClusterDecl] = {}
    for doc in ev.docs_by_kind.get("Secret", ()):
        labels = doc.get("metadata.labels") or {}
        if isinstance(labels, dict) and labels.get("argocd.argoproj.io/secret-type") == "cluster":
            name = doc.name or doc.path
            out.setdefault(name, ClusterDecl(name, _ref(doc), labels.get("cloud"), labels.get("region"),
                                             "Argo CD cluster secret", False))
    for doc in ev.docs_by_kind.get("Kustomization", ()):
        secret = doc.get("spec.kubeConfig.secretRef.name")
        if isinstance(secret, str) and doc.group.startswith("kustomize.toolkit.fluxcd.io"):
            # A spoke whose path is a clusters/<name>/ folder is that folder's cluster, not a second one.
            folder = re.match(r"^(?:\./)?(?:.*/)?clusters/([^/]+)", str(doc.get("spec.path") or ""))
            name = folder.group(1) if folder else f"{doc.namespace or ''}/{secret}".strip("/")
            out.setdefault(f"dir:{name}" if folder else name, ClusterDecl(
                name, _ref(doc, "spec.kubeConfig"), None, None, "Flux spoke (spec.kubeConfig)", False))
            key, hub = _hub(ev, doc)
            out.setdefault(key, hub)
    for f in ev.files:
        match = re.match(r"^(?:.*/)?clusters/([^/]+)/", f.path)
        if match and {FileKind.KUBERNETES, FileKind.KUSTOMIZATION} & set(f.kinds):
            name = match.group(1)
            out.setdefault(f"dir:{name}", ClusterDecl(name, Ref.file(f.path), None, None,
                                                      "clusters/<name>/ folder", False))
    return list(out.values())


def _hub(ev: RepoEvidence, spoke: YamlDoc) -> tuple[str, ClusterDecl]:
    """The cluster whose Flux reconciles a spoke Kustomization: the `clusters/<name>/` folder the spoke is declared
    in, else the folder holding Flux's own bootstrap (`<hub>/flux-system/gotk-sync.yaml`)."""
    folder = re.match(r"^(?:.*/)?clusters/([^/]+)/", spoke.path)
    if folder:
        name = folder.group(1)
        return f"dir:{name}", ClusterDecl(name, _ref(spoke), None, None, "Flux hub (reconciles spokes)", False)
    boots = sorted(d.path for d in ev.docs_by_kind.get("GitRepository", ()) if d.name == "flux-system")
    near = [p for p in boots if posixpath.dirname(posixpath.dirname(p)) == posixpath.dirname(spoke.path)]
    where = (near or boots or [spoke.path])[0]
    base = posixpath.basename(posixpath.dirname(posixpath.dirname(where))) if (near or boots) else ""
    name = base or "hub"
    return f"dir:{name}", ClusterDecl(name, Ref.file(where), None, None, "Flux hub (reconciles spokes)", False)


def lifecycle_objects(ev: RepoEvidence) -> list[Ref]:
    """Objects that upgrade clusters through Git (tuppr TalosUpgrade/KubernetesUpgrade, system-upgrade-controller)."""
    return [_ref(d) for kind, group in UPGRADE_KINDS for d in ev.docs_by_kind.get(kind, ()) if group in d.group]


def _capi(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    for doc in ev.docs_by_kind.get("Cluster", ()):
        if doc.group == "cluster.x-k8s.io":
            infra = str(doc.get("spec.infrastructureRef.kind") or "")
            cloud = next((v for k, v in CAPI_CLOUD.items() if infra.startswith(k)), None)
            labels = doc.get("metadata.labels") or {}
            region = labels.get("region") if isinstance(labels, dict) else None
            yield ClusterDecl(doc.name or doc.path, _ref(doc), cloud, region, "Cluster API")


def _kops_eksctl(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    for doc in ev.docs_by_kind.get("Cluster", ()):
        if doc.group == "kops.k8s.io":
            yield ClusterDecl(doc.name or doc.path, _ref(doc), str(doc.get("spec.cloudProvider") or "") or None,
                              None, "kOps")
    for doc in ev.docs_by_kind.get("ClusterConfig", ()):
        if doc.group == "eksctl.io":
            yield ClusterDecl(doc.name or doc.path, _ref(doc), "aws", doc.get("metadata.region"), "eksctl")


def _talos(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    """talhelper's talconfig.yaml (one cluster), and Talos machine configs, plain or templated (`.yaml.j2`)."""
    for f in ev.files_by_kind.get(FileKind.TALOS, ()):
        doc = next(iter(ev.docs_by_path.get(f.path, ())), None)
        name = None
        if doc is not None and isinstance(doc.body, dict):
            name = doc.body.get("clusterName") or doc.get("cluster.clusterName")
        yield ClusterDecl(str(name or posixpath.dirname(f.path) or "talos"), Ref.file(f.path), None, None, "Talos")


def _k3s(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    roles: dict[str, str] = {}
    for f in ev.files:
        match = ANSIBLE_ROLE.search(f.path)
        if match:
            roles.setdefault(match.group(2), f.path)
    for tool, path in roles.items():
        yield ClusterDecl(tool, Ref.file(path), None, None, f"Ansible role ({tool})")
    for doc in ev.docs:
        if doc.kind is None and isinstance(doc.body, dict) and len(K3S_KEYS & set(doc.body)) >= 2 \
                and posixpath.basename(doc.path).startswith(("config", "k3s", "rke2")):
            yield ClusterDecl(posixpath.dirname(doc.path) or "k3s", _ref(doc), None, None, "k3s/RKE2 config")


def _crossplane(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    """Managed Kubernetes clusters, directly or as resources of a Composition."""
    for doc in ev.docs:
        cloud = _crossplane_cloud(doc.group, doc.kind)
        if cloud is not None:
            yield ClusterDecl(doc.name or doc.path, _ref(doc), cloud, doc.get("spec.forProvider.region"), "Crossplane")
    claims = _claim_kinds(ev)
    for doc in ev.docs_by_kind.get("Composition", ()):
        resources = doc.get("spec.resources") or []
        for i, res in enumerate(resources if isinstance(resources, list) else []):
            base = res.get("base") if isinstance(res, dict) else None
            group = str(base.get("apiVersion") or "").split("/")[0] if isinstance(base, dict) else ""
            cloud = _crossplane_cloud(group, str(base.get("kind") or "")) if isinstance(base, dict) else None
            if cloud is None:
                continue
            # Each claim (or composite resource) of the composition's type is one cluster; without any, the
            # composition is lifecycle as code but no cluster yet.
            composite = str(doc.get("spec.compositeTypeRef.kind") or "")
            made = [d for kind in {composite, claims.get(composite, "")} - {""} for d in ev.docs_by_kind.get(kind, ())]
            for claim in made:
                yield ClusterDecl(claim.name or claim.path, _ref(claim), cloud, None, "Crossplane claim")
            if not made:
                yield ClusterDecl(f"composition {doc.name}", _ref(doc, f"spec.resources.{i}"), cloud, None,
                                  "Crossplane composition", template=True)
            break


def _claim_kinds(ev: RepoEvidence) -> dict[str, str]:
    """Composite kind → claim kind, from CompositeResourceDefinitions."""
    out: dict[str, str] = {}
    for xrd in ev.docs_by_kind.get("CompositeResourceDefinition", ()):
        kind, claim = xrd.get("spec.names.kind"), xrd.get("spec.claimNames.kind")
        if isinstance(kind, str) and isinstance(claim, str):
            out[kind] = claim
    return out


def _crossplane_cloud(group: str, kind: str | None) -> str | None:
    return next((cloud for (g, k), cloud in CROSSPLANE_CLUSTERS.items() if kind == k and group.endswith(g)), None)


def _terraform(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    """Cluster resources and registry cluster modules, one per resource or module block of a root module."""
    for f in ev.files_by_kind.get(FileKind.TERRAFORM, ()):
        text = f.text or ""
        folder = posixpath.dirname(f.path)
        for m in TF_RESOURCE.finditer(text):
            cloud = next((v for k, v in TF_CLOUD.items() if m.group(1).startswith(k)), None)
            line = text[: m.start()].count("\n") + 1
            yield ClusterDecl(f"{folder}/{m.group(1)}.{m.group(2)}".lstrip("/"), Ref.file(f.path, line), cloud,
                              None, "Terraform")
        for m in TF_MODULE.finditer(text):
            source = TF_SOURCE.search(m.group("body"))
            if source is None:
                continue
            registry = source.group(1).lower()
            base, _, sub = registry.partition("//")
            cloud = CLUSTER_MODULES.get(base)
            if cloud is None or (sub and not CLUSTER_SUBMODULES.search(registry)):
                continue  # not a cluster module, or an addon/IRSA sub-module of one
            line = text[: m.start()].count("\n") + 1
            yield ClusterDecl(f"{folder}/module.{m.group(1)}".lstrip("/"), Ref.file(f.path, line), cloud, None,
                              "Terraform module")


def _pulumi(ev: RepoEvidence) -> Iterator[ClusterDecl]:
    """Pulumi YAML programs (`Pulumi.yaml` resources of a cluster type)."""
    for doc in ev.docs:
        if posixpath.basename(doc.path) not in ("Pulumi.yaml", "Pulumi.yml") or not isinstance(doc.body, dict):
            continue
        resources = doc.body.get("resources")
        for name, res in resources.items() if isinstance(resources, dict) else []:
            cloud = PULUMI_CLUSTERS.get(str(res.get("type"))) if isinstance(res, dict) else None
            if cloud is not None:
                yield ClusterDecl(str(name), _ref(doc, f"resources.{name}"), cloud, None, "Pulumi")


def _ref(doc: YamlDoc, key: str | None = None) -> Ref:
    return Ref.file(doc.path, doc.line_of(key) if key else doc.line)
