"""Applying Kubernetes patches to parsed objects (pure): target selection (kind, name, namespace, label selector),
strategic merge (maps merged, lists of objects merged by their merge key, `$patch` directives, null deletes) and
JSON 6902 `add`/`replace`/`remove` operations."""

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
    """A strategic-merge patch or JSON 6902 `add`/`replace`/`remove` operations applied to a body."""
    return apply_patch_traced(body, patch)[0]


def apply_patch_traced(body: Any, patch: Any) -> tuple[Any, dict[str, str]]:
    """The patched body, and for every key path the patch set, the key path in the patch that set it."""
    moves: dict[str, str] = {}
    if isinstance(patch, list):
        out = body
        for i, op in enumerate(patch):
            if not (isinstance(op, dict) and isinstance(op.get("path"), str)):
                continue
            parts = [p.replace("~1", "/").replace("~0", "~") for p in op["path"].split("/")[1:]]
            if op.get("op") in ("add", "replace"):
                out, where = _set(out, parts, op.get("value"), op["op"] == "add")
                moves[where] = f"{i}.value"
            elif op.get("op") == "remove":
                out = _remove(out, parts)
        return out, moves
    own = {k: v for k, v in patch.items() if k not in ("apiVersion", "kind", "metadata")}
    return _merge(body, own, "", "", moves), moves


# Strategic merge: lists of objects merge by their patch merge key (as the Kubernetes API declares it).
MERGE_KEYS = {"ports": "containerPort", "volumeMounts": "mountPath", "volumeDevices": "devicePath"}
DIRECTIVE = "$patch"


def _merge(base: Any, patch: Any, path: str, ppath: str, moves: dict[str, str]) -> Any:
    if isinstance(patch, dict) and patch.get(DIRECTIVE) == "replace":
        patch = {k: v for k, v in patch.items() if k != DIRECTIVE}
        _record(patch, path, ppath, moves)
        return patch
    if isinstance(base, list) and isinstance(patch, list):
        key = _merge_key(path.rpartition(".")[2], base, patch)
        if key is not None:
            return _merge_list(base, patch, key, path, ppath, moves)
    if not isinstance(base, dict) or not isinstance(patch, dict):
        _record(patch, path, ppath, moves)
        return patch
    merged = dict(base)
    for key, value in patch.items():
        sub, psub = _join(path, key), _join(ppath, key)
        if value is None:
            merged.pop(key, None)  # a null in a strategic merge patch deletes the field
        elif key in base:
            merged[key] = _merge(base[key], value, sub, psub, moves)
        else:
            merged[key] = value
            _record(value, sub, psub, moves)
    return merged


def _merge_key(field: str, base: list[Any], patch: list[Any]) -> str | None:
    items = [i for i in base + patch if not (isinstance(i, dict) and i.get(DIRECTIVE))]
    if not items or not all(isinstance(i, dict) for i in items):
        return None
    key = MERGE_KEYS.get(field, "name")
    return key if all(key in i for i in items) else None


def _merge_list(base: list[Any], patch: list[Any], key: str, path: str, ppath: str,
                moves: dict[str, str]) -> list[Any]:
    merged = list(base)
    for j, item in enumerate(patch):
        at = next((i for i, b in enumerate(merged) if b.get(key) == item.get(key)), None)
        if item.get(DIRECTIVE) == "delete":
            if at is not None:
                del merged[at]
            continue
        if at is None:
            merged.append(item)
            _record(item, _join(path, str(len(merged) - 1)), _join(ppath, str(j)), moves)
        else:
            merged[at] = _merge(merged[at], item, _join(path, str(at)), _join(ppath, str(j)), moves)
    return merged


def _record(value: Any, path: str, ppath: str, moves: dict[str, str]) -> None:
    """Every key path under a value taken whole from the patch."""
    moves[path] = ppath
    if isinstance(value, dict):
        for key, sub in value.items():
            _record(sub, _join(path, str(key)), _join(ppath, str(key)), moves)
    elif isinstance(value, list):
        for i, sub in enumerate(value):
            _record(sub, _join(path, str(i)), _join(ppath, str(i)), moves)


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path and key else path or key


def _set(node: Any, path: list[str], value: Any, insert: bool) -> tuple[Any, str]:
    """The node with a value set at a JSON-pointer path (`-` appends; `add` inserts into a list), and the dotted
    key path it landed at."""
    if not path:
        return value, ""
    head, rest = path[0], path[1:]
    if isinstance(node, list):
        index = len(node) if head == "-" else int(head) if head.isdigit() else None
        if index is None or index > len(node):
            return node, ""
        out = list(node)
        if not rest and (insert or index == len(node)):
            out.insert(index, value)
            return out, str(index)
        if index == len(node):
            return node, ""
        out[index], where = _set(node[index], rest, value, insert)
        return out, _join(str(index), where)
    child, where = _set(node.get(head) if isinstance(node, dict) else None, rest, value, insert)
    return {**(node if isinstance(node, dict) else {}), head: child}, _join(head, where)


def _remove(node: Any, path: list[str]) -> Any:
    if not path:
        return node
    head, rest = path[0], path[1:]
    if isinstance(node, list) and head.isdigit() and int(head) < len(node):
        index = int(head)
        return node[:index] + node[index + 1:] if not rest else [
            _remove(n, rest) if i == index else n for i, n in enumerate(node)]
    if isinstance(node, dict) and head in node:
        return {k: v for k, v in node.items() if k != head} if not rest else {**node, head: _remove(node[head], rest)}
    return node
