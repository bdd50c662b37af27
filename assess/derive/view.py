"""One tree, seen the way every check sees it: what the repository is, what reconcilers deploy from it, and the
files that speak for the estate (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace

from assess.derive.deployment import DECLARATION_KINDS, deployment_map, glob_regex
from assess.derive.deployment.paths import PathMatcher
from assess.derive.flux_patches import inherit_patches
from assess.derive.kustomize_patches import apply_overlays
from assess.derive.repo_kind import KindVerdict, RepoKind, classify_repository, estate_view, exclusion
from assess.model.deployment import DeploymentMap, EnvBasis
from assess.model.evidence import RepoEvidence, YamlDoc


@dataclass(frozen=True)
class ViewOptions:
    """What the user said about the repository: paths, environments, its URLs, its kind."""

    exclude: tuple[str, ...] | None = None
    include: tuple[str, ...] = ()
    environments: dict[str, tuple[str, ...]] | None = None
    self_urls: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    kind: str | None = None


@dataclass(frozen=True)
class TreeView:
    """A tree split into what counts: `deployed` is what checks about the estate read."""

    full: RepoEvidence
    estate: RepoEvidence
    deployed: RepoEvidence
    deployment: DeploymentMap
    kind: KindVerdict

    @property
    def is_estate(self) -> bool:
        """Whether the repository is judged as a GitOps estate."""
        return self.kind.kind is RepoKind.ESTATE


def tree_view(tree: RepoEvidence, options: ViewOptions) -> TreeView:
    """Exclude fixtures and docs, find the deployed paths and environments, decide the kind, and drop the
    declarations no reconciler applies (they must not drive deployment findings)."""
    raw_estate = estate_view(tree, exclusion(options.exclude, options.include))
    dmap = deployment_map(raw_estate, options.environments, options.self_urls, options.names)
    estate = apply_overlays(raw_estate)
    kind = classify_repository(tree, estate, dmap, options.kind)
    deployed = estate
    if dmap.basis is EnvBasis.RECONCILER:
        applied = glob_regex(tuple(g for globs in dmap.environments.values() for g in globs))
        kept = tuple(f for f in estate.files if not set(f.kinds) & DECLARATION_KINDS or applied.match(f.path))
        if len(kept) != len(estate.files):
            paths = {f.path for f in kept}
            deployed = replace(estate, files=kept, docs=tuple(d for d in estate.docs if d.path in paths))
        deployed = inherit_patches(deployed, lambda doc: _reach(dmap, doc))
    return TreeView(tree, estate, deployed, dmap, kind)


def _reach(dmap: DeploymentMap, doc: YamlDoc) -> PathMatcher | None:
    """What a Flux Kustomization document applies, as the deployment map followed it."""
    globs = dmap.reach.get(f"{doc.path}:{doc.line_of('spec.path')}")
    return glob_regex(globs) if globs else None
