"""Fleet tooling: ApplicationSet cluster generators and Flux multi-cluster layouts."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assess.checks._repo import ARGO, FLUX_KUSTOMIZE, docs
from assess.model.evidence import RepoEvidence, YamlDoc
from assess.model.finding import Ref

FLUX_CLUSTER_DIR = re.compile(r"^(?:.*/)?clusters/([^/]+)/")


@dataclass(frozen=True)
class ClusterGenerator:
    """An ApplicationSet that stamps its template onto every matching registered cluster."""

    doc: YamlDoc
    key: str
    selects_all: bool


def cluster_generators(ev: RepoEvidence) -> list[ClusterGenerator]:
    """ApplicationSets with a `clusters` generator, also nested in matrix or merge generators."""
    found: list[ClusterGenerator] = []
    for doc in docs(ev, "ApplicationSet", group=ARGO):
        gens = doc.get("spec.generators")
        for key, gen in _walk_generators(gens, "spec.generators"):
            clusters = gen.get("clusters")
            selector = clusters.get("selector") if isinstance(clusters, dict) else None
            found.append(ClusterGenerator(doc, key, not selector))
        if doc.templated and "spec.generators" in doc.lines and any(".clusters" in k for k in doc.lines):
            found.append(ClusterGenerator(doc, "spec.generators", True))
    return found


def _walk_generators(gens: object, prefix: str) -> list[tuple[str, dict[str, object]]]:
    out: list[tuple[str, dict[str, object]]] = []
    for i, gen in enumerate(gens if isinstance(gens, list) else []):
        if not isinstance(gen, dict):
            continue
        key = f"{prefix}.{i}"
        if "clusters" in gen:
            out.append((f"{key}.clusters", gen))
        for combinator in ("matrix", "merge"):
            inner = gen.get(combinator)
            if isinstance(inner, dict):
                out.extend(_walk_generators(inner.get("generators"), f"{key}.{combinator}.generators"))
    return out


def flux_cluster_dirs(ev: RepoEvidence) -> dict[str, Ref]:
    """`clusters/<name>/` directories that each hold Flux Kustomizations (the Flux fleet layout)."""
    found: dict[str, Ref] = {}
    for doc in docs(ev, "Kustomization", group=FLUX_KUSTOMIZE):
        m = FLUX_CLUSTER_DIR.match(doc.path)
        if m:
            found.setdefault(m.group(1), Ref.file(doc.path, doc.line))
    return found
