"""What a report rests on: the evidence bundle as canonical JSON, and a digest of it linear in its identifiers."""


from __future__ import annotations

import hashlib
import json

from assess.model.codec import to_plain
from assess.model.evidence import (
    EvidenceBundle,
)


def evidence_json(bundle: EvidenceBundle) -> str:
    """The evidence bundle as canonical JSON (sorted keys), as saved with --save-evidence."""
    return json.dumps(to_plain(bundle), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def evidence_digest(bundle: EvidenceBundle) -> str:
    """SHA-256 identifying the evidence a report rests on, in time linear in its identifiers: Git content by commit
    id (which fixes every tree and blob below it), history by its commit ids, and the API and cluster payloads by the
    digest of their canonical JSON. A work-tree scan has no commit to name its files, so its tree is hashed whole."""
    digest = hashlib.sha256()

    def add(label: str, value: object) -> None:
        digest.update(f"{label}\0".encode())
        digest.update(value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape"))
        digest.update(b"\n")

    def payload(value: object) -> str:
        return hashlib.sha256(json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode("utf-8")).hexdigest()

    git = bundle.git
    if git is not None:
        add("git", payload(git) if git.worktree or not git.revision else git.revision)
    history = bundle.history
    if history is not None:
        add("history", f"{history.branch} {history.tip} {history.since} {history.until} {history.total_commits} "
                       f"{history.shallow}")
        add("commits", ",".join(c.sha for c in history.commits))
        add("history-derived", payload((history.environments, history.verification, history.notes,
                                        history.base_trees, history.env_roots)))
    for snap in bundle.snapshots:
        add("snapshot", f"{snap.at} {snap.commit}")
    for name, value in (("github", bundle.forge), ("workflow-audit", bundle.workflow_audit),
                        ("unavailable", bundle.unavailable)):
        if value:
            add(name, payload(value))
    for cluster in bundle.clusters:
        add("cluster", payload(cluster))
    return digest.hexdigest()
