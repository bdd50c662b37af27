"""FM3: declared images are immutable references, never `latest`."""

from __future__ import annotations

from assess.checks._repo import deployed, image_tag, images, plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="images-pinned",
    title="Container images are pinned (no `latest`, digests preferred)",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM3,),
    rationale="With a mutable tag, Git declares `latest` while the cluster runs whatever was pulled last: the "
    "commit no longer says what runs, and a rollback by revert restores nothing.",
    remediation="Reference images by version tag and, better, by digest (`image: repo@sha256:…`); let image update "
    "automation write the new reference to Git.",
)

MUTABLE = {None, "", "latest", "main", "master", "stable", "dev", "develop", "edge", "nightly"}


def run(ctx: CheckContext) -> CheckResult:
    """Fail on untagged or mutable tags; report the share pinned by digest."""
    ev = deployed(ctx)
    uses = list(images(ev))
    if not uses:
        return result(Outcome.NOT_APPLICABLE, "No container images declared.")
    mutable, digests = [], 0
    for use in uses:
        tag, digest = image_tag(use.image)
        if digest:
            digests += 1
        elif tag in MUTABLE or "{{" in use.image:
            mutable.append(use)
    if mutable:
        sample = ", ".join(f"{u.image} ({u.ref})" for u in mutable[:4])
        return result(Outcome.FAIL, f"{len(mutable)} of {plural(len(uses), 'image')} use a mutable tag: {sample}.",
                      [u.ref for u in mutable])
    return result(Outcome.PASS, f"All {plural(len(uses), 'image')} pinned; {digests} by digest.",
                  [u.ref for u in uses])


CHECK = Check(SPEC, run)
