"""Offline cluster snapshots: the tool's own (with access records) or a user's `kubectl get … -o yaml` List."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from assess.collectors.cluster.resources import WANTED, sanitize
from assess.collectors.yaml_docs import load_documents
from assess.model.cluster import AccessStatus, ClusterEvidence, ResourceAccess
from assess.model.codec import from_plain, to_plain
from assess.model.provenance import Provenance, Source

MAX_SNAPSHOT_BYTES = 256 * 1024 * 1024  # parsed YAML costs ~10x its bytes


class SnapshotError(Exception):
    """A snapshot file that cannot be used; the message says why."""


def dump_snapshot(clusters: list[ClusterEvidence]) -> str:
    """One `kind: List` document per cluster, with the tool's access record beside the items."""
    docs = []
    for c in clusters:
        docs.append({
            "apiVersion": "v1", "kind": "List", "metadata": {},
            "gitopsAssess": {"context": c.name, "serverVersion": c.server_version,
                             "takenAt": c.provenance.obtained_at,
                             "access": [to_plain(a) for a in c.access],
                             "managedFieldsPresent": c.managed_fields_present},
            "items": list(c.objects),
        })
    return yaml.dump_all(docs, Dumper=yaml.CSafeDumper, sort_keys=False, default_flow_style=False)


def load_snapshot(path: Path, now: datetime) -> list[ClusterEvidence]:
    """Clusters described by a snapshot file; Secret data in a user's file is dropped on reading."""
    try:
        if path.stat().st_size > MAX_SNAPSHOT_BYTES:
            raise SnapshotError(f"{path}: larger than {MAX_SNAPSHOT_BYTES // 2**20} MiB")
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise SnapshotError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise SnapshotError(f"{path}: not UTF-8 text") from exc
    try:
        documents = load_documents(text)
    except ValueError as exc:
        raise SnapshotError(f"{path}: {exc}") from exc
    clusters = []
    for i, doc in enumerate(d for d in documents if d is not None):
        if not isinstance(doc, dict) or not isinstance(doc.get("items"), list):
            raise SnapshotError(f"{path}: document {i + 1} is not a List with items (use `kubectl get … -o yaml`)")
        clusters.append(_cluster(path, i, doc, now))
    if not clusters:
        raise SnapshotError(f"{path}: no List document found")
    return clusters


def _cluster(path: Path, index: int, doc: dict[str, Any], now: datetime) -> ClusterEvidence:
    items = [sanitize(item) for item in doc["items"] if isinstance(item, dict)]
    meta = doc.get("gitopsAssess") if isinstance(doc.get("gitopsAssess"), dict) else None
    if meta is not None:
        access = tuple(from_plain(ResourceAccess, a) for a in meta.get("access") or [])
        name = str(meta.get("context") or f"{path.name}#{index + 1}")
        taken = str(meta.get("takenAt") or now.isoformat())
        version = meta.get("serverVersion")
    else:
        kinds = {(str(i.get("apiVersion", "")).split("/")[0] if "/" in str(i.get("apiVersion", "")) else "",
                  i.get("kind")) for i in items}
        access = tuple(ResourceAccess(w.key, AccessStatus.OK if (w.group, w.kind) in kinds
                                      else AccessStatus.NOT_IN_SNAPSHOT,
                                      message=None if (w.group, w.kind) in kinds else "not in the snapshot file")
                       for w in WANTED)
        name, taken, version = f"{path.name}#{index + 1}" if index else path.name, now.isoformat(), None
    return ClusterEvidence(
        provenance=Provenance(Source.CLUSTER, f"snapshot {path.name}", taken),
        name=name, server_version=version, objects=tuple(items), access=access,
        managed_fields_present=any((i.get("metadata") or {}).get("managedFields") for i in items
                                   if i.get("kind") != "Secret"),
        from_snapshot=True,
    )
