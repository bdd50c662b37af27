"""Deployed paths and environments, derived from what the reconcilers apply (pure).

Entry points are Flux Kustomizations (their `path` read relative to their `sourceRef`), Argo CD Applications and
ApplicationSets whose `repoURL` is this repository, a `flux bootstrap` directory, and, where no reconciler exists,
the paths CI deploy commands apply. Each entry point's directory is followed through Kustomize references, nested
Flux Kustomizations are followed in turn, and the result is grouped into environments by the names the layout gives
(`clusters/<name>`, `overlays/<env>`, `prod`/`staging` segments). One reconciled target with no environment naming is
one environment, `production`. Without any entry point the layout alone decides, as a fallback."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import pathspec

from assess.derive.ci import ci_commands
from assess.derive.repo_urls import is_self_url
from assess.model.deployment import DeploymentMap, EntryPoint, EnvBasis, ExternalSource
from assess.model.evidence import FileKind, RepoEvidence, YamlDoc
from assess.path_globs import glob_body

ENV_NAMES = frozenset({"dev", "development", "test", "testing", "qa", "stage", "staging", "uat", "preprod",
                       "pre-prod", "prod", "production", "prd", "live", "sandbox", "perf", "demo", "int",
                       "integration", "load"})
ENV_WORD = re.compile(r"^(" + "|".join(sorted(ENV_NAMES, key=len, reverse=True)) + r")([-_][a-z0-9-]+)?$")
ENV_PARENTS = frozenset({"overlays", "envs", "environments", "env", "clusters", "cluster"})
# Directories under kubernetes/ that hold shared content rather than one cluster's state.
NOT_CLUSTERS = frozenset({
    "apps", "app", "applications", "base", "bases", "components", "component", "infrastructure", "infra", "core",
    "flux", "flux-system", "bootstrap", "system", "platform", "common", "shared", "templates", "crds", "config",
    "configs", "tenants", "namespaces", "overlays", "lib", "libs", "modules", "charts", "monitoring", "networking",
    "storage", "security", "addons", "argocd", "argo-cd", "argo", "manifests", "deploy", "services", "operators",
    "controllers", "clusters", "cluster", "global", "default", "archive", "policies", "secrets", "utils", "tools",
})
# What a per-cluster folder (`kubernetes/<cluster>/…`) holds; `kubernetes/<app>/ks.yaml` is an app, not a cluster.
CLUSTER_CONTENT = frozenset({"apps", "flux", "bootstrap", "infrastructure", "infra", "cluster", "clusters", "core",
                             "components", "system", "platform", "talos", "config", "flux-system", "argocd"})
DECLARATION_KINDS = frozenset({FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART,
                               FileKind.HELM_TEMPLATE, FileKind.TERRAFORM, FileKind.HELM_VALUES, FileKind.TEMPLATED})
FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io"
ARGO = "argoproj.io"
TEMPLATE_VAR = re.compile(r"\{\{-?\s*\.?([A-Za-z0-9_.\[\]]+)\s*-?\}\}|\$\{\{?\s*([A-Za-z0-9_.]+)\s*\}?\}")
VALUES_ENV = re.compile(r"^(.*/)?values[-.]([a-z0-9_-]+)\.ya?ml$")
TFVARS_ENV = re.compile(r"^(?:(.*)/)?([a-z0-9_-]+)\.tfvars$")
MAX_DEPTH = 12
Ignore = pathspec.GitIgnoreSpec


@dataclass(frozen=True)
class _Source:
    """A Flux source as far as this repository is concerned: is it this repository, and from which folder."""

    self: bool
    root: str = ""
    label: str = ""
    ignore: Ignore | None = None
    copies: tuple[tuple[str, str], ...] = ()  # ExternalArtifact: (artifact dir, repository dir)
    reason: str = ""


@dataclass
class _Found:
    entry_points: list[EntryPoint] = field(default_factory=list)
    external: list[ExternalSource] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    ignored: list[Ignore] = field(default_factory=list)
    stale: list[EntryPoint] = field(default_factory=list)  # declared outside their source, applying nothing here


class _Tree:
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


def deployment_map(ev: RepoEvidence, configured: dict[str, tuple[str, ...]] | None = None,
                   self_urls: Iterable[str] = (), repo_names: Iterable[str] = ()) -> DeploymentMap:
    """Environments and deployed paths of the repository, and what no reconciler applies."""
    tree = _Tree(ev)
    if configured:
        warnings = [f"environment {env!r}: path {p!r} (config file) matches no file in this repository"
                    for env, pats in configured.items() for p in pats if not _glob_hits(tree, p)]
        return DeploymentMap({k: tuple(v) for k, v in configured.items()}, EnvBasis.CONFIGURED,
                             {k: "config file" for k in configured}, warnings=tuple(warnings))
    urls = tuple(self_urls) + ev.remotes
    names = tuple(n.lower() for n in repo_names if n)
    found = _Found()
    sources = _flux_sources(ev, tree, urls, names, found)
    _flux_entry_points(ev, tree, sources, found)
    _flux_instance_entry_points(ev, tree, sources, found)
    _argo_entry_points(ev, tree, urls, names, found)
    _bootstrap_entry_points(ev, tree, found)
    if found.entry_points:
        return _from_entry_points(ev, tree, found)
    return _from_layout(ev, tree, found)


# --- sources -------------------------------------------------------------------------------------------------


def _flux_sources(ev: RepoEvidence, tree: _Tree, urls: tuple[str, ...], names: tuple[str, ...],
                  found: _Found) -> dict[tuple[str, str], _Source]:
    """Flux sources declared in the repository, keyed by (kind, name)."""
    out: dict[tuple[str, str], _Source] = {}
    root_ignore = _sourceignore(ev)
    for doc in _docs(ev, "GitRepository"):
        url = str(_field(doc, "spec.url") or "")
        own = is_self_url(url, urls, names) or doc.name == "flux-system"
        ignore_text = _field(doc, "spec.ignore")
        ignore = _spec(str(ignore_text).splitlines()) if isinstance(ignore_text, str) else root_ignore
        label = f"GitRepository {doc.name} ({url or 'no url'})"
        out[("GitRepository", doc.name or "")] = _Source(own, "", label, ignore,
                                                         reason="" if own else f"{url or 'another repository'}")
        if own and ignore is not None:
            found.ignored.append(ignore)
    pushes = list(_oci_pushes(ev))
    for doc in _docs(ev, "OCIRepository"):
        url = str(_field(doc, "spec.url") or "")
        root = next((path for pattern, path in pushes if _url_matches(pattern, url)), None)
        label = f"OCIRepository {doc.name} ({url})"
        out[("OCIRepository", doc.name or "")] = (
            _Source(True, root, label + f", built from ./{root} by CI") if root is not None
            else _Source(False, label=label, reason=f"{url}: an OCI artifact no CI job of this repository builds"))
    if pushes and ("OCIRepository", "flux-system") not in out:
        root = pushes[0][1]
        out[("OCIRepository", "flux-system")] = _Source(True, root, f"OCIRepository flux-system (bootstrap), built "
                                                        f"from ./{root} by CI")
    for doc in _docs(ev, "ArtifactGenerator"):
        aliases = {str(s.get("alias")): (str(s.get("kind")), str(s.get("name")))
                   for s in _list(_field(doc, "spec.sources")) if isinstance(s, dict)}
        for artifact in _list(_field(doc, "spec.artifacts")):
            if not isinstance(artifact, dict):
                continue
            copies: list[tuple[str, str]] = []
            for rule in _list(artifact.get("copy")):
                if not isinstance(rule, dict):
                    continue
                src, dst = str(rule.get("from") or ""), str(rule.get("to") or "")
                alias, _, rel = src.lstrip("@").partition("/")
                origin = out.get(aliases.get(alias, ("", "")))
                if origin is None and aliases.get(alias, ("", ""))[1] == "flux-system":
                    origin = _Source(True)
                if origin is None or not origin.self or not dst.startswith("@artifact"):
                    continue
                copies.append((_norm(dst.removeprefix("@artifact")), _norm(posixpath.join(origin.root,
                                                                                        _glob_prefix(rel)))))
            name = str(artifact.get("name") or "")
            out[("ExternalArtifact", name)] = (
                _Source(True, "", f"ExternalArtifact {name} (ArtifactGenerator {doc.name})", copies=tuple(copies))
                if copies else _Source(False, label=f"ExternalArtifact {name}",
                                       reason="generated from sources outside this repository"))
    return out


def _oci_pushes(ev: RepoEvidence) -> Iterator[tuple[str, str]]:
    """(artifact URL pattern, repository folder) of every `flux push artifact URL --path=DIR` in CI; variables
    are filled from the workflow's `env` where it declares them."""
    for cmd in ci_commands(ev):
        if "flux push artifact" not in cmd.text:
            continue
        words = cmd.text.replace("=", " ").replace('"', " ").replace("'", " ").split()
        try:
            url = words[words.index("artifact") + 1]
            path = words[words.index("--path") + 1]
        except (ValueError, IndexError):
            continue
        url = _fill(url, _workflow_env(ev, cmd.path))
        yield re.sub(r":[^:/]*$", "", url) if url.count(":") > 1 else url, _norm(path)


