"""Deployed paths and environments, derived from what the reconcilers apply (pure).

Entry points are Flux Kustomizations (their `path` read relative to their `sourceRef`), FluxInstance syncs, `flux
bootstrap` folders, and Argo CD Applications and ApplicationSets whose `repoURL` is this repository; where no
reconciler exists, the paths CI deploy commands apply. Each entry point's folder is followed through Kustomize
references, nested Flux Kustomizations are followed in turn, and the result is grouped into environments by the names
the layout gives (`clusters/<name>`, `overlays/<env>`, `prod`/`staging` segments). One reconciled target with no
environment naming is one environment, `production`. Without any entry point the layout alone decides."""

from __future__ import annotations

from collections.abc import Iterable

from assess.derive.deployment.entry_points import (
    argo_apps_in_values,
    argo_entry_points,
    bootstrap_entry_points,
    flux_entry_points,
    flux_instance_entry_points,
)
from assess.derive.deployment.grouping import DECLARATION_KINDS, from_entry_points, remote_bases
from assess.derive.deployment.layout import from_layout
from assess.derive.deployment.paths import Found, PathTree, env_roots, glob_hits, glob_regex, values_docs
from assess.derive.deployment.sources import flux_sources
from assess.model.deployment import DeploymentMap, EnvBasis
from assess.model.evidence import RepoEvidence

__all__ = ["DECLARATION_KINDS", "argo_apps_in_values", "deployment_map", "env_roots", "glob_regex", "values_docs"]


def deployment_map(ev: RepoEvidence, configured: dict[str, tuple[str, ...]] | None = None,
                   self_urls: Iterable[str] = (), repo_names: Iterable[str] = ()) -> DeploymentMap:
    """Environments and deployed paths of the repository, and what no reconciler applies."""
    tree = PathTree(ev)
    if configured:
        warnings = [f"environment {env!r}: path {p!r} (config file) matches no file in this repository"
                    for env, pats in configured.items() for p in pats if not glob_hits(tree, p)]
        return DeploymentMap({k: tuple(v) for k, v in configured.items()}, EnvBasis.CONFIGURED,
                             {k: "config file" for k in configured}, warnings=tuple(warnings))
    urls = tuple(self_urls) + ev.remotes
    names = tuple(n.lower() for n in repo_names if n)
    found = Found()
    sources = flux_sources(ev, tree, urls, names, found)
    flux_entry_points(ev, tree, sources, found)
    flux_instance_entry_points(ev, tree, sources, found)
    argo_entry_points(ev, tree, urls, names, found)
    bootstrap_entry_points(ev, tree, found)
    found.warnings += remote_bases(ev)
    if found.entry_points:
        return from_entry_points(ev, tree, found)
    return from_layout(ev, tree, found)
