"""Kustomize overlays as `kustomize build` would apply them, for the fields checks read (pure).

A file an overlay lists under `patches` (or `patchesStrategicMerge`/`patchesJson6902`) holds a partial object: it is
merged into the objects it targets, never judged on its own (a patch setting only `spec.path` is not a Flux
Kustomization without `prune`). A patch reaches only what its kustomization builds; when several overlays patch one
base, each is applied in turn to the one copy the checks read (an approximation that keeps what every overlay
sets)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, replace
from typing import Any

from assess.collectors.yaml_docs import load_documents
from assess.derive.deployment.grouping import closure
from assess.derive.deployment.paths import PathTree, glob_regex, norm
from assess.derive.patching import apply_patch, selects
from assess.model.evidence import FileKind, RepoEvidence, YamlDoc

MAX_PATCH_CHARS = 64_000


@dataclass(frozen=True)
class Patch:
    """One patch of a kustomization, and where it is declared."""

    target: dict[str, Any]
    body: Any
    kustomization: str


def patch_only_files(ev: RepoEvidence) -> set[str]:
    """Files that some kustomization uses as a patch and none lists as a resource."""
    patches: set[str] = set()
    resources: set[str] = set()
    for doc in _kustomizations(ev):
        folder = posixpath.dirname(doc.path)
        for entry in _list(doc.get("resources")) + _list(doc.get("bases")) + _list(doc.get("components")):
            if isinstance(entry, str):
                resources.add(_join(folder, entry))
        for path in _patch_paths(doc):
            patches.add(_join(folder, path))
    return patches - resources


def apply_overlays(ev: RepoEvidence) -> RepoEvidence:
    """The tree with patch-only files removed as objects and their patches merged into the objects they target
    (inline `patch:` strings too)."""
    only = patch_only_files(ev)
    patches = [p for doc in _kustomizations(ev) for p in _patches(ev, doc)]
    if not only and not patches:
        return ev
    kept = [d for d in ev.docs if d.path not in only]
    if patches:
        tree = PathTree(ev)
        by_folder = {posixpath.dirname(d.path): d for d in _kustomizations(ev)}
        scopes = {folder: glob_regex(tuple(closure(folder, by_folder, tree)))
                  for folder in {p.kustomization for p in patches}}
        bodies = {id(d): d.body for d in kept if isinstance(d.body, dict) and d.kind}
        for doc in kept:
            if id(doc) not in bodies:
                continue
            for patch in patches:
                # A patch reaches only what its own kustomization builds (its resources, followed).
                if scopes[patch.kustomization].match(doc.path) and selects(patch.target, patch.body, doc,
                                                                           bodies[id(doc)]):
                    bodies[id(doc)] = apply_patch(bodies[id(doc)], patch.body)
        kept = [replace(d, body=bodies[id(d)]) if id(d) in bodies and bodies[id(d)] is not d.body else d
                for d in kept]
    files = tuple(replace(f, kinds=tuple(k for k in f.kinds if k is not FileKind.KUBERNETES)) if f.path in only
                  else f for f in ev.files)
    return replace(ev, files=files, docs=tuple(kept))


def _patches(ev: RepoEvidence, kustomization: YamlDoc) -> list[Patch]:
    folder = posixpath.dirname(kustomization.path)
    out: list[Patch] = []
    for key in ("patches", "patchesJson6902"):
        for entry in _list(kustomization.get(key)):
            if not isinstance(entry, dict):
                continue
            raw_target = entry.get("target")
            target: dict[str, Any] = raw_target if isinstance(raw_target, dict) else {}
            if isinstance(entry.get("patch"), str) and len(entry["patch"]) <= MAX_PATCH_CHARS:
                try:
                    out += [Patch(target, d, folder) for d in load_documents(entry["patch"]) if d is not None]
                except ValueError:
                    continue
            elif isinstance(entry.get("path"), str):
                out += [Patch(target, d.body, folder) for d in ev.docs_by_path.get(_join(folder, entry["path"]), ())
                        if d.body is not None]
    for entry in _list(kustomization.get("patchesStrategicMerge")):
        if isinstance(entry, str):
            out += [Patch({}, d.body, folder) for d in ev.docs_by_path.get(_join(folder, entry), ())
                    if isinstance(d.body, dict)]
    return out


def _patch_paths(doc: YamlDoc) -> list[str]:
    paths = [e for e in _list(doc.get("patchesStrategicMerge")) if isinstance(e, str)]
    for key in ("patches", "patchesJson6902"):
        paths += [e["path"] for e in _list(doc.get(key)) if isinstance(e, dict) and isinstance(e.get("path"), str)]
    return paths


def _kustomizations(ev: RepoEvidence) -> list[YamlDoc]:
    return [d for f in ev.files_by_kind.get(FileKind.KUSTOMIZATION, ()) for d in ev.docs_by_path.get(f.path, ())
            if isinstance(d.body, dict)]


def _join(folder: str, entry: str) -> str:
    return norm(posixpath.join(folder, entry))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