def _fill(text: str, env: dict[str, str]) -> str:
    """Replace `$VAR` / `${VAR}` by the values a workflow declares; unknown ones stay as written."""
    def repl(match: re.Match[str]) -> str:
        return env.get(match.group(1), match.group(0))
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", repl, text)


def _workflow_env(ev: RepoEvidence, path: str) -> dict[str, str]:
    """Every `env:` entry of a workflow file (workflow, job and step level), for filling variables."""
    out: dict[str, str] = {}
    for doc in ev.docs_by_path.get(path, ()):
        stack: list[Any] = [doc.body]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                env = node.get("env")
                if isinstance(env, dict):
                    out.update({str(k): str(v) for k, v in env.items() if isinstance(v, (str, int, float))})
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
    return out


def _url_matches(pattern: str, url: str) -> bool:
    """An artifact URL against a CI push target where `${VAR}`/`$VAR`/`${{ expr }}` may stand for anything."""
    if not url:
        return False
    rx = re.escape(pattern)
    rx = re.sub(r"\\\$\\\{\\\{.*?\\\}\\\}|\\\$\\\{[^}]*\\\}|\\\$[A-Za-z_][A-Za-z0-9_]*", "[^:]*", rx)
    return re.match("^" + rx + "(:.*)?$", url.strip()) is not None


def _sourceignore(ev: RepoEvidence) -> Ignore | None:
    for f in ev.files_by_kind.get(FileKind.SOURCE_IGNORE, ()):
        if f.path == ".sourceignore" and f.text:
            return _spec(f.text.splitlines())
    return None


