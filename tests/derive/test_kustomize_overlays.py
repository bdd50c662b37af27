"""Kustomize overlays as `kustomize build` applies them: strategic merge by merge key, JSON 6902, one copy per
environment overlay, and a patched value cited at the patch's own line."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assess.derive.images import images
from assess.derive.patching import apply_patch, apply_patch_traced
from assess.model.finding import Outcome
from tests.conftest import Files, catalogued, evidence_of, tree_context

BASE = {"spec": {"template": {"spec": {"containers": [
    {"name": "web", "image": "app:1.0", "env": [{"name": "A", "value": "1"}],
     "ports": [{"containerPort": 8080, "name": "http"}]},
    {"name": "sidecar", "image": "proxy:2.0"}]}}}}


def test_strategic_merge_merges_containers_by_name_and_keeps_the_image() -> None:
    patch = {"kind": "Deployment", "spec": {"template": {"spec": {"containers": [
        {"name": "web", "env": [{"name": "B", "value": "2"}]}]}}}}
    merged, moves = apply_patch_traced(BASE, patch)
    web = merged["spec"]["template"]["spec"]["containers"][0]
    assert web["image"] == "app:1.0", "a settings patch must not drop the base image"
    assert [e["name"] for e in web["env"]] == ["A", "B"]
    assert merged["spec"]["template"]["spec"]["containers"][1]["image"] == "proxy:2.0"
    assert moves["spec.template.spec.containers.0.env.1"] == "spec.template.spec.containers.0.env.0"


def test_patch_directives_nulls_and_json6902() -> None:
    deleted = apply_patch(BASE, {"spec": {"template": {"spec": {"containers": [
        {"name": "sidecar", "$patch": "delete"}]}}}})
    assert [c["name"] for c in deleted["spec"]["template"]["spec"]["containers"]] == ["web"]
    assert "env" not in apply_patch(BASE, {"spec": {"template": {"spec": {"containers": [
        {"name": "web", "env": None}]}}}})["spec"]["template"]["spec"]["containers"][0]
    ops = [{"op": "replace", "path": "/spec/template/spec/containers/0/image", "value": "app:2.0"},
           {"op": "add", "path": "/spec/template/spec/containers/0", "value": {"name": "init", "image": "busy:1"}},
           {"op": "remove", "path": "/spec/template/spec/containers/2"}]
    out, moves = apply_patch_traced(BASE, ops)
    assert [(c["name"], c["image"]) for c in out["spec"]["template"]["spec"]["containers"]] == [
        ("init", "busy:1"), ("web", "app:2.0")]
    assert moves["spec.template.spec.containers.0"] == "1.value"


VERSION = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: simple
spec:
  template:
    spec:
      containers:
      - name: web
        image: docker.io/example/app:{tag}
"""
DEPLOYMENT = VERSION.format(tag="1.0")
SETTINGS = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: simple
spec:
  template:
    spec:
      containers:
      - name: web
        env:
        - name: MODE
          value: {env}
