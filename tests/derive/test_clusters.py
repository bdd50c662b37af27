"""Clusters declared as code, counted per cluster, and clusters only targeted."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assess.checks.runner import run_checks
from assess.derive.clusters import cluster_declarations, lifecycle_objects, targeted_clusters
from assess.model.finding import Outcome
from tests.conftest import Files, catalogued, evidence_of, tree_context
from tests.derive.test_deployment import flux_ks

TALCONFIG = "clusterName: home\nendpoint: https://10.0.0.10:6443\nnodes:\n  - hostname: cp1\n    ipAddress: 10.0.0.11\n"
MACHINE = "version: v1alpha1\nmachine:\n  type: {role}\n  token: #{{ secrets.token }}#\ncluster:\n  clusterName: home\n"
UPGRADE = ("apiVersion: tuppr.home-operations.com/v1alpha1\nkind: TalosUpgrade\nmetadata:\n  name: talos\n"
           "spec:\n  talos:\n    version: v1.11.0\n")


def declared(repo_factory: Callable[[Files], Path], files: Files) -> list[str]:
    return sorted(f"{c.how}:{c.cloud or '-'}" for c in cluster_declarations(evidence_of(repo_factory(files))))


def test_talos_in_git_is_cluster_lifecycle_as_code(repo_factory: Callable[[Files], Path]) -> None:
    files: Files = {"talos/talconfig.yaml": TALCONFIG, "kubernetes/apps/tuppr/talos.yaml": UPGRADE,
                    "templates/talos/controlplane.yaml.j2": MACHINE.format(role="controlplane"),
                    "templates/talos/worker.yaml.j2": MACHINE.format(role="worker")}
    ev = evidence_of(repo_factory(files))
    decls = cluster_declarations(ev)
    assert sorted(c.name for c in decls) == ["home", "templates/talos"]  # talhelper's cluster; one templated set
    assert [r.target for r in lifecycle_objects(ev)] == ["kubernetes/apps/tuppr/talos.yaml"]
    finding = catalogued("clusters-declared-as-code").run(tree_context(ev))
    assert finding.outcome is Outcome.PASS and "Talos" in finding.message and "upgrades reconciled" in finding.message


def test_terraform_counts_clusters_not_addon_modules(repo_factory: Callable[[Files], Path]) -> None:
    main = ('module "eks" {\n  source = "terraform-aws-modules/eks/aws"\n  version = "~> 20.0"\n}\n'
            'module "karpenter" {\n  source = "terraform-aws-modules/eks/aws//modules/karpenter"\n}\n'
            'module "irsa" {\n'
            '  source = "terraform-aws-modules/iam/aws//modules/iam-role-for-service-accounts-eks"\n}\n'
            'resource "aws_eks_cluster" "batch" {\n  name = "batch"\n}\n')
    assert declared(repo_factory, {"infra/main.tf": main}) == ["Terraform module:aws", "Terraform:aws"]
    # Mutually exclusive examples are not a fleet (examples/ is left out of the estate).
    files = {f"examples/e{i}/main.tf": 'resource "aws_eks_cluster" "this" {\n  name = "x"\n}\n' for i in range(5)}
    ctx = tree_context(evidence_of(repo_factory({**files, "infra/main.tf": main})))
    scale = run_checks([catalogued("fleet-scale")], ctx)[0]
    assert scale.outcome is Outcome.FAIL and scale.message.startswith("2 clusters on 1 cloud (aws)")


def test_crossplane_counts_kubernetes_clusters_only(repo_factory: Callable[[Files], Path]) -> None:
    rds = ("apiVersion: rds.aws.upbound.io/v1beta1\nkind: DBCluster\nmetadata:\n  name: orders\nspec:\n"
           "  forProvider:\n    region: eu-west-1\n")
    stack = "apiVersion: stacks.crossplane.io/v1alpha1\nkind: ClusterStackInstall\nmetadata:\n  name: provider-aws\n"
    eks = ("apiVersion: eks.aws.upbound.io/v1beta1\nkind: Cluster\nmetadata:\n  name: prod\nspec:\n  forProvider:\n"
           "    region: eu-west-1\n")
    composition = ("apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: gke\nspec:\n"
                   "  resources:\n    - name: cluster\n      base:\n"
                   "        apiVersion: container.gcp.upbound.io/v1beta2\n        kind: Cluster\n")
    assert declared(repo_factory, {"xp/rds.yaml": rds, "xp/stack.yaml": stack}) == []
    assert declared(repo_factory, {"xp/eks.yaml": eks, "xp/gke.yaml": composition}) == [
        "Crossplane composition:gcp", "Crossplane:aws"]


def test_a_composition_is_a_cluster_template_and_its_claims_are_clusters(
        repo_factory: Callable[[Files], Path]) -> None:
    composition = ("apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: gke\nspec:\n"
                   "  compositeTypeRef:\n    apiVersion: platform.example.io/v1\n    kind: XGKECluster\n"
                   "  resources:\n    - name: cluster\n      base:\n"
                   "        apiVersion: container.gcp.upbound.io/v1beta2\n        kind: Cluster\n")
    xrd = ("apiVersion: apiextensions.crossplane.io/v1\nkind: CompositeResourceDefinition\nmetadata:\n"
           "  name: xgkeclusters.platform.example.io\nspec:\n  names:\n    kind: XGKECluster\n"
           "  claimNames:\n    kind: GKECluster\n")
    talos = {"talos/talconfig.yaml": TALCONFIG}
    alone = evidence_of(repo_factory({"xp/composition.yaml": composition, "xp/xrd.yaml": xrd, **talos}))
    ctx = tree_context(alone)
    assert run_checks([catalogued("multiple-clusters")], ctx)[0].message == "One cluster only (home)."
    lifecycle = run_checks([catalogued("clusters-declared-as-code")], ctx)[0]
    assert lifecycle.outcome is Outcome.PASS and "1 composition that can create more" in lifecycle.message
    claims = "".join(f"---\napiVersion: platform.example.io/v1\nkind: GKECluster\nmetadata:\n  name: {n}\n"
                     for n in ("edge-1", "edge-2"))
    with_claims = evidence_of(repo_factory({"xp/composition.yaml": composition, "xp/xrd.yaml": xrd,
                                            "clusters.yaml": claims, **talos}))
    found = run_checks([catalogued("multiple-clusters")], tree_context(with_claims))[0]
    assert found.outcome is Outcome.PASS and found.message.startswith("3 clusters: edge-1, edge-2, home")


def test_nothing_recognised_says_what_was_looked_for(repo_factory: Callable[[Files], Path]) -> None:
    ctx = tree_context(evidence_of(repo_factory({"k8s/ns.yaml": "apiVersion: v1\nkind: Namespace\nmetadata:\n"
                                                 "  name: x\n"})))
    finding = catalogued("clusters-declared-as-code").run(ctx)
    assert finding.outcome is Outcome.FAIL
    assert finding.message.startswith("No cluster declaration recognised (looked for: Cluster API Cluster, Talos")


def test_flux_spokes_are_targeted_clusters_of_a_hub(repo_factory: Callable[[Files], Path]) -> None:
    files: Files = {}
    for env in ("production", "staging"):
        files[f"hub/{env}.yaml"] = flux_ks(f"apps-{env}", f"./clusters/{env}").replace(
            "  sourceRef:", "  kubeConfig:\n    secretRef:\n      name: cluster-kubeconfig\n  sourceRef:").replace(
            "namespace: flux-system", f"namespace: {env}")
        files[f"clusters/{env}/app.yaml"] = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n"
    files["hub/flux-system/gotk-sync.yaml"] = ("apiVersion: source.toolkit.fluxcd.io/v1\nkind: GitRepository\n"
                                               "metadata:\n  name: flux-system\n  namespace: flux-system\n"
                                               "spec:\n  url: https://github.com/acme/fleet\n")
    ev = evidence_of(repo_factory(files))
    targets = targeted_clusters(ev)
    # Each spoke's path is its clusters/<name>/ folder: one cluster each, not a spoke and a folder; the hub whose
    # Flux reconciles them (its bootstrap in hub/flux-system/) is a third cluster.
    assert sorted((c.name, c.how, str(c.ref)) for c in targets) == [
        ("hub", "Flux hub (reconciles spokes)", "hub/flux-system/gotk-sync.yaml"),
        ("production", "Flux spoke (spec.kubeConfig)", "hub/production.yaml:10"),
        ("staging", "Flux spoke (spec.kubeConfig)", "hub/staging.yaml:10")]
    ctx = tree_context(ev)
    plane, many = run_checks([catalogued("fleet-control-plane"), catalogued("multiple-clusters")], ctx)
    assert plane.outcome is Outcome.PASS and "2 spoke clusters" in plane.message
    assert many.outcome is Outcome.PASS and many.message.startswith("3 clusters: hub, production, staging"), \
        many.message


def test_a_spoke_outside_clusters_folders_is_named_by_namespace_and_secret(
        repo_factory: Callable[[Files], Path]) -> None:
    files: Files = {"hub/edge.yaml": flux_ks("edge", "./tenants/edge").replace(
        "  sourceRef:", "  kubeConfig:\n    secretRef:\n      name: edge-kubeconfig\n  sourceRef:").replace(
        "namespace: flux-system", "namespace: edge")}
    assert [c.name for c in targeted_clusters(evidence_of(repo_factory(files)))] == ["edge/edge-kubeconfig", "hub"]


def test_a_claim_no_reconciler_applies_is_no_cluster(repo_factory: Callable[[Files], Path]) -> None:
    claim = ("apiVersion: platform.example.io/v1\nkind: GKECluster\nmetadata:\n  name: {name}\n")
    xrd = ("apiVersion: apiextensions.crossplane.io/v1\nkind: CompositeResourceDefinition\nmetadata:\n"
           "  name: xgkeclusters.platform.example.io\nspec:\n  names:\n    kind: XGKECluster\n"
           "  claimNames:\n    kind: GKECluster\n")
    composition = ("apiVersion: apiextensions.crossplane.io/v1\nkind: Composition\nmetadata:\n  name: gke\nspec:\n"
                   "  compositeTypeRef:\n    apiVersion: platform.example.io/v1\n    kind: XGKECluster\n"
                   "  resources:\n    - name: cluster\n      base:\n"
                   "        apiVersion: container.gcp.upbound.io/v1beta2\n        kind: Cluster\n")
    files: Files = {"clusters/home/flux-system/gotk-sync.yaml": flux_ks("flux-system", "./clusters/home"),
                    "clusters/home/apps.yaml": flux_ks("apps", "./apps"),
                    "apps/kustomization.yaml": "resources:\n  - xrd.yaml\n  - composition.yaml\n  - edge.yaml\n",
                    "apps/xrd.yaml": xrd, "apps/composition.yaml": composition,
                    "apps/edge.yaml": claim.format(name="edge-1"),
                    "apps/crossplane/examples/example.yaml": claim.format(name="example-cluster")}
    ctx = tree_context(evidence_of(repo_factory(files)))
    found = run_checks([catalogued("multiple-clusters")], ctx)[0]
    assert "example-cluster" not in found.message and "edge-1" in found.message