def _spec(lines: list[str]) -> Ignore | None:
    try:
        return pathspec.GitIgnoreSpec.from_lines([ln for ln in lines if ln.strip()])
    except (ValueError, TypeError):  # an invalid pattern in untrusted content
        return None


# --- entry points --------------------------------------------------------------------------------------------


def _flux_entry_points(ev: RepoEvidence, tree: _Tree, sources: dict[tuple[str, str], _Source],
                       found: _Found) -> None:
    for doc in _docs(ev, "Kustomization", group=FLUX_KUSTOMIZE):
        kind = str(_field(doc, "spec.sourceRef.kind") or "")
        name = str(_field(doc, "spec.sourceRef.name") or "")
        if not kind or not name:
            continue  # a patch or a fragment: not an object Flux would apply
        path = str(_field(doc, "spec.path") or "./")
        source = sources.get((kind, name))
        if source is None and kind == "GitRepository" and name == "flux-system":
            source = _Source(True, "", "GitRepository flux-system (bootstrap)")
        if source is None or not source.self:
            reason = source.reason if source else f"{kind} {name} is not declared in this repository"
            found.external.append(ExternalSource(doc.kind or "", doc.name or "", doc.path, doc.line,
                                                 source.label if source else f"{kind} {name}", reason))
            continue
        applies = _within_source(source, path)
        # Declared where its own source does not deliver (outside the artifact's folder, or ignored): only an
        # object applying this file could still make it live, which the grouping below checks.
        outside = bool(source.root and not doc.path.startswith(source.root + "/")) or bool(
            source.ignore is not None and _ignored(doc.path, [source.ignore]))
        entry = EntryPoint("Flux", "Kustomization", doc.name or "?", doc.path, doc.line_of("spec.path"), applies,
                           source.label, outside_source=outside)
        _add(found, tree, entry, path)
        for component in _list(_field(doc, "spec.components")):
            if isinstance(component, str):
                _add(found, tree, replace(entry, applies=_norm(posixpath.join(applies, component))), component)


def _within_source(source: _Source, path: str) -> str:
    """A path inside a source, as a repository path."""
    rel = _norm(path)
    for artifact_dir, repo_dir in source.copies:
        if rel == artifact_dir or rel.startswith(artifact_dir + "/") or not artifact_dir:
            tail = rel[len(artifact_dir):].lstrip("/") if artifact_dir else rel
            return _norm(posixpath.join(repo_dir, tail))
    return _norm(posixpath.join(source.root, rel))


def _add(found: _Found, tree: _Tree, entry: EntryPoint, written: str) -> None:
    """Keep an entry point whose path exists; warn about one whose path matches nothing."""
    hits = tree.expand(entry.applies) if entry.applies else [""]
    if not hits and entry.outside_source:
        found.stale.append(entry)  # dead anyway: summarised with the other unreachable ones
        return
    if not hits:
        found.warnings.append(f"{entry.tool} {entry.kind} {entry.name} ({entry.file}:{entry.line}) applies "
                              f"{written}, which matches no file in this repository: not counted as deployed")
        return
    for hit in hits:
        found.entry_points.append(EntryPoint(entry.tool, entry.kind, entry.name, entry.file, entry.line, hit,
                                             entry.source, entry.environment, entry.inferred, entry.outside_source))


def _argo_entry_points(ev: RepoEvidence, tree: _Tree, urls: tuple[str, ...], names: tuple[str, ...],
                       found: _Found) -> None:
    for doc in _docs(ev, "Application", group=ARGO):
        _argo_sources(doc, "Application", doc.name or "?", _field(doc, "spec"), "spec", [{}], tree, urls, names,
                      found)
    for doc in _docs(ev, "ApplicationSet", group=ARGO):
        params = _generator_params(_field(doc, "spec.generators"), tree)
        _argo_sources(doc, "ApplicationSet", doc.name or "?", _field(doc, "spec.template.spec"),
                      "spec.template.spec", params, tree, urls, names, found)
    # The argo-cd-apps chart declares Applications and ApplicationSets in its values (also under a subchart key):
    # in a chart's values.yaml, or in another values file a source names (a seed file an installer uses once is not
    # what the cluster keeps rendering).
    named = _named_value_files(ev)
    for doc in values_docs(ev):
        if posixpath.basename(doc.path) not in ("values.yaml", "values.yml") and \
                posixpath.basename(doc.path) not in named:
            continue
        for kind, name, key, spec in argo_apps_in_values(doc):
            if kind == "Application":
                _argo_sources(doc, kind, name, spec, key, [{}], tree, urls, names, found)
            else:
                template = spec.get("template")
                inner = template.get("spec") if isinstance(template, dict) else None
                _argo_sources(doc, kind, name, inner, f"{key}.template.spec",
                              _generator_params(spec.get("generators"), tree), tree, urls, names, found)


def _named_value_files(ev: RepoEvidence) -> set[str]:
    """Names of the values files Argo CD sources (`helm.valueFiles`) and Flux HelmReleases (`valuesFiles`) use."""
    names: set[str] = set()
    for doc in ev.docs:
        for key in ("spec.source.helm.valueFiles", "spec.chart.spec.valuesFiles",
                    "spec.template.spec.source.helm.valueFiles"):
            names |= {posixpath.basename(v) for v in _list(doc.get(key)) if isinstance(v, str)}
    return names


