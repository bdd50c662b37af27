"""One sentence on the policy a report was judged with, shared by the human-readable formats."""

from __future__ import annotations

from assess.model.sections import PolicySummary


def policy_lines(policy: PolicySummary | None) -> list[str]:
    """Where the policy came from, what it disables and waives, and what a reviewed change tried to weaken."""
    if policy is None or (policy.source == "defaults" and not policy.not_applied):
        return []
    where = policy.file or "defaults"
    lines = [f"Policy: {where}" + (f", {policy.source}" if policy.source.startswith("committed") else "")]
    only = policy.enabled_only
    if only is not None:
        lines.append(f"Only {len(only)} checks enabled: {', '.join(only)}")
    if policy.disabled:
        lines.append(f"Disabled checks: {', '.join(policy.disabled)}")
    for w in policy.waivers:
        scope = f" [{w.scope}]" if w.scope else ""
        lines.append(f"Waiver: {w.check}{scope} — {w.reason} ({w.owner}, until {w.expires})")
    for change in policy.not_applied:
        lines.append(f"Not applied (the reviewed tree's own policy): {change.what} {change.check} — {change.detail}")
    return lines
