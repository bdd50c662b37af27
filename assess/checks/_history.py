"""Shared helpers for checks fed by the audit trail."""

from __future__ import annotations

from collections.abc import Iterable

from assess.checks._repo import result
from assess.model.check import CheckResult
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind
from assess.model.history import AuditRecord


def commit_refs(records: Iterable[AuditRecord]) -> list[Ref]:
    """Commit references for audit records."""
    return [Ref(RefKind.COMMIT, r.sha) for r in records]


def describe(records: Iterable[AuditRecord], limit: int = 3) -> str:
    """'abc1234 "subject" (author)', for messages."""
    return "; ".join(f'{r.sha[:7]} "{r.subject[:60]}" ({r.author_email})' for r in list(records)[:limit])


def initial_import(record: AuditRecord, ctx: CheckContext | None = None) -> bool:
    """The root commit or the bootstrap that follows it: it cannot have gone through a pull request."""
    return not record.parents or (ctx is not None and record.sha in ctx.bootstrap)


def nothing_to_judge(ctx: CheckContext, what: str, gate: bool = False) -> CheckResult:
    """No record to judge: *unknown* when no environment is identified (the input was not found), *not applicable*
    when environments are known and nothing changed in the period — except for a stage gate, which may only pass
    on evidence: with nothing to judge it stays *unknown* (the stage is provisional on it)."""
    if not ctx.deployment.identified:
        return result(Outcome.UNKNOWN, "No environment identified, so no change can be traced to production (looked "
                      "for reconciler entry points, per-environment folders and CI deploy commands; set "
                      "`environments:` in .gitops-assess.yaml).", confidence=Confidence.INFERRED)
    hist = f" ({ctx.historical.describe()})" if ctx.historical and ctx.historical.count else ""
    if gate:
        return result(Outcome.UNKNOWN, f"No {what} found in {ctx.period_label}{hist}: the gate is not observed in "
                      "the period (widen it with --since).", confidence=Confidence.INFERRED)
    return result(Outcome.NOT_APPLICABLE, f"No {what} found in {ctx.period_label}{hist}.",
                  confidence=Confidence.INFERRED)


def dated(records: Iterable[AuditRecord], limit: int = 10) -> str:
    """'2026-01-05 abc1234 by alice@x "subject"; …' with every exception up to a limit."""
    items = list(records)
    text = "; ".join(f'{r.deployed_at[:10]} {r.sha[:7]} by {r.author_email} "{r.subject[:50]}"' for r in items[:limit])
    return text + (f"; and {len(items) - limit} more" if len(items) > limit else "")
