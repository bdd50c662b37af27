"""Collect the declared state of a repository: its tree at a revision, classified and parsed."""

from __future__ import annotations

import os
import posixpath
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

from assess.collectors import git_repo
from assess.collectors.classify import (
    BODY_KINDS,
    MAX_TEXT_BYTES,
    TEXT_KINDS,
    doc_kinds,
    is_helm_template,
    looks_templated,
    path_kinds,
)
from assess.collectors.yaml_docs import decode_text, lenient_docs, parse_yaml
from assess.model.evidence import (
    FileKind,
    FileProblem,
    Problem,
    Provenance,
    RepoEvidence,
    RepoFile,
    Source,
    YamlDoc,
)

MAX_YAML_BYTES = 4 * 1024 * 1024


def collect_repo(path: str, revision: str, worktree: bool, now: datetime) -> RepoEvidence:
    """Read and classify the tree at `revision` (or the work tree) of the repository at `path`."""
    handle = git_repo.open_repository(path)
    commit = git_repo.resolve_revision(handle, revision)
    root = handle.work_tree or handle.git_dir
    if worktree:
        method = "work tree (git ls-files, tracked and untracked)"
        blobs = _worktree_blobs(handle)
    elif commit is None:
        method, blobs = "empty repository", iter(())
    else:
        method = f"git objects at {commit} (ls-tree, cat-file --batch)"
        blobs = _object_blobs(handle, commit)
    files, docs = _classify(blobs)
    return RepoEvidence(
        provenance=Provenance(Source.GIT, method, now.isoformat()),
        root=os.path.abspath(root),
        revision=commit or "",
        ref=revision,
        files=tuple(files),
        docs=tuple(docs),
        worktree=worktree,
        bare=handle.bare,
        empty=commit is None,
        shallow=handle.shallow,
        default_branch=handle.default_branch,
    )


# A blob source yields (path, size, data-or-problem) in path order.
Blob = tuple[str, int, bytes | Problem]


def _object_blobs(handle: git_repo.RepoHandle, commit: str) -> Iterator[Blob]:
    entries = git_repo.list_tree(handle, commit)
    chart_dirs = {posixpath.dirname(e.path) for e in entries if posixpath.basename(e.path) == "Chart.yaml"}
    wanted: dict[str, list[git_repo.TreeEntry]] = {}
    for entry in entries:
        if not _interesting(entry.path, chart_dirs):
            continue
        if entry.is_symlink:
            yield entry.path, entry.size, Problem(FileProblem.SYMLINK, "symbolic link, not followed")
        elif entry.size > MAX_YAML_BYTES:
            yield entry.path, entry.size, Problem(FileProblem.TOO_LARGE, f"{entry.size:,} bytes; not parsed")
        else:
            wanted.setdefault(entry.sha, []).append(entry)
    for sha, data in git_repo.read_blobs(handle, wanted):
        for entry in wanted[sha]:
            if data is None:
                yield entry.path, entry.size, Problem(FileProblem.MISSING_BLOB, "blob missing (partial clone?)")
            else:
                yield entry.path, entry.size, data


def _worktree_blobs(handle: git_repo.RepoHandle) -> Iterator[Blob]:
    assert handle.work_tree is not None
    paths = git_repo.list_worktree(handle)
    chart_dirs = {posixpath.dirname(p) for p in paths if posixpath.basename(p) == "Chart.yaml"}
    for rel in paths:
        if not _interesting(rel, chart_dirs):
            continue
        full = Path(handle.work_tree, rel)
        if full.is_symlink():
            yield rel, 0, Problem(FileProblem.SYMLINK, "symbolic link, not followed")
            continue
        try:
            size = full.stat().st_size
            if size > MAX_YAML_BYTES:
                yield rel, size, Problem(FileProblem.TOO_LARGE, f"{size:,} bytes; not parsed")
                continue
            yield rel, size, full.read_bytes()
        except OSError as exc:  # deleted since listing, or unreadable
            yield rel, 0, Problem(FileProblem.MISSING_BLOB, exc.strerror or "unreadable")


def _interesting(path: str, chart_dirs: set[str]) -> bool:
    return bool(path_kinds(path)) or is_helm_template(path, chart_dirs)


def _classify(blobs: Iterator[Blob]) -> tuple[list[RepoFile], list[YamlDoc]]:
    """Turn raw blobs into classified files and parsed documents (kept sorted by path)."""
    items = sorted(blobs, key=lambda b: b[0])
    chart_dirs = {posixpath.dirname(p) for p, _, _ in items if posixpath.basename(p) == "Chart.yaml"}
    files: list[RepoFile] = []
    docs: list[YamlDoc] = []
    for path, size, payload in items:
        kinds = path_kinds(path)
        if is_helm_template(path, chart_dirs):
            kinds = (kinds - {FileKind.YAML}) | {FileKind.HELM_TEMPLATE, FileKind.TEMPLATED}
        if isinstance(payload, Problem):
            files.append(RepoFile(path, size, tuple(sorted(kinds)), payload))
            continue
        text, problem = decode_text(payload)
        if text is None:
            files.append(RepoFile(path, size, tuple(sorted(kinds)), problem))
            continue
        keep_text = text if kinds & TEXT_KINDS and len(payload) <= MAX_TEXT_BYTES else None
        file_docs: list[YamlDoc] = []
        if kinds & {FileKind.TEMPLATED, FileKind.HELM_TEMPLATE}:
            file_docs = list(lenient_docs(path, text))
        elif _is_yaml(kinds):
            keep = None if kinds - {FileKind.YAML} else BODY_KINDS
            parsed = parse_yaml(path, text, keep_body=keep)
            file_docs, problem = list(parsed.docs), parsed.problem
            if problem is not None and not _is_ci(kinds) and looks_templated(text):
                # Not broken YAML: a template (e.g. Jinja or Go templates outside a chart).
                kinds = kinds - {FileKind.YAML} | {FileKind.TEMPLATED}
                file_docs, problem = list(lenient_docs(path, text)), None
        for doc in file_docs:
            kinds |= doc_kinds(doc)
        docs.extend(file_docs)
        files.append(RepoFile(path, size, tuple(sorted(kinds)), problem, keep_text))
    return files, docs


def _is_yaml(kinds: set[FileKind]) -> bool:
    yaml_kinds = {FileKind.YAML, FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI, FileKind.CIRCLECI,
                  FileKind.DEPENDABOT, FileKind.SOPS, FileKind.HELM_CHART, FileKind.HELM_VALUES,
                  FileKind.KUSTOMIZATION}
    return bool(kinds & yaml_kinds)


def _is_ci(kinds: set[FileKind]) -> bool:
    # CI files use ${{ }} expressions that are valid YAML strings, not templates.
    return bool(kinds & {FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI, FileKind.CIRCLECI, FileKind.DEPENDABOT})
