"""Collect the declared state of a repository: its tree at a revision, classified and parsed."""

from __future__ import annotations

import os
import posixpath
from collections import Counter
from datetime import datetime
from pathlib import Path

from assess.collectors import git_repo
from assess.collectors.classify import (
    BODY_KINDS,
    MAX_TEXT_BYTES,
    TEXT_KINDS,
    doc_kinds,
    is_helm_template,
    looks_like_talos,
    looks_templated,
    path_kinds,
)
from assess.collectors.redaction import redact_text
from assess.collectors.yaml_docs import NodeBudget, decode_text, lenient_docs, parse_yaml
from assess.model.evidence import (
    FileKind,
    FileProblem,
    Problem,
    Provenance,
    RepoEvidence,
    RepoFile,
    Source,
    TreeStats,
    YamlDoc,
)

MAX_YAML_BYTES = 4 * 1024 * 1024


# One parsed file: what it is and its documents. Cached by (blob sha, path, under a chart's templates/).
ParsedFile = tuple[RepoFile, tuple[YamlDoc, ...]]
TreeCache = dict[tuple[str, str, bool], ParsedFile]


def collect_repo(path: str, revision: str, worktree: bool, now: datetime,
                 budget: NodeBudget | None = None) -> RepoEvidence:
    """Read and classify the tree at `revision` (or the work tree) of the repository at `path`.

    `budget` is the run's YAML node budget (shared with the timeline's trees); a fresh one when None."""
    budget = budget if budget is not None else NodeBudget()
    handle = git_repo.open_repository(path)
    commit = git_repo.resolve_revision(handle, revision)
    if worktree:
        paths = git_repo.list_worktree(handle)
        return _evidence(handle, commit, revision, "work tree (git ls-files, tracked and untracked)",
                         _worktree_files(handle, paths, budget), now, worktree=True, stats=tree_stats(paths))
    if commit is None:
        return _evidence(handle, None, revision, "empty repository", [], now)
    return collect_tree(handle, commit, revision, now, {}, budget)


def collect_tree(handle: git_repo.RepoHandle, commit: str, ref: str | None, now: datetime,
                 cache: TreeCache, budget: NodeBudget | None = None) -> RepoEvidence:
    """Classify the tree of one commit; blobs already in the cache are not read or parsed again."""
    budget = budget if budget is not None else NodeBudget()
    entries = git_repo.list_tree(handle, commit)
    chart_dirs = {posixpath.dirname(e.path) for e in entries if posixpath.basename(e.path) == "Chart.yaml"}
    parsed: list[ParsedFile] = []
    missing: dict[str, list[tuple[git_repo.TreeEntry, bool]]] = {}
    for entry in entries:
        in_template = is_helm_template(entry.path, chart_dirs)
        if not (path_kinds(entry.path) or in_template):
            continue
        key = (entry.sha, entry.path, in_template)
        if key in cache:
            parsed.append(cache[key])
        elif entry.is_symlink:
            parsed.append(classify_file(entry.path, entry.size, Problem(FileProblem.SYMLINK, "symbolic link, "
                                                                        "not followed"), in_template))
        elif entry.size > MAX_YAML_BYTES:
            parsed.append(classify_file(entry.path, entry.size, Problem(
                FileProblem.TOO_LARGE, f"{entry.size:,} bytes; not parsed"), in_template))
        else:
            missing.setdefault(entry.sha, []).append((entry, in_template))
    for sha, data in git_repo.read_blobs(handle, missing):
        for entry, in_template in missing[sha]:
            payload: bytes | Problem = data if data is not None else Problem(
                FileProblem.MISSING_BLOB, "blob missing (partial clone?)")
            result = classify_file(entry.path, entry.size, payload, in_template, budget)
            cache[(entry.sha, entry.path, in_template)] = result
            parsed.append(result)
    return _evidence(handle, commit, ref, f"git objects at {commit} (ls-tree, cat-file --batch)", parsed, now,
                     stats=tree_stats([e.path for e in entries]))


def tree_stats(paths: list[str]) -> TreeStats:
    """File counts by extension and top-level directory, and the names of root files (build manifests etc.)."""
    by_ext: Counter[str] = Counter()
    top: Counter[str] = Counter()
    root: list[str] = []
    for path in paths:
        head, sep, _ = path.partition("/")
        if sep:
            top[head] += 1
        else:
            root.append(path)
        base = path.rpartition("/")[2]
        dot = base.rfind(".")
        by_ext[base[dot:].lower() if dot > 0 else ""] += 1
    return TreeStats(len(paths), dict(by_ext), tuple(sorted(root)), dict(top))


def _evidence(handle: git_repo.RepoHandle, commit: str | None, ref: str | None, method: str,
              parsed: list[ParsedFile], now: datetime, worktree: bool = False,
              stats: TreeStats | None = None) -> RepoEvidence:
    parsed.sort(key=lambda p: p[0].path)
    return RepoEvidence(
        provenance=Provenance(Source.GIT, method, now.isoformat()),
        root=os.path.abspath(handle.work_tree or handle.git_dir),
        revision=commit or "",
        ref=ref,
        files=tuple(f for f, _ in parsed),
        docs=tuple(d for _, docs in parsed for d in docs),
        worktree=worktree,
        bare=handle.bare,
        empty=commit is None,
        shallow=handle.shallow,
        default_branch=handle.default_branch,
        remotes=handle.remotes,
        stats=stats or TreeStats(),
    )


