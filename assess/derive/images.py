"""Container images a repository declares, wherever real estates put them (pure): workload pod specs (also
PodTemplate, ReplicationController, OpenShift DeploymentConfig, Argo Rollouts), HelmRelease `spec.values` (the
common app-template chart's `controllers.*.containers.*.image`), Argo CD `helm.values`/`valuesObject`, Helm values
files, literal images in chart templates, and Kustomize `images:` overrides, which replace the tag a base names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from assess.model.evidence import FileKind, RepoEvidence, YamlDoc
from assess.model.finding import Ref

WORKLOAD_KINDS = ("Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod", "ReplicaSet", "PodTemplate",
                  "ReplicationController", "DeploymentConfig", "Rollout")
POD_SPEC = {"Pod": "spec", "CronJob": "spec.jobTemplate.spec.template.spec", "PodTemplate": "template.spec"}
# Tags that move: what runs changes without a commit.
MUTABLE_TAGS = frozenset({"", "latest", "main", "master", "stable", "dev", "develop", "edge", "nightly", "rolling",
                          "snapshot", "canary", "head", "trunk", "unstable", "beta", "alpha", "next", "current"})
IMAGE_TEXT = re.compile(r"^[\w.-]+(?::\d+)?(?:/[\w.-]+)+(?::[\w.-]+)?(?:@sha256:[0-9a-f]{64})?$|"
                        r"^[\w.-]+(?::[\w.-]+)(?:@sha256:[0-9a-f]{64})?$|^[\w.-]+@sha256:[0-9a-f]{64}$")
MAX_VALUES_CHARS = 256_000


@dataclass(frozen=True)
class ImageUse:
    """A container image named in a declaration."""

    ref: Ref
    image: str
    owner: str


def pod_spec_path(doc: YamlDoc) -> str | None:
    """Key path of the pod spec inside a workload document."""
    if doc.kind not in WORKLOAD_KINDS:
        return None
    return POD_SPEC.get(doc.kind or "", "spec.template.spec")


def image_tag(image: str) -> tuple[str | None, bool]:
    """(tag, pinned-by-digest) of an image reference (`repo:1.2.3@sha256:…` is pinned by its digest)."""
    if "@sha256:" in image:
        return None, True
    last = image.rsplit("/", 1)[-1]
    return (last.split(":", 1)[1] if ":" in last else None), False


def is_mutable(image: str) -> bool:
    """An untagged image, a moving tag, or a template nobody resolved."""
    tag, digest = image_tag(image)
    if digest:
        return False
    return tag is None or tag.lower() in MUTABLE_TAGS or "{{" in image


def images(ev: RepoEvidence) -> list[ImageUse]:
    """Every image reference, Kustomize overrides applied (the base's tag is not what deploys)."""
    overrides = list(_kustomize_overrides(ev))
    replaced = {name for name, _ in overrides}
    out = [use for use in _declared(ev) if _repository(use.image) not in replaced]
    return out + [use for _, use in overrides]


def _declared(ev: RepoEvidence) -> Iterator[ImageUse]:
    for kind in WORKLOAD_KINDS:
        for doc in ev.docs_by_kind.get(kind, ()):
            yield from _pod_images(doc)
    for doc in ev.docs_by_kind.get("HelmRelease", ()):
        yield from _values_images(doc, doc.get("spec.values"), "spec.values")
    for kind in ("Application", "ApplicationSet"):
        for doc in ev.docs_by_kind.get(kind, ()):
            yield from _argo_helm_images(doc)
    for f in ev.files_by_kind.get(FileKind.HELM_VALUES, ()):
        for doc in ev.docs_by_path.get(f.path, ()):
            yield from _values_images(doc, doc.body, "")
    for f in ev.files_by_kind.get(FileKind.HELM_TEMPLATE, ()):
        for doc in ev.docs_by_path.get(f.path, ()):
            yield from _template_images(doc)


def _pod_images(doc: YamlDoc) -> Iterator[ImageUse]:
    base = pod_spec_path(doc)
    if base is None or doc.body is None:
        return
    for section in ("initContainers", "containers", "ephemeralContainers"):
        containers = doc.get(f"{base}.{section}")
        for i, c in enumerate(containers if isinstance(containers, list) else []):
            if isinstance(c, dict) and isinstance(c.get("image"), str):
                key = f"{base}.{section}.{i}.image"
                yield ImageUse(Ref.file(*doc.where(key)), c["image"], doc.ident)


def _values_images(doc: YamlDoc, node: Any, prefix: str) -> Iterator[ImageUse]:
    """Images in Helm values: `image: {repository, tag|digest}` (also with `registry`) and `image: "repo:tag"`."""
    if isinstance(node, dict):
        repo_name = node.get("repository")
        if isinstance(repo_name, str) and repo_name and ({"tag", "digest"} & set(node) or prefix.endswith("image")):
            registry = node.get("registry")
            full = f"{registry}/{repo_name}" if isinstance(registry, str) and registry else repo_name
            tag, digest = node.get("tag"), node.get("digest")
            if tag in (None, "") and not digest:
                return  # no tag in the values: the chart's default applies (its appVersion, pinned by the chart)
            image = (f"{full}:{tag}@{digest}" if tag and digest else f"{full}@{digest}" if digest else
                     f"{full}:{tag}" if tag not in (None, "") else full)
            at = f"{prefix}.tag" if "tag" in node else f"{prefix}.repository"
            yield ImageUse(Ref.file(*doc.where(at.lstrip("."))), str(image), doc.ident
                           if doc.kind else doc.path)
            return
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key == "image" and isinstance(value, str) and IMAGE_TEXT.match(value.strip()):
                yield ImageUse(Ref.file(*doc.where(path)), value.strip(), doc.ident if doc.kind
                               else doc.path)
            else:
                yield from _values_images(doc, value, path)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _values_images(doc, item, f"{prefix}.{i}")


def _argo_helm_images(doc: YamlDoc) -> Iterator[ImageUse]:
    """Argo CD `helm.valuesObject` and the YAML text of `helm.values`."""
    for base in ("spec.source", "spec.template.spec.source"):
        helm = doc.get(f"{base}.helm")
        if not isinstance(helm, dict):
            continue
        yield from _values_images(doc, helm.get("valuesObject"), f"{base}.helm.valuesObject")
        text = helm.get("values")
        if isinstance(text, str) and len(text) <= MAX_VALUES_CHARS:
            try:
                parsed = yaml.load(text, Loader=yaml.CSafeLoader)
            except yaml.YAMLError:
                continue
            for use in _values_images(doc, parsed, ""):
                yield ImageUse(Ref.file(doc.path, doc.line_of(f"{base}.helm.values")), use.image, use.owner)


def _template_images(doc: YamlDoc) -> Iterator[ImageUse]:
    """Literal images written into chart templates (the lenient reading keeps `key=value` for plain values)."""
    for key, line in doc.lines.items():
        path, sep, value = key.partition("=")
        if sep and path.endswith(".image") and IMAGE_TEXT.match(value):
            yield ImageUse(Ref.file(doc.path, line), value, doc.ident)


def _kustomize_overrides(ev: RepoEvidence) -> Iterator[tuple[str, ImageUse]]:
    """(image name it replaces, the image that deploys) of each kustomization `images:` entry."""
    for f in ev.files_by_kind.get(FileKind.KUSTOMIZATION, ()):
        for doc in ev.docs_by_path.get(f.path, ()):
            entries = doc.get("images")
            for i, entry in enumerate(entries if isinstance(entries, list) else []):
                if not isinstance(entry, dict) or not isinstance(entry.get("name"), str):
                    continue
                name = entry["name"]
                repository = str(entry.get("newName") or name)
                tag, digest = entry.get("newTag"), entry.get("digest")
                image = f"{repository}@{digest}" if digest else f"{repository}:{tag}" if tag else repository
                key = f"images.{i}." + ("digest" if digest else "newTag" if tag else "name")
                yield name, ImageUse(Ref.file(*doc.where(key)), image, f"kustomization {doc.path}")


def _repository(image: str) -> str:
    """An image without its tag or digest."""
    bare = image.split("@", 1)[0]
    head, _, last = bare.rpartition("/")
    return f"{head}/{last.split(':', 1)[0]}" if head else last.split(":", 1)[0]
