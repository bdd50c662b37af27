"""FM4: one change promotes across environments (Kustomize bases, ApplicationSets)."""

from __future__ import annotations

from assess.checks._repo import ARGO, doc_ref, docs, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="promotion-via-overlays-or-appsets",
    title="Changes promote through shared bases or ApplicationSets, not copies",
    principle=Principle.DECLARATIVE,
    severity=Severity.LOW,
    stage=3,
    failure_modes=(FailureMode.FM4,),
    rationale="At ten or more config PRs a day, copying a change into every environment file breeds review "
    "fatigue and workarounds. Overlays over a shared base, or ApplicationSets, let one PR promote a change.",
    remediation="Factor common manifests into a Kustomize base with per-environment overlays, or generate "
    "per-environment apps with an ApplicationSet.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when Kustomize overlays reference a shared base, or ApplicationSets generate apps; not applicable to a
    single environment (there is nothing to promote to)."""
    ev = repo(ctx)
    if len(ctx.deployment.environments) == 1:
        return result(Outcome.NOT_APPLICABLE, f"One environment ({next(iter(ctx.deployment.environments))}): "
                      "nothing to promote a change across.")
    appsets = docs(ev, "ApplicationSet", group=ARGO)
    overlays: list[Ref] = []
    kust_paths = {f.path for f in files_of(ev, FileKind.KUSTOMIZATION)}
    for doc in (d for d in ev.docs if d.path in kust_paths):
        # One overlay per kustomization, however many of its entries reach a shared base.
        ref = next((Ref.file(doc.path, doc.line_of(f"{key}.{i}"))
                    for key in ("resources", "bases", "components")
                    for i, entry in enumerate(doc.get(key) if isinstance(doc.get(key), list) else [])
                    if isinstance(entry, str) and entry.startswith("../")), None)
        if ref is not None:
            overlays.append(ref)
    if appsets or overlays:
        return result(Outcome.PASS, f"{plural(len(appsets), 'ApplicationSet')} and "
                      f"{plural(len(overlays), 'overlay')} over shared bases.",
                      [doc_ref(d) for d in appsets] + overlays)
    if not files_of(ev, FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART):
        return result(Outcome.NOT_APPLICABLE, "No Kubernetes declarations to promote.")
    return result(Outcome.FAIL, "No Kustomize overlay over a shared base and no ApplicationSet: each environment "
                  "is changed by its own copy.")


CHECK = Check(SPEC, run)