def argo_apps_in_values(doc: YamlDoc) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(kind, name, key path, spec) of each Application and ApplicationSet the argo-cd-apps chart's values declare,
    at the top of a values file or under a subchart key (`argocd-apps:`)."""
    body = doc.body
    if not isinstance(body, dict):
        return []
    prefixes = [""] if {"applications", "applicationsets"} & set(body) else []
    prefixes += [f"{k}." for k, v in body.items() if isinstance(v, dict) and "." not in str(k)
                 and {"applications", "applicationsets"} & set(v)]
    out: list[tuple[str, str, str, dict[str, Any]]] = []
    for prefix in prefixes:
        for key, kind in (("applications", "Application"), ("applicationsets", "ApplicationSet")):
            items = doc.get(f"{prefix}{key}")
            if isinstance(items, dict):
                out += [(kind, str(n), f"{prefix}{key}.{n}", v) for n, v in items.items() if isinstance(v, dict)]
            elif isinstance(items, list):
                out += [(kind, str(v.get("name", i)), f"{prefix}{key}.{i}", v) for i, v in enumerate(items)
                        if isinstance(v, dict)]
    return out


def _argo_sources(doc: YamlDoc, kind: str, name: str, spec: Any, key: str, params: list[dict[str, str]],
                  tree: _Tree, urls: tuple[str, ...], names: tuple[str, ...], found: _Found) -> None:
    if not isinstance(spec, dict):
        return
    listed = spec.get("sources")
    for source in listed if isinstance(listed, list) else [spec.get("source")]:
        if not isinstance(source, dict) or not isinstance(source.get("path"), str) or source.get("chart"):
            continue
        repo_url = str(source.get("repoURL") or "")
        for values in params:
            path = _substitute(str(source["path"]), values)
            own = is_self_url(repo_url, urls, names)
            inferred = False
            if not own and repo_url and "{{" not in repo_url:
                # Mirrors, forks and renamed repositories carry other URLs than the reconciler's: a path that exists
                # here is taken to be this repository's (said so in the entry point).
                own = inferred = bool(tree.expand(_norm(path)))
            if not own:
                found.external.append(ExternalSource(kind, name, doc.path, doc.line, repo_url,
                                                     "another repository (repoURL)"))
                break
            env = values.get("env") or values.get("environment") or values.get("stage")
            source_label = f"repoURL {repo_url}" + (" (taken to be this repository: its path exists here)"
                                                    if inferred else "")
            entry = EntryPoint("Argo CD", kind, name, doc.path, doc.line_of(f"{key}.source.path"), _norm(path),
                               source_label, env, inferred)
            _add(found, tree, entry, path)
            helm = source.get("helm")
            for values_file in _list(helm.get("valueFiles") if isinstance(helm, dict) else None):
                if isinstance(values_file, str) and "://" not in values_file:
                    target = _norm(posixpath.join(_norm(path), _substitute(values_file, values)))
                    _add(found, tree, replace(entry, applies=target), values_file)


def _generator_params(generators: Any, tree: _Tree) -> list[dict[str, str]]:
    """Parameter sets of ApplicationSet generators: git directories, list elements; matrix/merge flattened."""
    out: list[dict[str, str]] = []
    for gen in _list(generators):
        if not isinstance(gen, dict):
            continue
        git = gen.get("git")
        if isinstance(git, dict):
            excluded = {_norm(str(d.get("path"))) for d in _list(git.get("directories"))
                        if isinstance(d, dict) and d.get("exclude")}
            for d in _list(git.get("directories")):
                if isinstance(d, dict) and not d.get("exclude") and isinstance(d.get("path"), str):
                    for hit in tree.expand(_norm(d["path"])):
                        if hit in tree.dirs and hit not in excluded:
                            out.append({"path": hit, "path.path": hit, "path.basename": posixpath.basename(hit),
                                        "path.basenameNormalized": posixpath.basename(hit)})
        lst = gen.get("list")
        if isinstance(lst, dict):
            for el in _list(lst.get("elements")):
                if isinstance(el, dict):
                    out.append({str(k): str(v) for k, v in el.items() if isinstance(v, (str, int, float))})
        for nest in ("matrix", "merge"):
            inner = gen.get(nest)
            if isinstance(inner, dict):
                out.extend(_generator_params(inner.get("generators"), tree))
    return out or [{}]


def _substitute(path: str, values: dict[str, str]) -> str:
    """Fill `{{path}}`, `{{.path.path}}`, `{{env}}`, `${VAR}` from generator parameters; unknown ones become `*`."""
    def repl(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2) or ""
        for candidate in (key, key.removeprefix("values."), key.removeprefix("path.")):
            if candidate in values:
                return values[candidate]
        return "*"
    return TEMPLATE_VAR.sub(repl, path)


def _flux_instance_entry_points(ev: RepoEvidence, tree: _Tree, sources: dict[tuple[str, str], _Source],
                                found: _Found) -> None:
    """The Flux Operator's `FluxInstance.spec.sync` (also as the flux-instance chart's `instance.sync` values):
    the path the cluster's bootstrap reconciles."""
    syncs: list[tuple[YamlDoc, str, Any]] = [(d, "spec.sync", _field(d, "spec.sync"))
                                             for d in _docs(ev, "FluxInstance")]
    syncs += [(d, "instance.sync", d.get("instance.sync")) for d in values_docs(ev)]
    pushes = list(_oci_pushes(ev))
    for doc, key, sync in syncs:
        if not isinstance(sync, dict) or not isinstance(sync.get("path"), str):
            continue
        kind, url = str(sync.get("kind") or "GitRepository"), str(sync.get("url") or "")
        if kind == "OCIRepository":
            root = next((path for pattern, path in pushes if _url_matches(pattern, url)), None)
            source = _Source(root is not None, root or "", f"OCIRepository {url}" + (
                f", built from ./{root} by CI" if root is not None else ""), reason="an OCI artifact no CI job of "
                "this repository builds")
        else:
            source = sources.get(("GitRepository", "flux-system")) or _Source(True, "", f"GitRepository {url}")
        if not source.self:
            found.external.append(ExternalSource("FluxInstance", doc.name or doc.path, doc.path, doc.line,
                                                 source.label, source.reason))
            continue
        _add(found, tree, EntryPoint("Flux", "bootstrap", "FluxInstance sync", doc.path, doc.line_of(f"{key}.path"),
                                     _within_source(source, sync["path"]), source.label), sync["path"])