def _worktree_files(handle: git_repo.RepoHandle, paths: list[str], budget: NodeBudget) -> list[ParsedFile]:
    assert handle.work_tree is not None
    chart_dirs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "Chart.yaml"}
    out: list[ParsedFile] = []
    for rel in paths:
        in_template = is_helm_template(rel, chart_dirs)
        if not (path_kinds(rel) or in_template):
            continue
        full = Path(handle.work_tree, rel)
        inside = git_repo.worktree_path(handle, rel)
        payload: bytes | Problem
        size = 0
        if full.is_symlink():
            payload = Problem(FileProblem.SYMLINK, "symbolic link, not followed")
        elif inside is None:
            payload = Problem(FileProblem.SYMLINK, "inside a symbolically linked directory, not followed")
        else:
            try:
                size = inside.stat().st_size
                payload = (Problem(FileProblem.TOO_LARGE, f"{size:,} bytes; not parsed") if size > MAX_YAML_BYTES
                           else git_repo.read_worktree_file(inside, MAX_YAML_BYTES))
            except OSError as exc:  # deleted or replaced by a link since listing, or unreadable
                payload = Problem(FileProblem.MISSING_BLOB, exc.strerror or "unreadable")
        out.append(classify_file(rel, size, payload, in_template, budget))
    return out


def classify_file(path: str, size: int, payload: bytes | Problem, in_template: bool,
                  budget: NodeBudget | None = None) -> ParsedFile:
    """Classify one file and parse its documents, charging alias expansion to the run's `budget`."""
    kinds = path_kinds(path)
    if in_template:
        kinds = (kinds - {FileKind.YAML}) | {FileKind.HELM_TEMPLATE, FileKind.TEMPLATED}
    if isinstance(payload, Problem):
        return RepoFile(path, size, tuple(sorted(kinds)), payload), ()
    text, problem = decode_text(payload)
    if text is None:
        return RepoFile(path, size, tuple(sorted(kinds)), problem), ()
    if path == "package.json" and '"renovate"' not in text:
        kinds = kinds - {FileKind.RENOVATE}  # a Renovate config only when it carries a "renovate" key
    # Dockerfiles, Terraform (.tfvars), scripts: kept for the checks with credential assignments redacted.
    keep_text = redact_text(text) if kinds & TEXT_KINDS and len(payload) <= MAX_TEXT_BYTES else None
    if FileKind.JSON_MANIFEST in kinds:
        # JSON is YAML: read it as manifests when it names an apiVersion and a kind, and forget it otherwise.
        if '"apiVersion"' not in text or '"kind"' not in text:
            return RepoFile(path, size, tuple(sorted(kinds - {FileKind.JSON_MANIFEST}))), ()
        parsed_json = parse_yaml(path, text, keep_body=BODY_KINDS, budget=budget)
        found = [d for d in parsed_json.docs if d.kind]
        kinds = kinds | ({FileKind.KUBERNETES} if found else set())
        return RepoFile(path, size, tuple(sorted(kinds)), parsed_json.problem), tuple(found)
    file_docs: list[YamlDoc] = []
    notes: tuple[str, ...] = ()
    if kinds & {FileKind.TEMPLATED, FileKind.HELM_TEMPLATE}:
        file_docs = list(lenient_docs(path, text))
    elif _is_yaml(kinds):
        keep = None if kinds - {FileKind.YAML} else BODY_KINDS
        parsed = parse_yaml(path, text, keep_body=keep, budget=budget)
        file_docs, problem, notes = list(parsed.docs), parsed.problem, parsed.notes
        if problem is not None and not _is_ci(kinds) and looks_templated(text):
            # Not broken YAML: a template (e.g. Jinja or Go templates outside a chart).
            kinds = kinds - {FileKind.YAML} | {FileKind.TEMPLATED}
            file_docs, problem = list(lenient_docs(path, text)), None
    for doc in file_docs:
        kinds |= doc_kinds(doc)
    if kinds & {FileKind.YAML, FileKind.TEMPLATED} and looks_like_talos(text):
        kinds.add(FileKind.TALOS)
    return RepoFile(path, size, tuple(sorted(kinds)), problem, keep_text, notes), tuple(file_docs)


def _is_yaml(kinds: set[FileKind]) -> bool:
    yaml_kinds = {FileKind.YAML, FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI, FileKind.CIRCLECI, FileKind.CI_OTHER,
                  FileKind.OWNERS,
                  FileKind.DEPENDABOT, FileKind.SOPS, FileKind.HELM_CHART, FileKind.HELM_VALUES,
                  FileKind.KUSTOMIZATION}
    return bool(kinds & yaml_kinds)


def _is_ci(kinds: set[FileKind]) -> bool:
    # CI files use ${{ }} expressions that are valid YAML strings, not templates.
    return bool(kinds & {FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI, FileKind.CIRCLECI, FileKind.CI_OTHER,
                         FileKind.DEPENDABOT})
