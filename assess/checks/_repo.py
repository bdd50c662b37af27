"""Shared read-only queries over the declared state, used by several checks."""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass

from assess.derive.ci import CiCommand, ci_commands, workflow_jobs
from assess.derive.clusters import ClusterDecl, cluster_declarations, targeted_clusters
from assess.derive.images import WORKLOAD_KINDS, ImageUse, image_tag, images, pod_spec_path
from assess.derive.path_globs import glob_body
from assess.model.check import CheckResult
from assess.model.context import CheckContext
from assess.model.evidence import FileKind, RepoEvidence, RepoFile, YamlDoc
from assess.model.finding import Confidence, Outcome, Ref, Severity
from assess.model.wording import plural as plural  # re-exported: the checks count with it

ARGO = "argoproj.io"
FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io"
FLUX_HELM = "helm.toolkit.fluxcd.io"
FLUX_SOURCE = "source.toolkit.fluxcd.io"
FLUX_IMAGE = "image.toolkit.fluxcd.io"
IAC_KINDS = frozenset({FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART, FileKind.HELM_TEMPLATE,
                       FileKind.TERRAFORM})
__all__ = ["WORKLOAD_KINDS", "CiCommand", "ImageUse", "ci_commands", "image_tag", "images", "pod_spec_path",
           "workflow_jobs"]


def repo(ctx: CheckContext) -> RepoEvidence:
    """The repository evidence (the runner guarantees it is there for git checks)."""
    if ctx.evidence.git is None:
        raise LookupError("git evidence missing")
    return ctx.evidence.git


def deployed(ctx: CheckContext) -> RepoEvidence:
    """The declarations reconcilers apply (the estate without files no reconciler applies): what deployment
    findings are judged on. The whole estate when no reconciler entry point is known."""
    return ctx.deployed if ctx.deployed is not None else repo(ctx)


def docs(ev: RepoEvidence, *kinds: str, group: str | None = None) -> list[YamlDoc]:
    """Documents of the given kinds (any kind if none given), optionally within an API group."""
    pool = ev.docs if not kinds else [d for k in kinds for d in ev.docs_by_kind.get(k, ())]
    if group is None:
        return list(pool)
    return [d for d in pool if d.group == group or d.group.endswith("." + group)]


def files_of(ev: RepoEvidence, *kinds: FileKind) -> list[RepoFile]:
    """Files recognised as any of the given kinds."""
    if len(kinds) == 1:
        return list(ev.files_by_kind.get(kinds[0], ()))
    wanted = set(kinds)
    return [f for f in ev.files if wanted.intersection(f.kinds)]


def doc_ref(doc: YamlDoc, key_path: str | None = None) -> Ref:
    """A path:line reference to a document, or to one of its keys."""
    return Ref.file(*doc.where(key_path)) if key_path else Ref.file(doc.path, doc.line)


def refs(items: list[Ref]) -> tuple[Ref, ...]:
    """Evidence references, deduplicated and complete: reporters decide how much of them to show."""
    return tuple(dict.fromkeys(items))


def result(outcome: Outcome, message: str, found: list[Ref] | None = None,
           confidence: Confidence = Confidence.DECLARED, severity: Severity | None = None) -> CheckResult:
    """Build a check result."""
    return CheckResult(outcome, message, confidence, refs(found or []), severity)


def is_true(doc: YamlDoc, key_path: str) -> bool:
    """Whether a key is true in a parsed body, or written as true in a templated document."""
    if doc.templated:
        return f"{key_path}=true" in doc.lines
    return doc.get(key_path) is True


def has_key(doc: YamlDoc, key_path: str) -> bool:
    """Whether a key is present (also in templated documents)."""
    if doc.templated:
        return key_path in doc.lines
    sentinel = object()
    return doc.get(key_path, sentinel) is not sentinel


# --- clusters -----------------------------------------------------------------------------------------------


def known_clusters(ev: RepoEvidence, ctx: CheckContext | None = None) -> list[ClusterDecl]:
    """Clusters declared as code or targeted, one per name (a declared cluster wins over a mere target); a
    composition nobody claims is no cluster."""
    found: dict[str, ClusterDecl] = {}
    declared = declared_clusters(ctx, ev) if ctx is not None else cluster_declarations(ev, None)
    targeted = clusters_targeted(ctx, ev) if ctx is not None else targeted_clusters(ev)
    for decl in (*(d for d in declared if not d.template), *targeted):
        found.setdefault(decl.name, decl)
    return list(found.values())


def declared_clusters(ctx: CheckContext, ev: RepoEvidence) -> tuple[ClusterDecl, ...]:
    """The tree's cluster declarations (those the reconcilers apply decide), derived once per judgement."""
    return ctx.memoised("cluster_declarations", ev, lambda: tuple(cluster_declarations(ev, deployed(ctx))))