def _bootstrap_entry_points(ev: RepoEvidence, tree: _Tree, found: _Found) -> None:
    """`flux bootstrap --path=X` writes X/flux-system/gotk-*.yaml and reconciles X: X is deployed."""
    for path in tree.paths:
        if posixpath.basename(path) in ("gotk-components.yaml", "gotk-sync.yaml") and "/flux-system/" in f"/{path}":
            root = posixpath.dirname(posixpath.dirname(path))
            if not any(e.applies == root and e.kind == "bootstrap" for e in found.entry_points):
                found.entry_points.append(EntryPoint("Flux", "bootstrap", "flux-system", path, 1, root,
                                                     "flux bootstrap (gotk-sync)"))


# --- environments --------------------------------------------------------------------------------------------


def _from_entry_points(ev: RepoEvidence, tree: _Tree, found: _Found) -> DeploymentMap:
    """Follow each entry point's folder through Kustomize references, name it after the topmost entry point of
    the chain that applies it, and group the folders into environments."""
    kustomizations = {posixpath.dirname(d.path): d for d in ev.docs
                      if FileKind.KUSTOMIZATION in ev.kinds_by_path.get(d.path, ())}
    entries = _reachable(found)
    closures = {id(e): {e.file} | _closure(e.applies, kustomizations, tree) for e in entries}
    if any(_is_bootstrap(e) for e in entries):
        entries = _from_bootstrap(entries, closures, found)
    else:
        entries += _inferred_bootstraps(entries, closures, tree)
        for e in entries:
            closures.setdefault(id(e), {e.file} | _closure(e.applies, kustomizations, tree))
    parents = _parents(entries, closures)
    envs: dict[str, set[str]] = {}
    how: dict[str, str] = {}
    shared: set[str] = set()
    owner: dict[str, str] = {}  # declaring file -> the environment its entry point belongs to
    for entry in entries:
        named = _named(entry, parents)
        if named:
            envs.setdefault(named[0], set()).update(closures[id(entry)])
            how.setdefault(named[0], named[1].describe())
            owner.setdefault(entry.file, named[0])
        else:
            shared |= closures[id(entry)]
    if not envs:
        roots = [e for e in entries if parents[id(e)] is None]
        envs["production"] = shared
        how["production"] = "one reconciled target, no environment naming: " + "; ".join(
            r.describe() for r in roots[:3]) + ("; …" if len(roots) > 3 else "")
    elif shared:
        for env in envs:
            envs[env] |= _shared_for(env, shared, owner, tree)
    environments = {env: tuple(sorted(_without_ignored(globs, found.ignored, tree)))
                    for env, globs in sorted(envs.items())}
    reach = {f"{e.file}:{e.line}": tuple(sorted(closures[id(e)])) for e in entries}
    return DeploymentMap(environments, EnvBasis.RECONCILER, how, tuple(entries), tuple(found.external),
                         _not_deployed(ev, environments), tuple(found.warnings), reach)


def _shared_for(env: str, shared: set[str], owner: dict[str, str], tree: _Tree) -> set[str]:
    """What unnamed entry points apply, as it reaches one environment: a hub's folder holds one file per spoke, and
    `hub/staging.yaml` is not a production change."""
    foreign = {f for f, e in owner.items() if e != env}
    out: set[str] = set()
    for glob in shared:
        if glob.endswith("**") and foreign:
            rx = glob_regex((glob,))
            if any(rx.match(f) for f in foreign):
                out |= {p for p in tree.paths if rx.match(p) and p not in foreign}
                continue
        if glob not in foreign:
            out.add(glob)
    return out


def _is_bootstrap(entry: EntryPoint) -> bool:
    """What the cluster reconciles first: a bootstrap folder, a FluxInstance sync, or the `flux-system`
    Kustomization that `flux bootstrap` writes."""
    return entry.kind == "bootstrap" or (entry.kind == "Kustomization" and entry.name == "flux-system")


