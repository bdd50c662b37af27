"""One sentence on the policy a report was judged with, shared by the human-readable formats."""

from __future__ import annotations

from typing import Any


def policy_lines(policy: dict[str, Any]) -> list[str]:
    """Where the policy came from, what it disables and waives, and what a reviewed change tried to weaken."""
    if not policy or (policy.get("source") == "defaults" and not policy.get("not_applied")):
        return []
    where = policy.get("file") or "defaults"
    source = str(policy.get("source") or "")
    lines = [f"Policy: {where}" + (f", {source}" if source.startswith("committed") else "")]
    disabled = policy.get("disabled") or []
    only = policy.get("enabled_only")
    if only is not None:
        lines.append(f"Only {len(only)} checks enabled: {', '.join(only)}")
    if disabled:
        lines.append(f"Disabled checks: {', '.join(disabled)}")
    for w in policy.get("waivers") or []:
        scope = f" [{w['scope']}]" if w.get("scope") else ""
        lines.append(f"Waiver: {w['check']}{scope} — {w['reason']} ({w['owner']}, until {w['expires']})")
    for change in policy.get("not_applied") or []:
        lines.append(f"Not applied (the reviewed tree's own policy): {change['what']} {change['check']} — "
                     f"{change['detail']}")
    return lines