def clusters_targeted(ctx: CheckContext, ev: RepoEvidence) -> tuple[ClusterDecl, ...]:
    """The clusters the tree's reconcilers target, derived once per judgement."""
    return ctx.memoised("targeted_clusters", ev, lambda: tuple(targeted_clusters(ev)))


# --- CODEOWNERS ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OwnerRule:
    """One CODEOWNERS line; `section` and `optional` carry GitLab's `[Section]` / `^[Optional]` headers."""

    pattern: str
    owners: tuple[str, ...]
    line: int
    regex: re.Pattern[str]
    section: str | None = None
    optional: bool = False

    @property
    def requires_approval(self) -> bool:
        """Whether the rule makes an owner's approval required (an optional GitLab section's does not)."""
        return bool(self.owners) and not self.optional


# GitLab section header: `[Name]`, `^[Optional name]`, `[Name][2]` (approvals), then the section's default owners.
_SECTION = re.compile(r"^(?P<optional>\^)?\[(?P<name>[^\]]+)\](?:\[\d+\])?\s*(?P<owners>.*)$")


def codeowners(ev: RepoEvidence) -> tuple[RepoFile | None, list[OwnerRule]]:
    """The CODEOWNERS file GitHub or GitLab would use (.github/, root, docs/, .gitlab/) and its rules, GitLab sections
    included: a pattern without owners takes its section's default owners."""
    by_path = {f.path: f for f in files_of(ev, FileKind.CODEOWNERS)}
    chosen = next((by_path[p] for p in (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
                   if p in by_path), None)
    if chosen is None:
        return None, []
    rules: list[OwnerRule] = []
    section: str | None = None
    optional = False
    defaults: tuple[str, ...] = ()
    for i, raw in enumerate((chosen.text or "").splitlines(), start=1):
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#"):
            continue
        header = _SECTION.match(line) if line.startswith(("[", "^[")) else None
        if header:
            section, optional = header["name"].strip(), bool(header["optional"])
            defaults = tuple(header["owners"].split())
            continue
        pattern, *owners = line.split()
        rules.append(OwnerRule(pattern, tuple(owners) or defaults, i, _owner_regex(pattern), section, optional))
    return chosen, rules


def ownership(ev: RepoEvidence) -> tuple[str | None, list[OwnerRule]]:
    """Who owns which paths: the CODEOWNERS file GitHub/GitLab would use, else Prow `OWNERS` files (approvers and
    reviewers, aliases from `OWNERS_ALIASES` expanded; the deepest OWNERS file wins). (where, rules)."""
    file, rules = codeowners(ev)
    if file is not None:
        return file.path, rules
    owners_files = [f for f in files_of(ev, FileKind.OWNERS) if posixpath.basename(f.path) == "OWNERS"]
    if not owners_files:
        return None, []
    aliases: dict[str, list[str]] = {}
    for f in files_of(ev, FileKind.OWNERS):
        if posixpath.basename(f.path) == "OWNERS_ALIASES":
            for doc in ev.docs_by_path.get(f.path, ()):
                raw = doc.get("aliases")
                if isinstance(raw, dict):
                    aliases.update({str(k): [str(x) for x in v] for k, v in raw.items() if isinstance(v, list)})
    prow: list[OwnerRule] = []
    for f in sorted(owners_files, key=lambda f: f.path.count("/")):
        folder = posixpath.dirname(f.path)
        people: list[str] = []
        for doc in ev.docs_by_path.get(f.path, ()):
            for key in ("approvers", "reviewers"):
                for who in doc.get(key) if isinstance(doc.get(key), list) else []:
                    people += aliases.get(str(who), [str(who)])
        pattern = f"/{folder}/" if folder else "*"
        regex = re.compile(f"^{re.escape(folder)}/" if folder else "^")
        prow.append(OwnerRule(pattern, tuple(dict.fromkeys(people)), 1, regex))
    return ", ".join(f.path for f in owners_files[:2]) + (" …" if len(owners_files) > 2 else ""), prow


def owner_of(rules: list[OwnerRule], path: str) -> OwnerRule | None:
    """The rule that makes someone approve a path, or None if no rule matches: the last match wins (GitHub), within
    each GitLab section; a required section's owned match is preferred to an optional section's."""
    last: dict[str | None, OwnerRule] = {}
    for rule in rules:
        if rule.regex.search(path):
            last[rule.section] = rule
    if not last:
        return None
    required = [r for r in last.values() if not r.optional and r.owners]
    return required[0] if required else list(last.values())[-1]


def _owner_regex(pattern: str) -> re.Pattern[str]:
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    prefix = "^" if anchored else r"(?:^|/)"
    return re.compile(prefix + glob_body(pattern.strip("/")) + r"(?:$|/)")


def top_dirs(paths: list[str], depth: int = 2) -> list[str]:
    """Distinct leading directories of paths, for compact messages."""
    return sorted({"/".join(posixpath.dirname(p).split("/")[:depth]) or "." for p in paths})
