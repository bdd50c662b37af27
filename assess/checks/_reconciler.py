"""Argo CD and Flux declarations: the sync loop as the repository declares it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assess.checks._repo import ARGO, FLUX_HELM, FLUX_KUSTOMIZE, doc_ref, docs, has_key, is_true, plural, result
from assess.derive.deployment import argo_apps_in_values, values_docs
from assess.model.check import CheckResult
from assess.model.context import CheckContext
from assess.model.evidence import RepoEvidence, YamlDoc
from assess.model.finding import Outcome


@dataclass(frozen=True)
class SyncUnit:
    """Something a reconciler keeps in sync: an Argo CD app (or app template) or a Flux object."""

    doc: YamlDoc
    tool: str
    policy: str  # key path of the sync policy inside the document
    name: str | None = None  # for units declared inside another document (argo-cd-apps chart values)

    def sets(self, key: str, value: object = True) -> bool:
        """Whether the unit's sync policy sets `key` (`automated`, `automated.prune`, …): in its template, or in an
        ApplicationSet `templatePatch`, which Argo CD renders over the template (conditional, but declared)."""
        path = f"{self.policy}.{key}"
        if (is_true(self.doc, path) if value is True else has_key(self.doc, path)):
            return True
        patch = self.doc.get("spec.templatePatch") if self.doc.kind == "ApplicationSet" else None
        if isinstance(patch, str):
            leaf = key.rsplit(".", 1)[-1]
            pattern = rf"(?m)^\s*{re.escape(leaf)}:\s*" + ("true\\b" if value is True else "")
            return re.search(pattern, patch) is not None
        return False

    @property
    def at_least(self) -> bool:
        """Rendered by a Helm `range`: one declaration stands for several apps."""
        return self.doc.repeated

    @property
    def label(self) -> str:
        """How the unit is named in messages."""
        if self.name is not None:
            anchor = self.policy.removesuffix(".syncPolicy").removesuffix(".template.spec")
            return f"{self.name} ({self.doc.path}:{self.doc.line_of(anchor)})"
        return f"{self.doc.ident} ({self.doc.path}:{self.doc.line})"


def argo_units(ev: RepoEvidence) -> list[SyncUnit]:
    """Argo CD Applications and the application templates of ApplicationSets, also those the argo-cd-apps chart
    declares in its values."""
    units = [SyncUnit(d, "argocd", "spec.syncPolicy") for d in docs(ev, "Application", group=ARGO)]
    units += [SyncUnit(d, "argocd", "spec.template.spec.syncPolicy") for d in docs(ev, "ApplicationSet", group=ARGO)]
    for doc in values_docs(ev):
        for kind, name, key, _ in argo_apps_in_values(doc):
            policy = f"{key}.syncPolicy" if kind == "Application" else f"{key}.template.spec.syncPolicy"
            units.append(SyncUnit(doc, "argocd", policy, f"{kind}/{name}"))
    return units


def flux_kustomizations(ev: RepoEvidence) -> list[SyncUnit]:
    """Flux Kustomizations (not the kustomize.config.k8s.io kind of the same name)."""
    return [SyncUnit(d, "flux", "spec") for d in docs(ev, "Kustomization", group=FLUX_KUSTOMIZE)]


def flux_helmreleases(ev: RepoEvidence) -> list[SyncUnit]:
    """Flux HelmReleases."""
    return [SyncUnit(d, "flux", "spec") for d in docs(ev, "HelmRelease", group=FLUX_HELM)]


def all_units(ev: RepoEvidence) -> list[SyncUnit]:
    """Every declared sync unit."""
    return argo_units(ev) + flux_kustomizations(ev) + flux_helmreleases(ev)


def unit_count(units: list[SyncUnit], word: str = "unit") -> str:
    """'3 units', or 'at least 3 units' when a Helm range renders some of them."""
    return ("at least " if any(u.at_least for u in units) else "") + plural(len(units), word)


def judged_units(ctx: CheckContext, bad: list[tuple[SyncUnit, str]], total: int, fault: str) -> CheckResult:
    """Fail when units lack a setting; tolerate a small, listed minority (the reconciler's own install kept with
    `prune: false`, a game server opted out of drift detection) as *met with exceptions*."""
    share = 1 - len(bad) / total
    names = ", ".join(u.label for u, _ in bad[:10]) + (f", and {len(bad) - 10} more" if len(bad) > 10 else "")
    refs = [doc_ref(u.doc, key) for u, key in bad]
    if share >= ctx.thresholds.unit_share_min:
        return result(Outcome.WARN, f"Met with exceptions: {len(bad)} of {plural(total, 'unit')} {fault} "
                      f"({share:.0%}, threshold {ctx.thresholds.unit_share_min:.0%}): {names}.", refs)
    return result(Outcome.FAIL, f"{len(bad)} of {plural(total, 'unit')} {fault}: {names}.", refs)
