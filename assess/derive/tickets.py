"""Ticket ids named by a change (pure): `JIRA-123`-style keys and `#123` issue references, from commit subjects,
bodies and trailers (`Fixes #12`, `Refs: OPS-1`), pull-request titles and branch names."""

from __future__ import annotations

import re
from collections.abc import Iterable

KEY = re.compile(r"(?<![\w-])([A-Z][A-Z0-9]{1,9}-[1-9]\d{0,8})(?![\w])")
ISSUE = re.compile(r"(?<![\w/&#])#([1-9]\d{0,8})\b")
# Upper-case names of standards and hashes that look like keys but name no ticket.
NOT_TICKETS = frozenset({"SHA", "UTF", "ISO", "RFC", "CVE", "GHSA", "TLS", "SSL", "HTTP", "IPV", "X", "MD", "SOC",
                         "PR"})
SCAN_CHARS = 4000


def ticket_ids(texts: Iterable[str | None], branches: Iterable[str | None] = (),
               own_pr: int | None = None) -> tuple[str, ...]:
    """Ticket ids in the order first named; `#N` of the change's own pull request is not a ticket. Branch names
    give keys only (`feature/OPS-12-x`): their numbers are too often versions."""
    found: list[str] = []
    for text in texts:
        if not text:
            continue
        head = text[:SCAN_CHARS]
        found += [k for k in KEY.findall(head) if k.split("-", 1)[0] not in NOT_TICKETS]
        found += [f"#{n}" for n in ISSUE.findall(head) if own_pr is None or int(n) != own_pr]
    for branch in branches:
        if branch:
            found += [k for k in KEY.findall(branch[:200]) if k.split("-", 1)[0] not in NOT_TICKETS]
    return tuple(dict.fromkeys(found))


__all__ = ["ticket_ids"]
