"""Entry points: the reconciler objects (Flux Kustomizations, FluxInstance syncs, `flux bootstrap` folders, Argo CD
Applications and ApplicationSets) that apply a path of this repository (pure)."""

from __future__ import annotations

import posixpath
import re
from dataclasses import replace
from typing import Any

from assess.derive.deployment.paths import (
    Found,
    PathTree,
    docs_of,
    field_of,
    ignored,
    list_of,
    norm,
    values_docs,
)
from assess.derive.deployment.sources import FLUX_KUSTOMIZE, FluxSource, oci_pushes, url_matches, within_source
from assess.derive.repo_urls import is_self_url
from assess.model.deployment import EntryPoint, ExternalSource
from assess.model.evidence import RepoEvidence, YamlDoc

ARGO = "argoproj.io"
TEMPLATE_VAR = re.compile(r"\{\{-?\s*\.?([A-Za-z0-9_.\[\]]+)\s*-?\}\}|\$\{\{?\s*([A-Za-z0-9_.]+)\s*\}?\}")




def flux_entry_points(ev: RepoEvidence, tree: PathTree, sources: dict[tuple[str, str], FluxSource],
                       found: Found) -> None:
    """Flux Kustomizations: each path resolved against its source (this repository, or declared as external)."""
    for doc in docs_of(ev, "Kustomization", group=FLUX_KUSTOMIZE):
        kind = str(field_of(doc, "spec.sourceRef.kind") or "")
        name = str(field_of(doc, "spec.sourceRef.name") or "")
        if not kind or not name:
            continue  # a patch or a fragment: not an object Flux would apply
        path = str(field_of(doc, "spec.path") or "./")
        source = sources.get((kind, name))
        if source is None and kind == "GitRepository" and name == "flux-system":
            source = FluxSource(True, "", "GitRepository flux-system (bootstrap)")
        if source is None or not source.self:
            reason = source.reason if source else f"{kind} {name} is not declared in this repository"
            found.external.append(ExternalSource(doc.kind or "", doc.name or "", doc.path, doc.line,
                                                 source.label if source else f"{kind} {name}", reason))
            continue
        applies = within_source(source, path)
        # Declared where its own source does not deliver (outside the artifact's folder, or ignored): only an
        # object applying this file could still make it live, which the grouping below checks.
        outside = bool(source.root and not doc.path.startswith(source.root + "/")) or bool(
            source.ignore is not None and ignored(doc.path, [source.ignore]))
        entry = EntryPoint("Flux", "Kustomization", doc.name or "?", doc.path, doc.line_of("spec.path"), applies,
                           source.label, outside_source=outside)
        add_entry(found, tree, entry, path)
        for component in list_of(field_of(doc, "spec.components")):
            if isinstance(component, str):
                add_entry(found, tree, replace(entry, applies=norm(posixpath.join(applies, component))), component)


def add_entry(found: Found, tree: PathTree, entry: EntryPoint, written: str) -> None:
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


def argo_entry_points(ev: RepoEvidence, tree: PathTree, urls: tuple[str, ...], names: tuple[str, ...],
                       found: Found) -> None:
    """Argo CD Applications and ApplicationSets whose sources are this repository."""
    for doc in docs_of(ev, "Application", group=ARGO):
        argo_sources(doc, "Application", doc.name or "?", field_of(doc, "spec"), "spec", [{}], tree, urls, names,
                      found)
    for doc in docs_of(ev, "ApplicationSet", group=ARGO):
        params = generator_params(field_of(doc, "spec.generators"), tree)
        argo_sources(doc, "ApplicationSet", doc.name or "?", field_of(doc, "spec.template.spec"),
                      "spec.template.spec", params, tree, urls, names, found)
    # The argo-cd-apps chart declares Applications and ApplicationSets in its values (also under a subchart key):
    # in a chart's values.yaml, or in another values file a source names (a seed file an installer uses once is not
    # what the cluster keeps rendering).
    named = named_value_files(ev)
    for doc in values_docs(ev):
        if posixpath.basename(doc.path) not in ("values.yaml", "values.yml") and \
                posixpath.basename(doc.path) not in named:
            continue
        for kind, name, key, spec in argo_apps_in_values(doc):
            if kind == "Application":
                argo_sources(doc, kind, name, spec, key, [{}], tree, urls, names, found)
            else:
                template = spec.get("template")
                inner = template.get("spec") if isinstance(template, dict) else None
                argo_sources(doc, kind, name, inner, f"{key}.template.spec",
                              generator_params(spec.get("generators"), tree), tree, urls, names, found)


def named_value_files(ev: RepoEvidence) -> set[str]:
    """Names of the values files Argo CD sources (`helm.valueFiles`) and Flux HelmReleases (`valuesFiles`) use."""
    names: set[str] = set()
    for doc in ev.docs:
        for key in ("spec.source.helm.valueFiles", "spec.chart.spec.valuesFiles",
                    "spec.template.spec.source.helm.valueFiles"):
            names |= {posixpath.basename(v) for v in list_of(doc.get(key)) if isinstance(v, str)}
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


