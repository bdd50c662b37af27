"""Kustomize overlays as `kustomize build` would apply them, for the fields checks read (pure).

A file an overlay lists under `patches` (or `patchesStrategicMerge`/`patchesJson6902`) holds a partial object: it is
merged into the objects it targets, never judged on its own (a patch setting only `spec.path` is not a Flux
Kustomization without `prune`). A patch reaches only what its kustomization builds; when several overlays patch one
base with different patches, each overlay (a kustomization nothing else builds from) gets its own copy. A base that
some overlay builds unpatched beside patched ones is seen only patched (an approximation)."""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field, replace
from typing import Any

from assess.collectors.yaml_docs import load_documents
from assess.derive.deployment.grouping import closure
from assess.derive.deployment.paths import PathTree, glob_regex, norm
from assess.derive.patching import apply_patch_traced, selects
from assess.model.evidence import FileKind, RepoEvidence, YamlDoc

MAX_PATCH_CHARS = 64_000


@dataclass(frozen=True)
class Patch:
    """One patch of a kustomization, and where it is declared (the patch file, or the kustomization for an inline
    patch, with the lines of its keys)."""

    target: dict[str, Any]
    body: Any
    kustomization: str
    path: str = ""
    line: int = 0
    lines: dict[str, int] = field(default_factory=dict)


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
    (inline `patch:` strings too). Overlays that build one base with different patches (one per environment) each
    get their own copy of the patched object; a patched value cites the patch's file and line."""
    only = patch_only_files(ev)
    patches = [p for doc in _kustomizations(ev) for p in _patches(ev, doc)]
    if not only and not patches:
        return ev
    kept = [d for d in ev.docs if d.path not in only]
    if patches:
        kept = _patched(ev, kept, patches)
    files = tuple(replace(f, kinds=tuple(k for k in f.kinds if k is not FileKind.KUBERNETES)) if f.path in only
                  else f for f in ev.files)
    return replace(ev, files=files, docs=tuple(kept), patch_docs=tuple(d for d in ev.docs if d.path in only))


def _patched(ev: RepoEvidence, docs: list[YamlDoc], patches: list[Patch]) -> list[YamlDoc]:
    tree = PathTree(ev)
    by_folder = {posixpath.dirname(d.path): d for d in _kustomizations(ev)}
    includers = _includers(by_folder)
    scopes = {folder: glob_regex(tuple(_scope(folder, by_folder, includers, tree)))
              for folder in {p.kustomization for p in patches}}
    roots = _roots(by_folder)
    out: list[YamlDoc] = []
    for doc in docs:
        if not (isinstance(doc.body, dict) and doc.kind):
            out.append(doc)
            continue
        # A patch reaches only what its own kustomization builds (its resources, followed).
        mine = [p for p in patches if scopes[p.kustomization].match(doc.path) and selects(p.target, p.body, doc,
                                                                                          doc.body)]
        if not mine:
            out.append(doc)
            continue
        variants = dict.fromkeys(c for c in (_order(mine, depth) for depth in roots.values()) if c)
        for chosen in variants or [tuple(range(len(mine)))]:
            out.append(_apply(doc, [mine[i] for i in chosen]))
    return out


def _includers(by_folder: dict[str, YamlDoc]) -> dict[str, set[str]]:
    """For each Kustomize Component folder, the kustomizations that list it under `components`."""
    out: dict[str, set[str]] = {}
    for folder, doc in by_folder.items():
        for entry in _list(doc.get("components")):
            if isinstance(entry, str):
                out.setdefault(_join(folder, entry), set()).add(folder)
    return out


def _scope(folder: str, by_folder: dict[str, YamlDoc], includers: dict[str, set[str]], tree: PathTree) -> set[str]:
    """What a kustomization's patches reach: what it builds, and for a Component (whose patches apply to the
    resources of whoever includes it) what each including kustomization builds."""
    out = closure(folder, by_folder, tree)
    seen = {folder}
    frontier = [folder]
    while frontier:
        nxt = []
        for current in frontier:
            for parent in includers.get(current, ()):
                if parent not in seen:
                    seen.add(parent)
                    out |= closure(parent, by_folder, tree)
                    nxt.append(parent)
        frontier = nxt
    return out


def _order(patches: list[Patch], depth: dict[str, int]) -> tuple[int, ...]:
    """The patches one overlay applies, innermost kustomization first (a base's own patches before an overlay's)."""
    return tuple(sorted((i for i, p in enumerate(patches) if p.kustomization in depth),
                        key=lambda i: -depth[patches[i].kustomization]))


def _apply(doc: YamlDoc, patches: list[Patch]) -> YamlDoc:
    body: Any = doc.body
    origins = dict(doc.origins)
    for patch in patches:
        body, moves = apply_patch_traced(body, patch.body)
        for merged, own in moves.items():
            origins[merged] = (patch.path, patch.lines.get(own, patch.line))
    return replace(doc, body=body, origins=origins)


def _roots(by_folder: dict[str, YamlDoc]) -> dict[str, dict[str, int]]:
    """Each kustomization nothing else builds from, with the kustomizations it reaches and how deep."""
    children: dict[str, set[str]] = {}
    for folder, doc in by_folder.items():
        for entry in _list(doc.get("resources")) + _list(doc.get("bases")) + _list(doc.get("components")):
            target = _join(folder, entry) if isinstance(entry, str) else None
            if target in by_folder and target != folder:
                children.setdefault(folder, set()).add(target)
    referenced = {c for kids in children.values() for c in kids}
    out: dict[str, dict[str, int]] = {}
    for root in (f for f in by_folder if f not in referenced):
        depth = {root: 0}
        frontier = [root]
        while frontier:
            nxt = []
            for folder in frontier:
                for child in children.get(folder, ()):
                    if child not in depth:
                        depth[child] = depth[folder] + 1
                        nxt.append(child)
            frontier = nxt
        out[root] = depth
    return out


def _patches(ev: RepoEvidence, kustomization: YamlDoc) -> list[Patch]:
    folder = posixpath.dirname(kustomization.path)
    out: list[Patch] = []
    for key in ("patches", "patchesJson6902"):
        for i, entry in enumerate(_list(kustomization.get(key))):
            if not isinstance(entry, dict):
                continue
            raw_target = entry.get("target")
            target: dict[str, Any] = raw_target if isinstance(raw_target, dict) else {}
            if isinstance(entry.get("patch"), str) and len(entry["patch"]) <= MAX_PATCH_CHARS:
                line = kustomization.line_of(f"{key}.{i}.patch")
                try:
                    out += [Patch(target, d, folder, kustomization.path, line) for d in load_documents(entry["patch"])
                            if d is not None]
                except ValueError:
                    continue
            elif isinstance(entry.get("path"), str):
                out += [Patch(target, d.body, folder, d.path, d.line, d.lines)
                        for d in ev.docs_by_path.get(_join(folder, entry["path"]), ()) if d.body is not None]
    for entry in _list(kustomization.get("patchesStrategicMerge")):
        if isinstance(entry, str):
            out += [Patch({}, d.body, folder, d.path, d.line, d.lines)
                    for d in ev.docs_by_path.get(_join(folder, entry), ()) if isinstance(d.body, dict)]
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