def _from_bootstrap(entries: list[EntryPoint], closures: dict[int, set[str]], found: _Found) -> list[EntryPoint]:
    """With the bootstrap path known, Flux objects it does not reach (directly or through other Flux objects) are
    applied by nothing: a Kustomization whose overlay line is commented out is not deployed."""
    parents = _parents(entries, closures)
    kept: list[EntryPoint] = []
    dropped: dict[str, int] = {}
    for entry in entries:
        node: EntryPoint | None = entry
        seen: set[int] = set()
        while node is not None and not _is_bootstrap(node) and id(node) not in seen:
            seen.add(id(node))
            node = parents[id(node)]
        if node is not None or entry.tool != "Flux":
            kept.append(entry)
        else:
            folder = posixpath.dirname(entry.file)
            dropped[folder] = dropped.get(folder, 0) + 1
    if dropped:
        sample = ", ".join(sorted(dropped)[:5]) + (", …" if len(dropped) > 5 else "")
        found.warnings.append(f"{sum(dropped.values())} Flux object(s) are not reached from the bootstrap path "
                              f"(nothing applies them): not counted as deployed ({sample})")
    return kept


def _parents(entries: list[EntryPoint], closures: dict[int, set[str]]) -> dict[int, EntryPoint | None]:
    """For each entry point, the entry point whose applied content holds the file declaring it (the most specific
    one when several do; never one declared in the same file)."""
    matchers = [(e, glob_regex(tuple(closures[id(e)] - {e.file}))) for e in entries]
    out: dict[int, EntryPoint | None] = {}
    for entry in entries:
        best: EntryPoint | None = None
        for other, rx in matchers:
            if other.file == entry.file or not rx.match(entry.file):
                continue
            if best is None or len(other.applies) > len(best.applies):
                best = other
        out[id(entry)] = best
    return out


def _inferred_bootstraps(entries: list[EntryPoint], closures: dict[int, set[str]],
                         tree: _Tree) -> list[EntryPoint]:
    """Root Flux objects on the bootstrap source live in the folder `flux bootstrap` (or a FluxInstance `sync.path`)
    reconciles: that folder is deployed too, even when the bootstrap manifests are not committed."""
    parents = _parents(entries, closures)
    out: list[EntryPoint] = []
    known = {e.applies for e in entries if e.kind == "bootstrap"}
    for e in entries:
        if parents[id(e)] is None and e.tool == "Flux" and e.kind == "Kustomization" and "flux-system" in e.source:
            folder = posixpath.dirname(e.file)
            if folder not in known:
                known.add(folder)
                out.append(EntryPoint("Flux", "bootstrap", "flux-system", e.file, 1, folder,
                                      "the folder holding root Flux objects (bootstrap path, inferred)",
                                      inferred=True))
    return out


def _reachable(found: _Found) -> list[EntryPoint]:
    """Entry points something applies: a root declared outside what its own source delivers is dead (an
    `.archive/` folder beside an OCI artifact built from `./kubernetes`), and so is everything only it applies."""
    entries = list(found.entry_points)
    dead = list(found.stale)
    while True:
        parents = _parents(entries, {id(e): {e.file, f"{e.applies}/**" if e.applies else "**"} for e in entries})
        newly = [e for e in entries if e.outside_source and parents[id(e)] is None]
        dead += newly
        entries = [e for e in entries if e not in newly]
        if not newly:
            break
    if dead:
        groups: dict[str, int] = {}
        for e in dead:
            folder = "/".join(e.file.split("/")[:2])
            groups[folder] = groups.get(folder, 0) + 1
        found.warnings += [f"{n} Flux object(s) under {folder}/ are declared outside the content their source "
                           "delivers, and nothing else applies them: not counted as deployed"
                           for folder, n in sorted(groups.items())]
    return entries


def _named(entry: EntryPoint, parents: dict[int, EntryPoint | None]) -> tuple[str, EntryPoint] | None:
    """The environment an entry point belongs to: the naming nearest the top of the chain applying it (the cluster
    decides; a folder called `development` deep inside one cluster's apps is a namespace, not an environment)."""
    chain: list[EntryPoint] = []
    node: EntryPoint | None = entry
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(id(node))
    for node in reversed(chain):
        name = node.environment or _env_name(node.applies) or _env_name(node.file)
        if name:
            return name, node
    return None


def _without_ignored(globs: set[str], specs: list[Ignore], tree: _Tree) -> set[str]:
    """Replace folder globs that contain ignored content by their non-ignored children (source `ignore` rules)."""
    if not specs:
        return globs
    out: set[str] = set()
    for glob in globs:
        out |= _split_ignored(glob, specs, tree, 0)
    return out


def _split_ignored(glob: str, specs: list[Ignore], tree: _Tree, depth: int) -> set[str]:
    if not (glob == "**" or glob.endswith("/**")):
        return set() if _ignored(glob, specs) else {glob}
    base = glob.removesuffix("**").rstrip("/")
    if base and _ignored(base, specs):
        return set()
    inside = list(tree.under(base))
    if not any(_ignored(p, specs) for p in inside):
        return {glob}
    if depth > MAX_DEPTH:
        return {p for p in inside if not _ignored(p, specs)}
    prefix = f"{base}/" if base else ""
    children = {prefix + p[len(prefix):].split("/", 1)[0] for p in inside}
    out: set[str] = set()
    for child in children:
        out |= _split_ignored(child + "/**", specs, tree, depth + 1) if child in tree.dirs else (
            set() if _ignored(child, specs) else {child})
    return out