def argo_sources(doc: YamlDoc, kind: str, name: str, spec: Any, key: str, params: list[dict[str, str]],
                  tree: PathTree, urls: tuple[str, ...], names: tuple[str, ...], found: Found) -> None:
    """The entry points of one Argo CD spec's `source`/`sources` (template parameters filled in)."""
    if not isinstance(spec, dict):
        return
    listed = spec.get("sources")
    for source in listed if isinstance(listed, list) else [spec.get("source")]:
        if not isinstance(source, dict) or not isinstance(source.get("path"), str) or source.get("chart"):
            continue
        repo_url = str(source.get("repoURL") or "")
        for values in params:
            path = substitute(str(source["path"]), values)
            own = is_self_url(repo_url, urls, names)
            inferred = False
            if not own and repo_url and "{{" not in repo_url:
                # Mirrors, forks and renamed repositories carry other URLs than the reconciler's: a path that exists
                # here is taken to be this repository's (said so in the entry point).
                own = inferred = bool(tree.expand(norm(path)))
            if not own:
                found.external.append(ExternalSource(kind, name, doc.path, doc.line, repo_url,
                                                     "another repository (repoURL)"))
                break
            env = values.get("env") or values.get("environment") or values.get("stage")
            source_label = f"repoURL {repo_url}" + (" (taken to be this repository: its path exists here)"
                                                    if inferred else "")
            entry = EntryPoint("Argo CD", kind, name, doc.path, doc.line_of(f"{key}.source.path"), norm(path),
                               source_label, env, inferred)
            add_entry(found, tree, entry, path)
            helm = source.get("helm")
            for values_file in list_of(helm.get("valueFiles") if isinstance(helm, dict) else None):
                if isinstance(values_file, str) and "://" not in values_file:
                    target = norm(posixpath.join(norm(path), substitute(values_file, values)))
                    add_entry(found, tree, replace(entry, applies=target), values_file)


def generator_params(generators: Any, tree: PathTree) -> list[dict[str, str]]:
    """Parameter sets of ApplicationSet generators: git directories, list elements; matrix/merge flattened."""
    out: list[dict[str, str]] = []
    for gen in list_of(generators):
        if not isinstance(gen, dict):
            continue
        git = gen.get("git")
        if isinstance(git, dict):
            excluded = {norm(str(d.get("path"))) for d in list_of(git.get("directories"))
                        if isinstance(d, dict) and d.get("exclude")}
            for d in list_of(git.get("directories")):
                if isinstance(d, dict) and not d.get("exclude") and isinstance(d.get("path"), str):
                    for hit in tree.expand(norm(d["path"])):
                        if hit in tree.dirs and hit not in excluded:
                            out.append({"path": hit, "path.path": hit, "path.basename": posixpath.basename(hit),
                                        "path.basenameNormalized": posixpath.basename(hit)})
        lst = gen.get("list")
        if isinstance(lst, dict):
            for el in list_of(lst.get("elements")):
                if isinstance(el, dict):
                    out.append({str(k): str(v) for k, v in el.items() if isinstance(v, (str, int, float))})
        for nest in ("matrix", "merge"):
            inner = gen.get(nest)
            if isinstance(inner, dict):
                out.extend(generator_params(inner.get("generators"), tree))
    return out or [{}]


def substitute(path: str, values: dict[str, str]) -> str:
    """Fill `{{path}}`, `{{.path.path}}`, `{{env}}`, `${VAR}` from generator parameters; unknown ones become `*`."""
    def repl(match: re.Match[str]) -> str:
        key = match.group(1) or match.group(2) or ""
        for candidate in (key, key.removeprefix("values."), key.removeprefix("path.")):
            if candidate in values:
                return values[candidate]
        return "*"
    return TEMPLATE_VAR.sub(repl, path)


def flux_instance_entry_points(ev: RepoEvidence, tree: PathTree, sources: dict[tuple[str, str], FluxSource],
                                found: Found) -> None:
    """The Flux Operator's `FluxInstance.spec.sync` (also as the flux-instance chart's `instance.sync` values):
    the path the cluster's bootstrap reconciles."""
    syncs: list[tuple[YamlDoc, str, Any]] = [(d, "spec.sync", field_of(d, "spec.sync"))
                                             for d in docs_of(ev, "FluxInstance")]
    syncs += [(d, "instance.sync", d.get("instance.sync")) for d in values_docs(ev)]
    pushes = list(oci_pushes(ev))
    for doc, key, sync in syncs:
        if not isinstance(sync, dict) or not isinstance(sync.get("path"), str):
            continue
        kind, url = str(sync.get("kind") or "GitRepository"), str(sync.get("url") or "")
        if kind == "OCIRepository":
            root = next((path for pattern, path in pushes if url_matches(pattern, url)), None)
            source = FluxSource(root is not None, root or "", f"OCIRepository {url}" + (
                f", built from ./{root} by CI" if root is not None else ""), reason="an OCI artifact no CI job of "
                "this repository builds")
        else:
            source = sources.get(("GitRepository", "flux-system")) or FluxSource(True, "", f"GitRepository {url}")
        if not source.self:
            found.external.append(ExternalSource("FluxInstance", doc.name or doc.path, doc.path, doc.line,
                                                 source.label, source.reason))
            continue
        entry = EntryPoint("Flux", "bootstrap", "FluxInstance sync", doc.path, doc.line_of(f"{key}.path"),
                           within_source(source, sync["path"]), source.label)
        add_entry(found, tree, entry, sync["path"])


def bootstrap_entry_points(ev: RepoEvidence, tree: PathTree, found: Found) -> None:
    """`flux bootstrap --path=X` writes X/flux-system/gotk-*.yaml and reconciles X: X is deployed."""
    for path in tree.paths:
        if posixpath.basename(path) in ("gotk-components.yaml", "gotk-sync.yaml") and "/flux-system/" in f"/{path}":
            root = posixpath.dirname(posixpath.dirname(path))
            if not any(e.applies == root and e.kind == "bootstrap" for e in found.entry_points):
                found.entry_points.append(EntryPoint("Flux", "bootstrap", "flux-system", path, 1, root,
                                                     "flux bootstrap (gotk-sync)"))