"""


def _promotion_estate(envs: dict[str, str]) -> Files:
    files: Files = {"base/deployment.yml": DEPLOYMENT,
                    "base/kustomization.yml": "resources:\n- deployment.yml\n",
                    "variants/non-prod/kustomization.yml": "apiVersion: kustomize.config.k8s.io/v1alpha1\n"
                                                           "kind: Component\npatchesStrategicMerge:\n- settings.yml\n",
                    "variants/non-prod/settings.yml": SETTINGS.format(env="non-prod")}
    for env, tag in envs.items():
        files[f"envs/{env}/kustomization.yml"] = ("resources:\n- ../../base\ncomponents:\n- ../../variants/non-prod\n"
                                                  "patchesStrategicMerge:\n- version.yml\n- settings.yml\n")
        files[f"envs/{env}/version.yml"] = VERSION.format(tag=tag)
        files[f"envs/{env}/settings.yml"] = SETTINGS.format(env=env)
    return files


def test_each_environment_overlay_deploys_its_own_patched_copy(repo_factory: Callable[[Files], Path]) -> None:
    ctx = tree_context(evidence_of(repo_factory(_promotion_estate({"qa": "1.0", "staging": "2.0", "prod": "3.0"}))))
    assert ctx.deployed is not None
    uses = sorted((u.image, str(u.ref)) for u in images(ctx.deployed))
    assert uses == [("docker.io/example/app:1.0", "envs/qa/version.yml:10"),
                    ("docker.io/example/app:2.0", "envs/staging/version.yml:10"),
                    ("docker.io/example/app:3.0", "envs/prod/version.yml:10")]
    modes = sorted(d.get("spec.template.spec.containers.0.env.0.value") for d in ctx.deployed.docs
                   if d.kind == "Deployment")
    assert modes == ["prod", "qa", "staging"], "the overlay's own patch applies after the component's"
    assert not [d for d in ctx.deployed.docs if d.path.endswith(("version.yml", "settings.yml"))]


def test_a_components_patch_applies_to_what_its_includer_builds(repo_factory: Callable[[Files], Path]) -> None:
    # A Component builds nothing itself: its patches reach the resources of each kustomization that includes it.
    files = _promotion_estate({"qa": "1.0"})
    files["variants/non-prod/settings.yml"] = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: simple
spec:
  template:
    spec:
      containers:
      - name: debug
        image: docker.io/example/debug:latest
"""
    ctx = tree_context(evidence_of(repo_factory(files)))
    assert ctx.deployed is not None
    uses = sorted((u.image, str(u.ref)) for u in images(ctx.deployed))
    assert uses == [("docker.io/example/app:1.0", "envs/qa/version.yml:10"),
                    ("docker.io/example/debug:latest", "variants/non-prod/settings.yml:10")]


def test_a_json6902_patch_file_is_applied_and_cited(repo_factory: Callable[[Files], Path]) -> None:
    # `patches: [{path: image.yml, target: …}]` whose file is a bare list of operations (no kind, no metadata).
    files: Files = {"base/deployment.yml": DEPLOYMENT, "base/kustomization.yml": "resources:\n- deployment.yml\n",
                    "envs/prod/kustomization.yml": "resources:\n- ../../base\npatches:\n- path: image.yml\n"
                                                   "  target:\n    kind: Deployment\n    name: simple\n",
                    "envs/prod/image.yml": "- op: replace\n  path: /spec/template/spec/containers/0/image\n"
                                           "  value: docker.io/example/app:latest\n"}
    ctx = tree_context(evidence_of(repo_factory(files)))
    result = catalogued("images-pinned").run(ctx)
    assert result.outcome is Outcome.FAIL, result.message
    assert "envs/prod/image.yml:3" in [str(r) for r in result.refs], [str(r) for r in result.refs]


def test_a_duplicate_key_in_a_patch_file_is_still_found(repo_factory: Callable[[Files], Path]) -> None:
    files = _promotion_estate({"qa": "1.0"})
    files["envs/qa/version.yml"] = VERSION.format(tag="1.0").replace("        image:", "        image: app:0.9\n"
                                                                       "        image:")
    result = catalogued("no-duplicate-yaml-keys").run(tree_context(evidence_of(repo_factory(files))))
    assert result.outcome is Outcome.FAIL, result.message
    assert [str(r) for r in result.refs] == ["envs/qa/version.yml:11"]


def test_a_credential_set_by_a_component_is_one_finding_not_one_per_overlay(
        repo_factory: Callable[[Files], Path]) -> None:
    files = _promotion_estate({"qa": "1.0", "staging": "2.0"})
    files["variants/non-prod/settings.yml"] = SETTINGS.format(env="non-prod").replace(
        "        - name: MODE", "        - name: DB_PASSWORD\n          value: k9Lq!x3Vv0\n        - name: MODE")
    result = catalogued("no-plaintext-secrets").run(tree_context(evidence_of(repo_factory(files))))
    assert result.outcome is Outcome.FAIL, result.message
    assert [str(r) for r in result.refs] == ["variants/non-prod/settings.yml:12"]
