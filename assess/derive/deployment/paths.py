"""Paths of a tree and the small readers every part of the deployment derivation shares (pure)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pathspec

from assess.derive.path_globs import glob_body
from assess.model.deployment import EntryPoint, ExternalSource
from assess.model.evidence import FileKind, RepoEvidence, YamlDoc

Ignore = pathspec.GitIgnoreSpec


class PathTree:
    """Paths of the classified files, and every directory holding one."""

    def __init__(self, ev: RepoEvidence) -> None:
        self.paths = sorted(f.path for f in ev.files)
        self.dirs: set[str] = {""}
        for path in self.paths:
            parts = path.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                self.dirs.add("/".join(parts[:i]))
        self.files = set(self.paths)
        self.children: dict[str, tuple[list[str], list[str]]] = {}  # folder -> (files, sub-folders)
        for path in self.paths:
            self.children.setdefault(posixpath.dirname(path), ([], []))[0].append(path)
        for d in self.dirs - {""}:
            self.children.setdefault(posixpath.dirname(d), ([], []))[1].append(d)

    def has(self, path: str) -> bool:
        """A file or a directory holding classified files."""
        return path in self.files or path in self.dirs

    def expand(self, pattern: str) -> list[str]:
        """Directories (or files) matching a path with `*` segments."""
        if "*" not in pattern:
            return [pattern] if self.has(pattern) else []
        rx = re.compile("^" + glob_body(pattern, question_mark=False) + "$")
        return sorted(d for d in self.dirs | self.files if rx.match(d))

    def under(self, directory: str) -> Iterator[str]:
        """Files inside a directory (all files for the root)."""
        prefix = f"{directory}/" if directory else ""
        return (p for p in self.paths if p.startswith(prefix))


@dataclass(frozen=True)
class PathMatcher:
    """Paths matched by a set of globs: plain paths by lookup, `folder/**` by prefix, the rest by one regex (a
    regex alternation of thousands of plain paths takes seconds to compile)."""

    exact: frozenset[str]
    prefixes: tuple[str, ...]
    pattern: re.Pattern[str] | None

    def match(self, path: str) -> bool:
        """Whether any glob matches the whole path."""
        return path in self.exact or (bool(self.prefixes) and path.startswith(self.prefixes)) or (
            self.pattern is not None and self.pattern.match(path) is not None)


@lru_cache(maxsize=512)
def glob_regex(patterns: tuple[str, ...]) -> PathMatcher:
    """A matcher for any of the path globs (`**` spans directories, `*` does not)."""
    exact = frozenset(p for p in patterns if "*" not in p)
    prefixes = tuple(sorted({p[:-2] for p in patterns if p.endswith("/**") and "*" not in p[:-3]}))
    rest = [glob_body(p, question_mark=False) for p in patterns
            if "*" in p and not (p.endswith("/**") and "*" not in p[:-3])]
    return PathMatcher(exact, prefixes, re.compile("^(?:" + "|".join(rest) + ")$") if rest else None)


def env_roots(envs: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The directories or files whose Git object ids describe each environment's state."""
    return {env: tuple(sorted({p[:-3] if p.endswith("/**") else p for p in pats if "*" not in p.rstrip("*/")}))
            for env, pats in envs.items()}


def glob_hits(tree: PathTree, pattern: str) -> bool:
    """Whether any file of the tree matches the glob."""
    rx = glob_regex((pattern,))
    return any(rx.match(p) for p in tree.paths)


def glob_prefix(rel: str) -> str:
    """The folder part of a copy pattern before its first wildcard (`deploy/**` -> `deploy`)."""
    parts = []
    for part in rel.split("/"):
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


def docs_of(ev: RepoEvidence, kind: str, group: str | None = None) -> list[YamlDoc]:
    """The documents of a kind, of an API group when given."""
    pool = ev.docs_by_kind.get(kind, ())
    if group is None:
        return list(pool)
    return [d for d in pool if d.group == group]


def values_docs(ev: RepoEvidence) -> Iterator[YamlDoc]:
    """Parsed documents of Helm values files."""
    for f in ev.files_by_kind.get(FileKind.HELM_VALUES, ()):
        for doc in ev.docs_by_path.get(f.path, ()):
            if isinstance(doc.body, dict):
                yield doc


def field_of(doc: YamlDoc, key: str) -> Any:
    """A field of a parsed body, or its literal value in a templated document."""
    if doc.templated:
        prefix = f"{key}="
        return next((k[len(prefix):] for k in doc.lines if k.startswith(prefix)), None)
    return doc.get(key)


def list_of(value: Any) -> list[Any]:
    """The value when it is a list, else an empty one (untrusted YAML)."""
    return value if isinstance(value, list) else []


def norm(path: str) -> str:
    """A repository-relative path: no leading ./ or /, no trailing /, '' for the root (.. kept, to be refused)."""
    text = path.strip().lstrip("/")
    norm = posixpath.normpath(text) if text else "."
    return "" if norm == "." else norm


def ignored(path: str, specs: list[Ignore]) -> bool:
    """Whether a source's ignore rules leave a file or folder out of the artifact."""
    return bool(path) and any(s.match_file(path) or s.match_file(path + "/") for s in specs)


def ignore_spec(lines: list[str]) -> Ignore | None:
    """Gitignore-style rules, or None when a pattern is invalid."""
    try:
        return pathspec.GitIgnoreSpec.from_lines([ln for ln in lines if ln.strip()])
    except (ValueError, TypeError):  # an invalid pattern in untrusted content
        return None


MAX_DEPTH = 12


@dataclass
class Found:
    """What following the reconcilers found: entry points, sources outside this repository, warnings."""

    entry_points: list[EntryPoint] = field(default_factory=list)
    external: list[ExternalSource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: list[Ignore] = field(default_factory=list)
    stale: list[EntryPoint] = field(default_factory=list)  # declared outside their source, applying nothing here
