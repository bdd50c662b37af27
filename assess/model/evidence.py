"""Evidence: what the collectors saw, with provenance, ready for pure checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from assess.model.cluster import ClusterEvidence
from assess.model.codec import JSON_NAME
from assess.model.forge import DEFAULT_FORGE, Forge, ForgeEvidence, forge_of_source
from assess.model.history import HistoryEvidence
from assess.model.provenance import Cause, Provenance, Source, Unavailable
from assess.model.workflow_audit import WorkflowAudit

__all__ = ["Cause", "Provenance", "Source", "Unavailable"]


class FileKind(StrEnum):
    """What a file in the repository is, judged by path and content."""

    KUBERNETES = "kubernetes-manifest"
    KUSTOMIZATION = "kustomization"
    HELM_CHART = "helm-chart"
    HELM_VALUES = "helm-values"
    HELM_TEMPLATE = "helm-template"
    TERRAFORM = "terraform"
    GITHUB_WORKFLOW = "github-actions-workflow"
    GITLAB_CI = "gitlab-ci"
    JENKINSFILE = "jenkinsfile"
    CIRCLECI = "circleci"
    CI_OTHER = "ci-pipeline"  # Woodpecker, Drone, Codefresh, Azure Pipelines, Bitbucket, Buildkite, Tekton, Travis
    CODEOWNERS = "codeowners"
    OWNERS = "prow-owners"  # Prow/Kubernetes OWNERS and OWNERS_ALIASES
    RENOVATE = "renovate"
    DEPENDABOT = "dependabot"
    SOPS = "sops-config"
    DOCKERFILE = "dockerfile"
    TEMPLATED = "templated-yaml"
    SOURCE_IGNORE = "flux-sourceignore"
    ZIZMOR_CONFIG = "zizmor-config"
    JSON_MANIFEST = "json-manifest"  # a .json file that may hold Kubernetes objects (kept only if it does)
    TALOS = "talos-config"  # talhelper's talconfig.yaml, or a Talos machine config (plain or templated)
    SCRIPT = "script"  # Makefiles and shell scripts, read only to follow what a CI step runs
    YAML = "yaml"


class FileProblem(StrEnum):
    """Why a file could not be read as what it claims to be."""

    BROKEN_YAML = "broken-yaml"
    TOO_LARGE = "too-large"
    BINARY = "binary"
    ALIAS_BOMB = "alias-expansion-too-large"
    NODE_BUDGET = "run-node-budget-spent"  # not read: earlier files spent the run's alias-expansion budget
    UNDECODABLE = "undecodable"
    MISSING_BLOB = "missing-blob"
    SYMLINK = "symlink"


@dataclass(frozen=True)
class Problem:
    """A file that could not be read fully, and where it broke."""

    kind: FileProblem
    detail: str
    line: int | None = None


@dataclass(frozen=True)
class RepoFile:
    """One file of the scanned tree and what it was recognised as."""

    path: str
    size: int
    kinds: tuple[FileKind, ...] = ()
    problem: Problem | None = None
    text: str | None = None
    notes: tuple[str, ...] = ()  # legal YAML strict parsers reject, accepted as Kubernetes tooling does


@dataclass(frozen=True)
class YamlDoc:
    """One YAML document; body is None for templated or uninteresting documents.

    `lines` maps a dotted key path (``spec.template.spec.containers.0.image``) to its 1-based line.
    Secret values are redacted at collection time and never stored here.
    """

    path: str
    index: int
    line: int
    api_version: str | None = None
    kind: str | None = None
    name: str | None = None
    namespace: str | None = None
    body: Any = None
    lines: dict[str, int] = field(default_factory=dict)
    templated: bool = False
    duplicate_keys: tuple[tuple[str, int], ...] = ()
    repeated: bool = False  # rendered inside a template `range`: one declaration, several objects
    # Key paths an overlay's patch set, and the file and line of the patch that set them.
    origins: dict[str, tuple[str, int]] = field(default_factory=dict)

    @cached_property
    def text(self) -> str:
        """The body as one string (computed once): checks search it before walking the body."""
        return str(self.body) if self.body is not None else ""

    @cached_property
    def group(self) -> str:
        """API group of the document ('' for the core group)."""
        if not self.api_version or "/" not in self.api_version:
            return ""
        return self.api_version.split("/", 1)[0]

    def line_of(self, key_path: str) -> int:
        """Line of a key path, falling back to the nearest ancestor, then the document start."""
        probe = key_path
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe.rpartition(".")[0]
        return self.line

    def where(self, key_path: str) -> tuple[str, int]:
        """File and line that declare a key path: the patch that set it, or this document."""
        probe = key_path
        while probe:
            if probe in self.origins:
                return self.origins[probe]
            if probe in self.lines:
                return self.path, self.lines[probe]
            probe = probe.rpartition(".")[0]
        return self.path, self.line

    def get(self, key_path: str, default: Any = None) -> Any:
        """Value at a dotted key path of the body, or default."""
        node: Any = self.body
        for part in key_path.split("."):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and part.isdigit() and int(part) < len(node):
                node = node[int(part)]
            else:
                return default
        return node

    @property
    def ident(self) -> str:
        """kind/namespace/name, as used in evidence references."""
        parts = [self.kind or "?", self.namespace or "", self.name or "?"]
        return "/".join(p for p in parts if p)


@dataclass(frozen=True)
class TreeStats:
    """Counts over every blob of the tree (not only the classified files), to judge what the repository is."""

    files: int = 0
    by_extension: dict[str, int] = field(default_factory=dict)
    root_files: tuple[str, ...] = ()
    top_dirs: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class RepoEvidence:
    """The declared state: a repository tree at one revision, classified."""

    provenance: Provenance
    root: str
    revision: str
    ref: str | None
    files: tuple[RepoFile, ...]
    docs: tuple[YamlDoc, ...]
    worktree: bool = False
    bare: bool = False
    empty: bool = False
    shallow: bool = False
    default_branch: str | None = None
    remotes: tuple[str, ...] = ()
    stats: TreeStats = field(default_factory=TreeStats)
    # Documents of patch-only files, merged into what they patch and so absent from `docs`; kept for the checks
    # that judge the file itself (duplicate keys).
    patch_docs: tuple[YamlDoc, ...] = ()
    # Caps reached while reading the tree (an archive with too many entries): what was not read, in words.
    partial: tuple[str, ...] = ()

    @cached_property
    def docs_by_kind(self) -> dict[str | None, tuple[YamlDoc, ...]]:
        """Documents indexed by `kind` (computed once)."""
        index: dict[str | None, list[YamlDoc]] = {}
        for doc in self.docs:
            index.setdefault(doc.kind, []).append(doc)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def docs_by_path(self) -> dict[str, tuple[YamlDoc, ...]]:
        """Documents indexed by file path (computed once)."""
        index: dict[str, list[YamlDoc]] = {}
        for doc in self.docs:
            index.setdefault(doc.path, []).append(doc)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def files_by_kind(self) -> dict[FileKind, tuple[RepoFile, ...]]:
        """Files indexed by each of their kinds (computed once)."""
        index: dict[FileKind, list[RepoFile]] = {}
        for f in self.files:
            for kind in f.kinds:
                index.setdefault(kind, []).append(f)
        return {k: tuple(v) for k, v in index.items()}

    @cached_property
    def kinds_by_path(self) -> dict[str, tuple[FileKind, ...]]:
        """File kinds indexed by path (computed once; the evidence itself never changes)."""
        return {f.path: f.kinds for f in self.files}


@dataclass(frozen=True)
class Snapshot:
    """The declared state at one point of the maturity timeline (a month end)."""

    at: str
    commit: str | None
    tree: RepoEvidence | None


REDACTION = ("Secret values, credential-looking values (keys such as password or token, env entries, Helm values and "
             "parameters, Dockerfile ENV, Terraform and .tfvars assignments), recognisable tokens and kubectl's "
             "last-applied-configuration were replaced by their class (<redacted:literal|placeholder|reference|"
             "template|encrypted|empty>) when collected; cluster Secrets were read as metadata only.")


@dataclass(frozen=True)
class EvidenceBundle:
    """Everything collected for one assessment; saved with the report for offline re-evaluation."""

    git: RepoEvidence | None = None
    history: HistoryEvidence | None = None
    # Saved bundles name it "github" (the first forge): the JSON key stays, so old and new bundles read both ways.
    forge: ForgeEvidence | None = field(default=None, metadata={JSON_NAME: "github"})
    clusters: tuple[ClusterEvidence, ...] = ()
    snapshots: tuple[Snapshot, ...] = ()
    unavailable: tuple[Unavailable, ...] = ()
    workflow_audit: WorkflowAudit | None = None
    # Said in the saved bundle itself, so whoever receives the file knows what it cannot contain.
    redacted: bool = True
    redaction: str = REDACTION

    def missing(self, source: Source) -> Unavailable | None:
        """The Unavailable record of a source, if it could not be read."""
        for item in self.unavailable:
            if item.source is source:
                return item
        return None

    def missing_forge(self) -> Unavailable | None:
        """Why no forge evidence was read (the forge the repository is on, or the one tried), if none was."""
        if self.forge is not None:
            return None
        return next((u for u in self.unavailable if forge_of_source(u.source) is not None), None)

    def forge_tried(self) -> Forge:
        """The forge whose evidence was read, else the one that was tried, else the default (GitHub)."""
        if self.forge is not None:
            return self.forge.forge
        gap = self.missing_forge()
        return (forge_of_source(gap.source) if gap else None) or DEFAULT_FORGE
