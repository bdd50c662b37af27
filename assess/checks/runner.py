"""Run the catalog over an evidence bundle: sources missing give unknown, a raising check gives error."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from assess.checks.catalog import Check
from assess.model.check import FORGE_SOURCE
from assess.model.context import CheckContext
from assess.model.evidence import Source, Unavailable
from assess.model.finding import Confidence, Finding, Outcome

log = logging.getLogger(__name__)


def _missing(ctx: CheckContext, source: str) -> Unavailable | None:
    """Why a source a check reads is missing; "forge" is whichever forge the repository is on."""
    if source == FORGE_SOURCE:
        return ctx.evidence.missing_forge()
    return ctx.evidence.missing(Source(source))


def run_checks(checks: Iterable[Check], ctx: CheckContext) -> tuple[Finding, ...]:
    """Evaluate each check once; never raises."""
    findings: list[Finding] = []
    for check in checks:
        spec = check.spec
        missing = [_missing(ctx, s) for s in spec.sources]
        gone = [m for m in missing if m is not None]
        if gone:
            reasons = "; ".join(f"{m.source.value}: {m.reason} (fix: {m.fix})" for m in gone)
            findings.append(Finding(spec.id, Outcome.UNKNOWN, spec.severity, f"Not observable: {reasons}",
                                    Confidence.INFERRED, unobserved=tuple(m.source.value for m in gone)))
            continue
        try:
            result = check.run(ctx)
        except Exception as exc:  # a broken check must not stop the assessment
            log.debug("check %s raised", spec.id, exc_info=True)
            findings.append(Finding(spec.id, Outcome.ERROR, spec.severity,
                                    f"check failed internally: {type(exc).__name__}: {exc}",
                                    Confidence.INFERRED))
            continue
        findings.append(Finding(spec.id, result.outcome, result.severity or spec.severity, result.message,
                                result.confidence, result.refs, fix=result.fix))
    return tuple(findings)
