"""Environments and their paths: from the config file, else detected from the repository layout (pure)."""

from __future__ import annotations

import posixpath
import re
from functools import lru_cache

from assess.model.evidence import FileKind, RepoEvidence, YamlDoc
from assess.path_globs import glob_body

ENV_DIR = re.compile(r"^((?:.*/)?(overlays|envs|environments|clusters))/([^/]+)/")
VALUES_ENV = re.compile(r"^(.*/)?values[-.]([a-z0-9_]+)\.ya?ml$")
ENV_NAMES = frozenset({"dev", "development", "test", "qa", "stage", "staging", "uat", "preprod", "pre-prod",
                       "prod", "production", "prd", "live", "sandbox", "perf", "demo"})
PRODUCTION = re.compile(r"^(prod|production|prd|live)([-_].*)?$")
DECLARATION_KINDS = frozenset({FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART,
                               FileKind.HELM_TEMPLATE, FileKind.TERRAFORM, FileKind.HELM_VALUES,
                               FileKind.TEMPLATED})
MAX_BASE_DEPTH = 6


def detect_environments(ev: RepoEvidence, configured: dict[str, tuple[str, ...]] | None = None
                        ) -> dict[str, tuple[str, ...]]:
    """Environment name -> path globs: the config wins; otherwise per-environment directories, values files,
    the Kustomize bases they build on, and the paths Argo CD / Flux objects of that environment sync."""
    if configured:
        return {k: tuple(v) for k, v in configured.items()}
    globs: dict[str, set[str]] = {}
    charts = {posixpath.dirname(f.path) for f in ev.files if FileKind.HELM_CHART in f.kinds}
    for f in ev.files:
        if not set(f.kinds) & DECLARATION_KINDS:
            continue
        m = ENV_DIR.match(f.path)
        if m and (m.group(2) != "clusters" or m.group(3).lower() in ENV_NAMES):
            globs.setdefault(m.group(3), set()).add(f"{m.group(1)}/{m.group(3)}/**")
            continue
        v = VALUES_ENV.match(f.path)
        if v and v.group(2).lower() in ENV_NAMES:
            chart = posixpath.dirname(f.path)
            # A chart's templates and default values reach every environment built from it.
            shared = ({f"{chart}/templates/**", f"{chart}/values.yaml", f"{chart}/Chart.yaml"}
                      if chart in charts else set())
            globs.setdefault(v.group(2), set()).update({f.path} | shared)
    if not globs:
        return {}
    everywhere = _fleet_wide_paths(ev)
    kustomizations = _kustomizations(ev)
    for env in list(globs):
        for doc in ev.docs:
            if doc.kind not in ("Application", "Kustomization") or not _belongs_to(doc, env):
                continue
            path = doc.get("spec.source.path") if doc.kind == "Application" else doc.get("spec.path")
            if isinstance(path, str) and path.strip("./"):
                globs[env].add(_norm(path) + "/**")
        globs[env] |= everywhere
        for pattern in list(globs[env]):
            if pattern.endswith("/**"):
                globs[env] |= {b + "/**" for b in _bases(pattern[:-3], kustomizations, 0)}
    return {env: tuple(sorted(p)) for env, p in sorted(globs.items())}


def production_envs(envs: dict[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Environments that are production by name; all of them when none is."""
    prod = tuple(e for e in envs if PRODUCTION.match(e.lower()))
    return prod or tuple(envs)


def env_roots(envs: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The directories or files whose Git object ids describe each environment's state."""
    return {env: tuple(sorted({p[:-3] if p.endswith("/**") else p for p in pats if "*" not in p.rstrip("*/")}))
            for env, pats in envs.items()}


@lru_cache(maxsize=256)
def glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching any of the path globs (`**` spans directories, `*` does not)."""
    parts = [glob_body(pattern, question_mark=False) for pattern in patterns]
    return re.compile("^(?:" + "|".join(parts) + ")$") if parts else re.compile(r"(?!)")


def _fleet_wide_paths(ev: RepoEvidence) -> set[str]:
    """Paths an ApplicationSet stamps onto every registered cluster (a `clusters` generator without selector)."""
    found: set[str] = set()
    for doc in ev.docs:
        if doc.kind != "ApplicationSet" or not isinstance(doc.body, dict):
            continue
        generators = doc.get("spec.generators") or []
        everywhere = any(isinstance(g, dict) and isinstance(g.get("clusters"), dict)
                         and not g["clusters"].get("selector") for g in generators)
        path = doc.get("spec.template.spec.source.path")
        if everywhere and isinstance(path, str) and "{{" not in path:
            found.add(_norm(path) + "/**")
    return found


def _belongs_to(doc: YamlDoc, env: str) -> bool:
    word = re.compile(rf"(?:^|[-_/.]){re.escape(env)}(?:$|[-_/.])")
    return bool(word.search(doc.name or "") or word.search(doc.path))


def _kustomizations(ev: RepoEvidence) -> dict[str, YamlDoc]:
    paths = {f.path for f in ev.files if FileKind.KUSTOMIZATION in f.kinds}
    return {posixpath.dirname(d.path): d for d in ev.docs if d.path in paths}


def _bases(directory: str, kustomizations: dict[str, YamlDoc], depth: int) -> set[str]:
    """Directories a Kustomize overlay builds on, followed recursively."""
    doc = kustomizations.get(directory)
    if doc is None or depth > MAX_BASE_DEPTH:
        return set()
    found: set[str] = set()
    for key in ("resources", "bases", "components"):
        entries = doc.get(key)
        for entry in entries if isinstance(entries, list) else []:
            if not isinstance(entry, str) or "://" in entry or entry.endswith((".yaml", ".yml")):
                continue
            target = _norm(posixpath.join(directory, entry))
            if target and not target.startswith("..") and target not in found:
                found.add(target)
                found |= _bases(target, kustomizations, depth + 1)
    return found


def _norm(path: str) -> str:
    return posixpath.normpath(path.strip()).lstrip("./").rstrip("/") if path.strip() not in (".", "./") else ""