def _closure(directory: str, kustomizations: dict[str, YamlDoc], tree: _Tree, depth: int = 0) -> set[str]:
    """What applying a folder applies. With a kustomization.yaml: that file and what it lists, followed
    transitively (a folder it does not list is not applied). Without one: every manifest in it, and each sub-folder
    applied the same way (as Flux generates a kustomization); `folder/**` when nothing below lists anything."""
    if directory not in tree.dirs or depth > MAX_DEPTH:
        return {directory} if directory in tree.files else set()
    doc = kustomizations.get(directory)
    if doc is not None and isinstance(doc.body, dict):
        out = {doc.path}
        for ref in _kustomize_refs(doc):
            target = _norm(posixpath.join(directory, ref))
            if target.startswith(".."):
                continue
            if target in tree.dirs:
                out |= _closure(target, kustomizations, tree, depth + 1)
            elif target in tree.files:
                out.add(target)
        return out
    prefix = f"{directory}/" if directory else ""
    if doc is None and f"{prefix}Chart.yaml" in tree.files:
        # A Helm chart: its templates and default values; another values-*.yaml applies only where a source names
        # it (`helm.valueFiles`, added as an entry point of its own).
        return {p for p in tree.under(directory) if not _extra_values(p, directory)}
    if doc is None and not any(k.startswith(prefix) for k in kustomizations if k != directory):
        return {f"{directory}/**" if directory else "**"}
    files, subdirs = tree.children.get(directory, ([], []))
    out = set(files)
    for sub in subdirs:
        out |= _closure(sub, kustomizations, tree, depth + 1)
    return out


def _extra_values(path: str, chart: str) -> bool:
    """A values file beside a chart's own values.yaml (values-seed.yaml, values-prod.yaml)."""
    name = posixpath.basename(path)
    return (posixpath.dirname(path) == chart and name.startswith("values") and name.endswith((".yaml", ".yml"))
            and name not in ("values.yaml", "values.yml"))


def _kustomize_refs(doc: YamlDoc) -> Iterator[str]:
    """Local paths a kustomization.yaml builds from (resources, components, patches, generator files)."""
    for key in ("resources", "bases", "components", "patchesStrategicMerge", "crds"):
        for entry in _list(doc.get(key)):
            if isinstance(entry, str) and "://" not in entry and not entry.startswith("github.com/"):
                yield entry
    for key in ("patches", "patchesJson6902"):
        for entry in _list(doc.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield entry["path"]
    for key in ("configMapGenerator", "secretGenerator"):
        for gen in _list(doc.get(key)):
            for item in _list(gen.get("files") if isinstance(gen, dict) else None):
                if isinstance(item, str):
                    yield item.split("=", 1)[-1]
    for chart in _list(doc.get("helmCharts")):
        if isinstance(chart, dict) and isinstance(chart.get("valuesFile"), str):
            yield chart["valuesFile"]


def _env_name(path: str) -> str | None:
    """The environment a path names: `clusters/<name>`, `overlays/<env>`, an env word, or `kubernetes/<cluster>`."""
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts[:-1] if posixpath.splitext(path)[1] else parts):
        low = part.lower()
        if i > 0 and parts[i - 1].lower() in ENV_PARENTS and low not in NOT_CLUSTERS:
            return part
        if ENV_WORD.match(low):
            return part
        if (i > 0 and parts[i - 1].lower() in ("kubernetes", "k8s") and low not in NOT_CLUSTERS
                and i + 1 < len(parts) and parts[i + 1].lower() in CLUSTER_CONTENT):
            return part
    return None


def _not_deployed(ev: RepoEvidence, environments: dict[str, tuple[str, ...]]) -> tuple[tuple[str, int], ...]:
    """Declaration files no environment covers, grouped by their first two folders."""
    matcher = glob_regex(tuple(g for globs in environments.values() for g in globs))
    counts: dict[str, int] = {}
    for f in ev.files:
        if not set(f.kinds) & DECLARATION_KINDS or matcher.match(f.path):
            continue
        head = "/".join(f.path.split("/")[:2]) if "/" in f.path else f.path
        counts[head] = counts.get(head, 0) + 1
    return tuple(sorted(counts.items()))


def _ignored(path: str, specs: list[Ignore]) -> bool:
    """Whether a source's ignore rules leave a file or folder out of the artifact."""
    return bool(path) and any(s.match_file(path) or s.match_file(path + "/") for s in specs)


