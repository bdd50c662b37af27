"""FM2: Helm charts are pinned to exact versions."""

from __future__ import annotations

import re

from assess.checks._repo import ARGO, FLUX_HELM, deployed, doc_ref, docs, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.derive.flux_substitutions import VAR, resolve, substitution_values
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind, YamlDoc
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="helm-chart-versions-pinned",
    title="Helm charts are pinned to exact versions",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM2,),
    rationale="A version range lets a chart repository change what the reconciler installs without a commit: a "
    "supply-chain path around review, and an unreproducible history.",
    remediation="Use exact chart versions (`version: 1.2.3` on HelmRelease, `targetRevision: 1.2.3` on Argo CD, "
    "exact `dependencies[].version` in Chart.yaml), updated by Renovate.",
)

FLOATING = re.compile(r"^$|[*xX^~><=|]|\s-\s|^(?:HEAD|latest)$")
EXACT = re.compile(r"^v?\d+\.\d+\.\d+(?:[-+][\w.-]+)?$")


def _floating(version: object) -> bool:
    return version is None or FLOATING.search(str(version).strip()) is not None


def run(ctx: CheckContext) -> CheckResult:
    """Fail on missing or ranged chart versions in HelmReleases, Argo CD Helm sources and Chart.yaml dependencies."""
    ev = deployed(ctx)
    judged: list[Ref] = []
    loose: list[tuple[Ref, str]] = []
    unresolved: list[Ref] = []
    substituted: list[Ref] = []

    variables = substitution_values(repo(ctx))

    def judge(doc: YamlDoc, key: str, pinned: bool) -> None:
        ref = doc_ref(doc, key)
        value = doc.get(key)
        if isinstance(value, str) and VAR.search(value):
            # `${chart_version}`: Flux substitutes it when applying; judge what Git says it becomes.
            candidates = resolve(value, variables)
            if candidates is None:
                substituted.append(ref)
                return
            floating = [c for c in candidates if _floating(c)]
            judged.append(ref)
            if floating:
                loose.append((ref, f"{key.rpartition('.')[2]} {value!r} = {floating[0]!r}"))
            return
        judged.append(ref)
        if not pinned:
            loose.append((ref, f"{key.rpartition('.')[2]} {value!r}" if value not in (None, "") else "no version"))

    charts = {(d.kind, d.name): d for kind in ("OCIRepository", "HelmChart") for d in docs(ev, kind)}
    for doc in docs(ev, "HelmRelease", group=FLUX_HELM):
        if doc.templated:
            continue
        chart_ref = doc.get("spec.chartRef")
        if isinstance(chart_ref, dict):
            # The chart comes from an OCIRepository (or HelmChart): its `ref` decides what is installed.
            target = charts.get((chart_ref.get("kind"), chart_ref.get("name")))
            if target is None:
                unresolved.append(doc_ref(doc, "spec.chartRef"))
            else:
                judge(target, *_source_ref(target))
            continue
        judge(doc, "spec.chart.spec.version", not _floating(doc.get("spec.chart.spec.version")))
    for doc in docs(ev, "Application", group=ARGO):
        sources = doc.get("spec.sources") or ([doc.get("spec.source")] if doc.get("spec.source") else [])
        for i, src in enumerate(sources if isinstance(sources, list) else []):
            if isinstance(src, dict) and src.get("chart"):
                key = f"spec.sources.{i}.targetRevision" if doc.get("spec.sources") else "spec.source.targetRevision"
                judge(doc, key, not _floating(src.get("targetRevision")))
    chart_paths = {f.path for f in files_of(ev, FileKind.HELM_CHART)}
    for doc in (d for d in ev.docs if d.path in chart_paths):
        deps = doc.get("dependencies")
        for i, dep in enumerate(deps if isinstance(deps, list) else []):
            if isinstance(dep, dict):
                judge(doc, f"dependencies.{i}.version", not _floating(dep.get("version")))
    notes = [f"{plural(len(unresolved), 'chartRef')} to a source not declared here not judged"] if unresolved else []
    if substituted:
        notes.append(f"{plural(len(substituted), 'version')} substituted by Flux from values not in Git not judged")
    note = f" ({'; '.join(notes)})" if notes else ""
    if not judged:
        if unresolved or substituted:
            return result(Outcome.UNKNOWN, f"No chart version could be judged{note}.", unresolved + substituted)
        return result(Outcome.NOT_APPLICABLE, "No Helm chart reference recognised (looked in HelmReleases, their "
                      "OCIRepository/HelmChart chartRefs, Argo CD Helm sources and Chart.yaml dependencies).")
    if loose:
        sample = ", ".join(f"{ref} ({what})" for ref, what in loose[:4]) + (
            f", and {len(loose) - 4} more" if len(loose) > 4 else "")
        return result(Outcome.FAIL, f"{len(loose)} of {plural(len(judged), 'chart reference')} float: {sample}{note}.",
                      [ref for ref, _ in loose] + substituted)
    # Pinned where Git shows the value; a substitution from outside Git is a caveat, not a pass.
    outcome = Outcome.WARN if substituted else Outcome.PASS
    return result(outcome, f"All {plural(len(judged), 'chart reference')} pinned to exact versions{note}.",
                  judged + substituted)


def _source_ref(doc: YamlDoc) -> tuple[str, bool]:
    """(key path, pinned?) of an OCIRepository `ref` (digest or exact tag pinned; semver range, `latest` or no ref
    floats) or a HelmChart `version`."""
    if doc.kind == "HelmChart":
        return "spec.version", not _floating(doc.get("spec.version"))
    if doc.get("spec.ref.digest"):
        return "spec.ref.digest", True
    semver = doc.get("spec.ref.semver")
    if semver is not None:
        return "spec.ref.semver", not _floating(semver) and EXACT.match(str(semver).strip()) is not None
    tag = doc.get("spec.ref.tag")
    if tag is not None:
        return "spec.ref.tag", str(tag).strip().lower() not in ("", "latest")
    return "spec.ref", False  # no ref: the latest tag


CHECK = Check(SPEC, run)
