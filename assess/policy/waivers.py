"""Apply policy-file waivers to findings (pure): waived findings stay visible, marked with who accepted them."""

from __future__ import annotations

import fnmatch
from collections.abc import Sequence
from dataclasses import replace

from assess.model.finding import Finding, Outcome
from assess.policy.config import Waiver

WAIVABLE = (Outcome.FAIL, Outcome.WARN)


def apply_waivers(findings: Sequence[Finding], waivers: Sequence[Waiver]) -> tuple[Finding, ...]:
    """Mark failing or warning findings that a waiver covers (by check id, and by scope glob over the refs)."""
    out = []
    for finding in findings:
        waiver = next((w for w in waivers if w.check == finding.check_id and _in_scope(finding, w)), None)
        if waiver is not None and finding.outcome in WAIVABLE:
            finding = replace(finding, waived_by=waiver.label())
        out.append(finding)
    return tuple(out)


def _in_scope(finding: Finding, waiver: Waiver) -> bool:
    if waiver.scope is None:
        return True
    scope = waiver.scope
    # Every piece of evidence must be covered: a waiver for one path must not hide a failure elsewhere.
    return bool(finding.refs) and all(fnmatch.fnmatch(str(r), scope) or fnmatch.fnmatch(r.target, scope)
                                      for r in finding.refs)
