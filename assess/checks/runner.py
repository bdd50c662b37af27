"""Run the catalog over an evidence bundle: sources missing give unknown, a raising check gives error."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from assess.checks.catalog import Check
from assess.model.context import CheckContext
from assess.model.evidence import Source, Unavailable
from assess.model.finding import Confidence, Finding, Outcome

log = logging.getLogger(__name__)


def _missing(ctx: CheckContext, source: Source) -> Unavailable | None:
    """Why a source is missing; a "github" check reads the forge, so GitLab's reason counts for it too."""
    found = ctx.evidence.missing(source)
    if found is None and source is Source.GITHUB and ctx.evidence.github is None:
        return ctx.evidence.missing(Source.GITLAB)
    return found


def run_checks(checks: Iterable[Check], ctx: CheckContext) -> tuple[Finding, ...]:
    """Evaluate each check once; never raises."""
    findings: list[Finding] = []
    for check in checks:
        spec = check.spec
        missing = [_missing(ctx, Source(s)) for s in spec.sources]
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
                                result.confidence, result.refs))
    return tuple(findings)
