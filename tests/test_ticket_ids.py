"""Ticket ids come from every place a team writes them: subjects, bodies, trailers, PR titles and branch names."""

from __future__ import annotations

from datetime import UTC, datetime

from assess.derive.audit_trail import build_audit_trail
from assess.derive.tickets import ticket_ids
from assess.model.evidence import Provenance, Source
from assess.model.history import CommitRecord, HistoryEvidence


def _commit(n: int, subject: str, body: str = "", parents: int = 1) -> CommitRecord:
    when = datetime(2026, 2, 1, 9, n, tzinfo=UTC).isoformat()
    return CommitRecord(sha=f"{n:040x}", parents=tuple(f"{n + 100 + i:040x}" for i in range(parents)),
                        author_name="Alice", author_email="alice@acme.example", authored_at=when,
                        committer_name="Alice", committer_email="alice@acme.example", committed_at=when,
                        subject=subject, body=f"{subject}\n\n{body}".strip(), files=(("M", "prod/app.yaml"),))


def test_each_source_gives_its_ticket() -> None:
    commits = [
        _commit(1, "JIRA-123 raise the memory limit"),                                   # subject
        _commit(2, "Raise limits", "Refs: OPS-1"),                                       # trailer
        _commit(3, "Raise limits", "Fixes #12"),                                         # closing keyword
        _commit(4, "Merge pull request #7 from acme/ABC-42-limits", "Raise limits", 2),  # branch name
        _commit(5, "Merge pull request #8 from acme/limits", "Raise limits for INC-9", 2),  # PR title
        _commit(6, "Raise limits (#44)"),  # the squash's own PR number is not a ticket
    ]
    history = HistoryEvidence(Provenance(Source.HISTORY, "t", "2026-02-02T00:00:00+00:00"), "main", commits[-1].sha,
                              tuple(reversed(commits)), environments={"prod": ("prod/**",)})
    tickets = {r.sha[-1]: r.ticket_refs for r in build_audit_trail(history)}
    assert tickets == {"1": ("JIRA-123",), "2": ("OPS-1",), "3": ("#12",), "4": ("ABC-42",), "5": ("INC-9",),
                       "6": ()}


def test_look_alikes_are_not_tickets() -> None:
    assert ticket_ids(["Pin SHA-256 digests, UTF-8 files (CVE-2024-1234 fixed) see acme/app#5"],
                      ["revert-149-gatekeeper", "tune-checkout-41"], own_pr=None) == ()
    assert ticket_ids(["Merge pull request #151 from acme/x"], [], own_pr=151) == ()
    assert ticket_ids(["Add limits (#9)"], ["feature/OPS-77-limits"], own_pr=10) == ("#9", "OPS-77")
