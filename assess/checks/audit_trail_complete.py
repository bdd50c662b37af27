"""Audit: every deployment is attributable to a person and a reason."""

from __future__ import annotations

import re

from assess.checks._forge import in_forge_words
from assess.checks._history import commit_refs, describe, initial_import, nothing_to_judge
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity
from assess.model.history import AuditRecord

SPEC = CheckSpec(
    id="audit-trail-complete",
    title="Every deployment is attributable: a real identity and a PR or ticket",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM1,),
    sources=("history",),
    rationale="SOC 2 CC8.1 and ISO 27001 A.8.32 ask for every production change to be traced to who made it and "
    "why. Shared or placeholder identities and changes without a PR or ticket break the trail.",
    remediation="Commit with personal identities (no root@, localhost or shared accounts) and reference a pull "
    "request or ticket (e.g. OPS-123) in every production change.",
)

ANONYMOUS = re.compile(r"^$|^(root|admin|user|ubuntu|ec2-user|jenkins|ci|deploy|git)@|@(localhost|example\.com|"
                       r"\(none\))$|localdomain$")


def _gaps(r: AuditRecord, ctx: CheckContext) -> list[str]:
    gaps = []
    if ANONYMOUS.search(r.author_email):
        gaps.append("unattributable identity")
    if r.pr_number is None and not r.ticket_refs and not r.is_bot:
        gaps.append(in_forge_words(ctx, "no PR or ticket"))
    return gaps


def run(ctx: CheckContext) -> CheckResult:
    """Fail on deployments with a placeholder identity or with neither PR nor ticket reference."""
    changes = [r for r in ctx.audit_trail if not initial_import(r, ctx)]
    if not changes:
        return nothing_to_judge(ctx, "deployment")
    gaps = [r for r in changes if _gaps(r, ctx)]
    if gaps:
        return result(Outcome.FAIL, f"{len(gaps)} of {plural(len(changes), 'deployment')} are not attributable "
                      f"({', '.join(sorted({g for r in gaps for g in _gaps(r, ctx)}))}): {describe(gaps)}.",
                      commit_refs(gaps), Confidence.INFERRED)
    return result(Outcome.PASS, f"All {plural(len(changes), 'deployment')} name a person and "
                  + in_forge_words(ctx, "a PR or ticket."),
                  confidence=Confidence.INFERRED)


CHECK = Check(SPEC, run)
