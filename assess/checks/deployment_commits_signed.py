"""FM1: deployment commits carry signatures."""

from __future__ import annotations

from assess.checks._forge import forge_tried
from assess.checks._history import commit_refs, describe, nothing_to_judge
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity
from assess.model.forge import TERMS
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


GOOD = frozenset({"G", "U"})  # git's %G? for a good signature (U: good, key of unknown validity)


def run(ctx: CheckContext) -> CheckResult:
    """Fail when the signed share of deployments is below the configured threshold. Without --verify-signatures
    only the presence of a signature header is known, and says so; GitHub web-flow signatures are counted apart
    (they prove GitHub made the merge, not who wrote the change)."""
    changes = list(ctx.audit_trail)
    if not changes:
        return nothing_to_judge(ctx, "deployment")
    verified = any(r.signature_status is not None for r in changes)
    if verified:
        signed = [r for r in changes if r.signature_status in GOOD]
        bad = [r for r in changes if r.signature is not SignatureType.NONE and r.signature_status not in GOOD]
    else:
        signed = [r for r in changes if r.signature not in (SignatureType.NONE, SignatureType.MALFORMED)]
        bad = [r for r in changes if r.signature is SignatureType.MALFORMED]
    webflow = [r for r in signed if r.webflow_signed]
    authors = len(signed) - len(webflow)
    share = len(signed) / len(changes)
    how = "verified" if verified else "signature present (not verified; run --verify-signatures)"
    # GitHub's web-flow key is GitHub's: named on another forge only when it signed something (mirrored history).
    named = bool(webflow) or TERMS[forge_tried(ctx)].webflow_merges
    detail = (f"{share:.0%} of {plural(len(changes), 'deployment')} signed, {how}: {authors} by their authors"
              + (f", {len(webflow)} signed by GitHub on merge (proves GitHub merged it, not who wrote it)"
                 if named else "")
              + (f"; {len(bad)} {'failing verification' if verified else 'malformed'}" if bad else ""))
    confidence = Confidence.OBSERVED if verified else Confidence.INFERRED
    signed_shas = {r.sha for r in signed}
    unsigned = [r for r in changes if r.sha not in signed_shas]
    if share < ctx.thresholds.min_signed_share or bad:
        return result(Outcome.FAIL, f"{detail}; unsigned: {describe(unsigned)}.", commit_refs(unsigned),
                      confidence)
    return result(Outcome.PASS, detail + ".", confidence=confidence)


CHECK = Check(SPEC, run)
