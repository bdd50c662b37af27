"""Applying Kubernetes patches to parsed objects (pure): target selection (kind, name, namespace, label selector),
strategic merge (maps merged, lists replaced) and JSON 6902 `add`/`replace` operations."""

from __future__ import annotations

import re
from typing import Any

from assess.model.evidence import YamlDoc


def selects(target: dict[str, Any], patch: Any, doc: YamlDoc, body: Any) -> bool:
    """Whether a patch's target (or, without one, the patch's own kind and name) selects the document."""
    raw_meta = body.get("metadata") if isinstance(body, dict) else None
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    if not target:
        if not isinstance(patch, dict):
            return False
        raw_own = patch.get("metadata")
        own: dict[str, Any] = raw_own if isinstance(raw_own, dict) else {}
        return patch.get("kind") == doc.kind and own.get("name") == doc.name
    if target.get("kind") and target["kind"] != doc.kind:
        return False
    for key, value in (("name", doc.name), ("namespace", doc.namespace)):
        pattern = target.get(key)
        if isinstance(pattern, str) and not _full_match(pattern, value or ""):
            return False
    selector = target.get("labelSelector")
    if isinstance(selector, str):
        raw_labels = meta.get("labels")
        labels: dict[str, Any] = raw_labels if isinstance(raw_labels, dict) else {}
        if not label_selector_matches(selector, {str(k): str(v) for k, v in labels.items()}):
            return False
    return not isinstance(target.get("annotationSelector"), str)  # not evaluated: do not guess


SELECTOR_TERM = re.compile(r"^\s*(!)?\s*([\w./-]+)\s*(?:(==|=|!=)\s*([\w./-]*)|\s+(in|notin)\s*\(([^)]*)\))?\s*$")


def label_selector_matches(selector: str, labels: dict[str, str]) -> bool:
    """Kubernetes label-selector syntax: `k=v`, `k==v`, `k!=v`, `k`, `!k`, `k in (a,b)`, `k notin (a,b)`.
    A term that does not parse selects nothing (a patch we cannot place is not applied)."""
    terms = re.split(r",(?![^()]*\))", selector)
    for term in (t for t in terms if t.strip()):
        m = SELECTOR_TERM.match(term)
        if m is None:
            return False
        negated, key, op, value, set_op, members = m.groups()
        present = key in labels
        if negated:
            ok = not present and op is None and set_op is None
        elif op in ("=", "=="):
            ok = labels.get(key) == value
        elif op == "!=":
            ok = labels.get(key) != value
        elif set_op:
            allowed = {v.strip() for v in members.split(",") if v.strip()}
            ok = (labels.get(key) in allowed) if set_op == "in" else (labels.get(key) not in allowed)
        else:
            ok = present
        if not ok:
            return False
    return True


def _full_match(pattern: str, value: str) -> bool:
    try:
        return re.fullmatch(pattern, value) is not None
    except re.error:
        return pattern == value


def apply_patch(body: Any, patch: Any) -> Any:
    """A strategic-merge patch (maps merged, lists replaced) or JSON 6902 `add`/`replace` operations."""
    if isinstance(patch, list):
        out = body
        for op in patch:
            if isinstance(op, dict) and op.get("op") in ("add", "replace") and isinstance(op.get("path"), str):
                out = _set(out, [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]],
                           op.get("value"))
        return out
    return _merge(body, {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")})


def _merge(base: Any, patch: Any) -> Any:
    if not isinstance(base, dict) or not isinstance(patch, dict):
        return patch
    merged = dict(base)
    for key, value in patch.items():
        merged[key] = _merge(base.get(key), value) if key in base else value
    return merged


def _set(node: Any, path: list[str], value: Any) -> Any:
    if not path:
        return value
    if isinstance(node, dict):
        return {**node, path[0]: _set(node.get(path[0]), path[1:], value)}
    if node is None:
        return {path[0]: _set(None, path[1:], value)}
    return node