def _from_layout(ev: RepoEvidence, tree: _Tree, found: _Found) -> DeploymentMap:
    """No reconciler applies this repository: environments from per-environment folders, referenced values files,
    Terraform variable files, and the paths CI deploy commands apply."""
    globs: dict[str, set[str]] = {}
    how: dict[str, str] = {}
    referenced = _referenced_text(ev)
    charts = {posixpath.dirname(f.path) for f in ev.files if FileKind.HELM_CHART in f.kinds}
    for f in ev.files:
        if not set(f.kinds) & DECLARATION_KINDS:
            continue
        parts = f.path.split("/")
        for i, part in enumerate(parts[:-1]):
            if i > 0 and parts[i - 1].lower() in ENV_PARENTS and part.lower() not in NOT_CLUSTERS:
                root = "/".join(parts[: i + 1])
                globs.setdefault(part, set()).add(root + "/**")
                how.setdefault(part, f"folder {root}/")
                break
        else:
            values = VALUES_ENV.match(f.path)
            if values and _is_env(values.group(2)) and posixpath.basename(f.path) in referenced:
                chart = posixpath.dirname(f.path)
                shared = {f"{chart}/templates/**", f"{chart}/values.yaml", f"{chart}/Chart.yaml"} \
                    if chart in charts else set()
                globs.setdefault(values.group(2), set()).update({f.path} | shared)
                how.setdefault(values.group(2), f"values file {f.path} (referenced)")
                continue
            tfvars = TFVARS_ENV.match(f.path)
            if tfvars and _is_env(tfvars.group(2)):
                directory = tfvars.group(1) or ""
                env = tfvars.group(2)
                globs.setdefault(env, set()).update({f.path, f"{directory}/*.tf" if directory else "*.tf"})
                how.setdefault(env, f"Terraform variables {f.path}")
    for path, line, applied in _ci_deploy_paths(ev):
        if not tree.expand(applied):
            found.warnings.append(f"CI deploy command at {path}:{line} applies ./{applied}, which matches no file "
                                  "in this repository")
            continue
        env = _env_name(applied) or "production"
        globs.setdefault(env, set()).add(f"{applied}/**" if applied in tree.dirs else applied)
        how.setdefault(env, f"CI deploy command at {path}:{line} applies ./{applied}")
    if not globs:
        return DeploymentMap(basis=EnvBasis.NONE, external=tuple(found.external), warnings=tuple(found.warnings))
    kustomizations = {posixpath.dirname(d.path): d for d in ev.docs
                      if FileKind.KUSTOMIZATION in ev.kinds_by_path.get(d.path, ())}
    for pats in globs.values():
        for pattern in list(pats):
            if pattern.endswith("/**"):
                pats |= _closure(pattern[:-3], kustomizations, tree)
    environments = {env: tuple(sorted(p)) for env, p in sorted(globs.items())}
    return DeploymentMap(environments, EnvBasis.LAYOUT, how, external=tuple(found.external),
                         warnings=tuple(found.warnings))


CI_APPLY = re.compile(r"\b(?:kubectl|oc)\b.*?\bapply\b.*?(?:-f|--filename|-k|--kustomize)[= ]+([^\s;|&]+)")
CI_KUSTOMIZE = re.compile(r"\bkustomize\s+build\s+([^\s;|&]+)")
CI_HELM = re.compile(r"\bhelm\s+(?:upgrade|install)\b(.*)")


def _ci_deploy_paths(ev: RepoEvidence) -> Iterator[tuple[str, int, str]]:
    """(file, line, repository path) of what CI deploy commands apply."""
    for cmd in ci_commands(ev):
        if cmd.uses is not None:
            continue
        for rx in (CI_APPLY, CI_KUSTOMIZE):
            m = rx.search(cmd.text)
            if m and "$" not in m.group(1) and "://" not in m.group(1) and m.group(1) != "-":
                yield cmd.path, cmd.line, _norm(m.group(1))
        helm = CI_HELM.search(cmd.text)
        if helm:
            words = [w for w in helm.group(1).split() if not w.startswith("-")]
            chart = words[1] if len(words) > 1 else None
            if chart and (chart.startswith(("./", "../")) or "/" in chart) and "$" not in chart \
                    and "://" not in chart:
                yield cmd.path, cmd.line, _norm(chart)


def _referenced_text(ev: RepoEvidence) -> set[str]:
    """File names mentioned by CI commands, Argo CD value files and HelmRelease values files."""
    names: set[str] = set()
    for cmd in ci_commands(ev):
        names |= {posixpath.basename(w.strip("'\"")) for w in cmd.text.replace("=", " ").split()}
    for doc in ev.docs:
        for key in ("spec.source.helm.valueFiles", "spec.chart.spec.valuesFiles"):
            names |= {posixpath.basename(v) for v in _list(doc.get(key)) if isinstance(v, str)}
    return names


# --- small helpers -------------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def glob_regex(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex matching any of the path globs (`**` spans directories, `*` does not)."""
    parts = [glob_body(pattern, question_mark=False) for pattern in patterns]
    return re.compile("^(?:" + "|".join(parts) + ")$") if parts else re.compile(r"(?!)")


def env_roots(envs: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """The directories or files whose Git object ids describe each environment's state."""
    return {env: tuple(sorted({p[:-3] if p.endswith("/**") else p for p in pats if "*" not in p.rstrip("*/")}))
            for env, pats in envs.items()}


def _glob_hits(tree: _Tree, pattern: str) -> bool:
    rx = glob_regex((pattern,))
    return any(rx.match(p) for p in tree.paths)


def _glob_prefix(rel: str) -> str:
    """The folder part of a copy pattern before its first wildcard (`deploy/**` -> `deploy`)."""
    parts = []
    for part in rel.split("/"):
        if any(c in part for c in "*?["):
            break
        parts.append(part)
    return "/".join(parts)


def _is_env(word: str) -> bool:
    return bool(ENV_WORD.match(word.lower()))


def _docs(ev: RepoEvidence, kind: str, group: str | None = None) -> list[YamlDoc]:
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


def _field(doc: YamlDoc, key: str) -> Any:
    """A field of a parsed body, or its literal value in a templated document."""
    if doc.templated:
        prefix = f"{key}="
        return next((k[len(prefix):] for k in doc.lines if k.startswith(prefix)), None)
    return doc.get(key)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _norm(path: str) -> str:
    """A repository-relative path: no leading ./ or /, no trailing /, '' for the root (.. kept, to be refused)."""
    text = path.strip().lstrip("/")
    norm = posixpath.normpath(text) if text else "."
    return "" if norm == "." else norm
