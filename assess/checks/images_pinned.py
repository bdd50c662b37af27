"""FM3: declared images are immutable references, never `latest`."""

from __future__ import annotations

from assess.checks._repo import deployed, plural, result
from assess.checks.catalog import Check
from assess.derive.images import image_tag, images, is_mutable
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

def run(ctx: CheckContext) -> CheckResult:
    """Fail on untagged or mutable tags; report the share pinned by digest."""
    ev = deployed(ctx)
    uses = images(ev)
    if not uses:
        return result(Outcome.NOT_APPLICABLE, "No container image recognised (looked in workload pod specs, "
                      "HelmRelease and Argo CD Helm values, values files, chart templates and Kustomize overrides).")
    mutable = [u for u in uses if is_mutable(u.image)]
    digests = sum(1 for u in uses if image_tag(u.image)[1])
    if mutable:
        sample = ", ".join(f"{u.image} ({u.ref})" for u in mutable[:4]) + (
            f", and {len(mutable) - 4} more" if len(mutable) > 4 else "")
        return result(Outcome.FAIL, f"{len(mutable)} of {plural(len(uses), 'image')} use a mutable tag: {sample}.",
                      [u.ref for u in mutable])
    return result(Outcome.PASS, f"All {plural(len(uses), 'image')} pinned; {digests} by digest.",
                  [u.ref for u in uses])


CHECK = Check(SPEC, run)
