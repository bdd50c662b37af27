"""Flux post-build variable substitution (`${var}` in applied manifests), resolved from what Git declares (pure).

Values come from every Flux Kustomization's `spec.postBuild.substitute` and the ConfigMaps its `substituteFrom`
names when they are declared in the repository; a Secret's values are never read. A variable can take several
values (one per cluster); all of them are returned."""

from __future__ import annotations

import itertools
import re
from typing import Any

from assess.model.evidence import RepoEvidence

VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-=])([^}]*))?\}")
MAX_COMBINATIONS = 32


def substitution_values(ev: RepoEvidence) -> dict[str, set[str]]:
    """Each variable's possible values across the repository's Flux Kustomizations."""
    values: dict[str, set[str]] = {}
    config_maps = {d.name: d for d in ev.docs_by_kind.get("ConfigMap", ()) if d.name}
    for doc in ev.docs_by_kind.get("Kustomization", ()):
        if not doc.group.startswith("kustomize.toolkit.fluxcd.io"):
            continue
        _add(values, doc.get("spec.postBuild.substitute"))
        sources = doc.get("spec.postBuild.substituteFrom")
        for source in sources if isinstance(sources, list) else []:
            if isinstance(source, dict) and source.get("kind") == "ConfigMap":
                config_map = config_maps.get(str(source.get("name")))
                if config_map is not None:
                    _add(values, config_map.get("data"))
    return values


def resolve(text: str, values: dict[str, set[str]]) -> list[str] | None:
    """Every string `text` can become after substitution, or None when a variable has no known value (and no
    default): it comes from somewhere Git does not show."""
    names = list(VAR.finditer(text))
    if not names:
        return [text]
    choices: list[list[str]] = []
    for match in names:
        known = sorted(values.get(match.group(1), ()))
        if not known and match.group(2) is not None:
            known = [match.group(3) or ""]
        if not known:
            return None
        choices.append(known)
    out: list[str] = []
    for combo in itertools.islice(itertools.product(*choices), MAX_COMBINATIONS):
        pieces = [text[:names[0].start()]]
        for i, value in enumerate(combo):
            end = names[i + 1].start() if i + 1 < len(names) else len(text)
            pieces += [value, text[names[i].end():end]]
        out.append("".join(pieces))
    return sorted(set(out))


def _add(values: dict[str, set[str]], mapping: Any) -> None:
    if isinstance(mapping, dict):
        for key, value in mapping.items():
            if isinstance(value, (str, int, float)) and not isinstance(value, bool):
                values.setdefault(str(key), set()).add(str(value))
