"""The raw change log for auditors: CSV (one row per deployment change) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Sequence
from typing import Any

from assess.derive.audit_sample import Sample
from assess.model.codec import to_plain
from assess.model.history import AuditRecord
from assess.reporters import inert

COLUMNS = ("sha", "deployed_at", "authored_at", "environments", "change_path", "change_path_confidence",
           "pr_number", "pr_title", "ticket_refs", "author_name", "author_email", "committer_name",
           "committer_email", "co_authors", "is_bot", "bot_kind", "signature", "webflow_signed", "signature_status",
           "is_revert", "reverts_sha", "reverts_pr", "reverted_by", "is_rollback", "is_hotfix", "is_emergency",
           "failed", "failure_detection", "remediated_by", "recovery_hours", "lead_time_hours", "lead_time_source",
           "subject", "files", "parents", "confirmed_by", "approvers", "self_approved", "review_hours", "ci_result",
           "tickets")


def _row(record: AuditRecord) -> dict[str, Any]:
    row: dict[str, Any] = to_plain(record)
    row["tickets"] = row["ticket_refs"]
    return row


def audit_json(records: Sequence[AuditRecord], sample: Sample | None = None) -> str:
    """The audit records as a JSON array; a sample is an object that also names its seed and population size."""
    rows = [_row(r) for r in records]
    data: Any = rows if sample is None else {"population": sample.population, "sample_size": sample.size,
                                             "seed": sample.seed, "records": rows}
    return inert.json_text(json.dumps(data, indent=2, ensure_ascii=False)) + "\n"


def audit_csv(records: Sequence[AuditRecord]) -> str:
    """The audit records as CSV; lists are joined with ';', and cells that a spreadsheet would run are quoted."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for record in records:
        row = _row(record)
        writer.writerow([_cell(row.get(col)) for col in COLUMNS])
    return out.getvalue()


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        value = ";".join(str(v) for v in value)
    text = str(value).lower() if isinstance(value, bool) else str(value)
    # Commit subjects and names are attacker-controlled: never let a spreadsheet evaluate them, nor a terminal
    # that shows the CSV on stdout run their escape sequences.
    return inert.csv_cell(text)
