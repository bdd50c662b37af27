"""Shared helpers for checks fed by the audit trail."""

from __future__ import annotations

from collections.abc import Iterable

from assess.model.finding import Ref, RefKind
from assess.model.history import AuditRecord, ChangePath

PR_PATHS = (ChangePath.PR_MERGE, ChangePath.PR_SQUASH, ChangePath.PR_REBASE)


def commit_refs(records: Iterable[AuditRecord]) -> list[Ref]:
    """Commit references for audit records."""
    return [Ref(RefKind.COMMIT, r.sha) for r in records]


def describe(records: Iterable[AuditRecord], limit: int = 3) -> str:
    """'abc1234 "subject" (author)', for messages."""
    return "; ".join(f'{r.sha[:7]} "{r.subject[:60]}" ({r.author_email})' for r in list(records)[:limit])


def initial_import(record: AuditRecord) -> bool:
    """The root commit: it cannot have gone through a pull request."""
    return not record.parents
