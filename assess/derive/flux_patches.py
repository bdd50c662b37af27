"""Settings a Flux Kustomization patches onto the objects it applies (pure).

A root Kustomization often sets defaults for every child with `spec.patches` (`target: {kind: Kustomization}` with
`prune: true`, or a nested patch giving every HelmRelease drift detection). The children's own YAML does not say
so; judging them from their files alone calls a pruned estate unpruned."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from assess.collectors.yaml_docs import load_documents
from assess.derive.deployment.paths import PathMatcher
from assess.derive.patching import apply_patch, selects
from assess.model.evidence import RepoEvidence, YamlDoc

FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io"
PATCHED_KINDS = frozenset({"Kustomization", "HelmRelease"})
MAX_ROUNDS = 6
MAX_PATCH_CHARS = 64_000


def inherit_patches(ev: RepoEvidence, applied: Callable[[YamlDoc], PathMatcher | None]) -> RepoEvidence:
    """The tree with each Flux Kustomization's and HelmRelease's body as its parents' patches leave it.

    `applied(kustomization)` returns a matcher of the paths that Kustomization applies (None when unknown)."""
    targets = [d for kind in PATCHED_KINDS for d in ev.docs_by_kind.get(kind, ()) if isinstance(d.body, dict)]
    if not targets:
        return ev
    bodies: dict[int, Any] = {id(d): d.body for d in targets}
    parents = [d for d in ev.docs_by_kind.get("Kustomization", ()) if d.group == FLUX_KUSTOMIZE
               and isinstance(d.body, dict)]
    scopes = {id(p): applied(p) for p in parents}
    parsed: dict[int, tuple[Any, list[tuple[dict[str, Any], Any]]]] = {}  # by parent; reparsed when its body changes
    for _ in range(MAX_ROUNDS):  # a parent's patch may give its children patches of their own
        changed = False
        for parent in parents:
            scope = scopes[id(parent)]
            if scope is None:
                continue
            body = bodies.get(id(parent), parent.body)
            known = parsed.get(id(parent))
            if known is None or known[0] is not body:
                known = parsed[id(parent)] = (body, _patches(body))
            patches = known[1]
            if not patches:
                continue
            for doc in targets:
                if doc is parent or not scope.match(doc.path):
                    continue
                new = bodies[id(doc)]
                for target, patch in patches:
                    if selects(target, patch, doc, new):
                        new = apply_patch(new, patch)
                if new != bodies[id(doc)]:
                    bodies[id(doc)] = new
                    changed = True
        if not changed:
            break
    if all(bodies[id(d)] is d.body for d in targets):
        return ev
    return replace(ev, docs=tuple(replace(d, body=bodies[id(d)]) if id(d) in bodies and bodies[id(d)] is not d.body
                                  else d for d in ev.docs))


def _patches(body: Any) -> list[tuple[dict[str, Any], Any]]:
    """(target, parsed patch) of a Flux Kustomization's `spec.patches`."""
    out: list[tuple[dict[str, Any], Any]] = []
    spec = body.get("spec") if isinstance(body, dict) else None
    for entry in spec.get("patches") or [] if isinstance(spec, dict) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("patch"), str):
            continue
        if len(entry["patch"]) > MAX_PATCH_CHARS:
            continue
        try:
            docs = load_documents(entry["patch"])
        except ValueError:
            continue  # an unreadable patch changes nothing we can tell
        raw = entry.get("target")
        target: dict[str, Any] = raw if isinstance(raw, dict) else {}
        out += [(target, doc) for doc in docs if isinstance(doc, (dict, list))]
    return out
