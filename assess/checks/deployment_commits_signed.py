"""FM1: deployment commits carry signatures."""

from __future__ import annotations

from assess.checks._history import commit_refs, describe, nothing_to_judge
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity
from assess.model.history import SignatureType

SPEC = CheckSpec(
    id="deployment-commits-signed",
    title="Deployment commits are signed",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM1,),
    sources=("history",),
    rationale="The reconciler applies whatever the branch says; a signature ties each production change to a key, "
    "so a stolen token cannot pass as a teammate. GitHub web-flow signatures prove only that GitHub made the merge.",
    remediation="Require signed commits on the default branch, have people sign with SSH or GPG keys registered on "
    "GitHub, and let bots sign theirs (Flux `signingKey`, signed Renovate commits).",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail when the signed share of deployments is below the configured threshold."""
    changes = list(ctx.audit_trail)
    if not changes:
        return nothing_to_judge(ctx, "deployment")
    unsigned = [r for r in changes if r.signature is SignatureType.NONE]
    malformed = [r for r in changes if r.signature is SignatureType.MALFORMED]
    webflow = sum(r.webflow_signed for r in changes)
    share = 1 - len(unsigned) / len(changes)
    detail = (f"{share:.0%} of {plural(len(changes), 'deployment')} signed ({webflow} by GitHub web-flow)"
              + (f", {len(malformed)} malformed" if malformed else ""))
    if share < ctx.thresholds.min_signed_share or malformed:
        return result(Outcome.FAIL, f"{detail}; unsigned: {describe(unsigned)}.", commit_refs(unsigned + malformed),
                      Confidence.OBSERVED)
    return result(Outcome.PASS, detail + ".", confidence=Confidence.OBSERVED)


CHECK = Check(SPEC, run)
