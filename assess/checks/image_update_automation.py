"""FM3: new images reach Git through automation that opens commits or PRs."""

from __future__ import annotations

import re

from assess.checks._forge import in_forge_words
from assess.checks._repo import FLUX_IMAGE, WORKLOAD_KINDS, deployed, doc_ref, docs, files_of, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="image-update-automation",
    title="Image update automation writes new image versions to Git",
    principle=Principle.PULLED,
    severity=Severity.MEDIUM,
    stage=2,
    failure_modes=(FailureMode.FM3,),
    rationale="When CI publishes an image but nobody updates the declaration, the sync loop keeps enforcing the "
    "old version as 'correct'. Flux image automation, Argo CD Image Updater or Renovate close the gap.",
    remediation="Configure Flux ImageRepository/ImagePolicy/ImageUpdateAutomation, Argo CD Image Updater "
    "annotations, or Renovate/Dependabot for container images.",
)

IMAGE_UPDATER = "argocd-image-updater.argoproj.io/image-list"
OPENS_PR = re.compile(r"peter-evans/create-pull-request|\bgh pr create\b|\bhub pull-request\b")
ABOUT_VERSIONS = re.compile(r"\b(?:image|tag|version|digest|chart)s?\b", re.IGNORECASE)


def run(ctx: CheckContext) -> CheckResult:
    """Pass on Flux image automation, Argo CD Image Updater, or Renovate/Dependabot watching images."""
    ev = deployed(ctx)
    flux = docs(ev, "ImageUpdateAutomation", "ImagePolicy", group=FLUX_IMAGE)
    updater = [d for d in docs(ev, "Application", "ApplicationSet")
               if IMAGE_UPDATER in (d.get("metadata.annotations") or {})
               or IMAGE_UPDATER in (d.get("spec.template.metadata.annotations") or {})]
    found = [doc_ref(d) for d in flux + updater]
    if found:
        return result(Outcome.PASS, "Image update automation declared (Flux image automation or Argo CD Image "
                      "Updater).", found)
    bots = [Ref.file(f.path) for f in files_of(ev, FileKind.RENOVATE)]
    bots += [Ref.file(d.path, d.line) for d in ev.docs
             if d.path.startswith(".github/dependabot") and "docker" in str(d.body)]
    if bots:
        return result(Outcome.PASS, "Renovate or Dependabot keeps image references current.", bots)
    home_made = _scheduled_updaters(ctx)
    if home_made:
        return result(Outcome.WARN, in_forge_words(ctx, "A scheduled workflow opens pull requests that update "
                                                   "versions") + ": image updates reach Git through review, but what "
                      "it watches is not declared where the report can verify it (Renovate, Dependabot or a "
                      "reconciler's image automation can be).", home_made)
    if not docs(ev, *WORKLOAD_KINDS) and not files_of(ev, FileKind.HELM_VALUES):
        return result(Outcome.NOT_APPLICABLE, "No workloads or values declaring images.")
    return result(Outcome.FAIL, "No image update automation: new images depend on someone editing the tag.")


def _scheduled_updaters(ctx: CheckContext) -> list[Ref]:
    """Workflows run on a schedule that open pull requests about images, tags or versions."""
    out: list[Ref] = []
    for f in files_of(repo(ctx), FileKind.GITHUB_WORKFLOW):
        for doc in repo(ctx).docs_by_path.get(f.path, ()):
            triggers = doc.get("on")
            scheduled = isinstance(triggers, dict) and "schedule" in triggers
            text = str(doc.body)
            if scheduled and OPENS_PR.search(text) and ABOUT_VERSIONS.search(text):
                out.append(doc_ref(doc, "on.schedule"))
    return out


CHECK = Check(SPEC, run)
