"""Images and charts where real estates declare them: HelmRelease values, OCI chart sources, Argo CD Helm values,
Kustomize overrides, JSON manifests, OpenShift and template workloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from assess.derive.images import images, is_mutable
from assess.model.finding import Outcome
from tests.conftest import Files, catalogued, evidence_of, tree_context

HELMRELEASE = """apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: echo
spec:
  interval: 30m
  chartRef:
    kind: OCIRepository
    name: app-template
  values:
    controllers:
      echo:
        containers:
          app:
            image:
              repository: ghcr.io/mendhak/http-https-echo
              tag: 37@sha256:f55ea1e3c6e1f4ac4bb1d9b4df9bb1d55e1d0e0d4c2b5b9e0c1f0a1a2b3c4d5e
          sidecar:
            image: docker.io/library/busybox:rolling
"""
OCIREPO = """apiVersion: source.toolkit.fluxcd.io/v1
kind: OCIRepository
metadata:
  name: app-template
spec:
  interval: 15m
  url: oci://ghcr.io/bjw-s-labs/helm/app-template
  ref:
    {ref}
"""


def uses(repo_factory: Callable[[Files], Path], files: Files) -> dict[str, int]:
    return {u.image: u.ref.line or 0 for u in images(evidence_of(repo_factory(files)))}


def test_images_in_helmrelease_values_are_read_with_their_lines(repo_factory: Callable[[Files], Path]) -> None:
    found = uses(repo_factory, {"apps/echo/helmrelease.yaml": HELMRELEASE})
    digest = "sha256:f55ea1e3c6e1f4ac4bb1d9b4df9bb1d55e1d0e0d4c2b5b9e0c1f0a1a2b3c4d5e"
    assert found == {f"ghcr.io/mendhak/http-https-echo:37@{digest}": 17, "docker.io/library/busybox:rolling": 19}
    assert [is_mutable(i) for i in found] == [False, True]  # digest-pinned; `rolling` moves


def test_chart_refs_are_judged_by_their_oci_source(repo_factory: Callable[[Files], Path]) -> None:
    check = catalogued("helm-chart-versions-pinned")
    for ref, outcome in (("tag: 4.4.0", Outcome.PASS), ("semver: '1.x'", Outcome.FAIL),
                         ("semver: '>= 1.8.0-rc.0'", Outcome.FAIL), ("digest: sha256:abc", Outcome.PASS),
                         ("tag: latest", Outcome.FAIL)):
        ctx = tree_context(evidence_of(repo_factory({"apps/echo/helmrelease.yaml": HELMRELEASE,
                                                     "apps/echo/ocirepository.yaml": OCIREPO.format(ref=ref)})))
        found = check.run(ctx)
        assert found.outcome is outcome, (ref, found.message)
        assert str(found.refs[0]) == "apps/echo/ocirepository.yaml:9", "passing or not, the ref is the evidence"
        if outcome is Outcome.FAIL:
            key, _, value = ref.partition(": ")
            assert f"apps/echo/ocirepository.yaml:9 ({key} {value.strip(chr(39))!r})" in found.message


def test_kustomize_overrides_replace_the_base_tag(repo_factory: Callable[[Files], Path]) -> None:
    deployment = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  template:\n"
                  "    spec:\n      containers:\n        - name: podinfo\n"
                  "          image: ghcr.io/stefanprodan/podinfo:5.0.0\n")
    found = uses(repo_factory, {
        "base/deployment.yaml": deployment, "base/kustomization.yaml": "resources:\n  - deployment.yaml\n",
        "prod/kustomization.yaml": "resources:\n  - ../base\nimages:\n  - name: ghcr.io/stefanprodan/podinfo\n"
                                   "    newTag: 6.1.0\n"})
    assert found == {"ghcr.io/stefanprodan/podinfo:6.1.0": 5}


def test_other_workload_shapes_and_sources(repo_factory: Callable[[Files], Path]) -> None:
    json_manifest = json.dumps({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "api"},
                                "spec": {"template": {"spec": {"containers": [{"name": "api",
                                                                               "image": "acme/api:2.1.0"}]}}}})
    dc = ("apiVersion: apps.openshift.io/v1\nkind: DeploymentConfig\nmetadata:\n  name: legacy\nspec:\n  template:\n"
          "    spec:\n      containers:\n        - name: legacy\n          image: quay.io/acme/legacy:latest\n")
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  source:\n"
           "    repoURL: https://charts.example\n    chart: web\n    targetRevision: 1.2.3\n    helm:\n"
           "      values: |\n        image:\n          repository: acme/web\n          tag: edge\n")
    template = ("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n  template:\n"
                "    spec:\n      containers:\n        - name: x\n          image: docker.io/acme/tool:1.0.0\n")
    found = uses(repo_factory, {"k8s/api.json": json_manifest, "k8s/dc.yaml": dc, "argocd/web.yaml": app,
                                "package.json": '{"name": "x"}', "chart/Chart.yaml": "apiVersion: v2\nname: c\n",
                                "chart/templates/deploy.yaml": template})
    assert set(found) >= {"acme/api:2.1.0", "quay.io/acme/legacy:latest", "acme/web:edge"}
    ctx = tree_context(evidence_of(repo_factory({"k8s/dc.yaml": dc})))
    pinned = catalogued("images-pinned").run(ctx)
    assert pinned.outcome is Outcome.FAIL and "quay.io/acme/legacy:latest (k8s/dc.yaml:10)" in pinned.message


def test_values_without_a_tag_leave_the_image_to_the_charts_default(repo_factory: Callable[[Files], Path]) -> None:
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: db\nspec:\n"
               "  chart:\n    spec:\n      chart: mariadb\n      version: 1.2.3\n  values:\n    image:\n"
               "      repository: docker.io/bitnami/mariadb\n    metrics:\n      image:\n"
               "        repository: docker.io/prom/exporter\n        tag: latest\n")
    ctx = tree_context(evidence_of(repo_factory({"apps/db.yaml": release})))
    assert ctx.deployed is not None
    assert [(u.image, str(u.ref)) for u in images(ctx.deployed)] == [("docker.io/prom/exporter:latest",
                                                                       "apps/db.yaml:16")]
