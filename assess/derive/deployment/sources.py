"""Flux sources as far as this repository is concerned: is a GitRepository, an OCI artifact or a generated
artifact this repository, and from which folder (pure)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assess.derive.ci import ci_commands
from assess.derive.deployment.paths import (
    Found,
    Ignore,
    PathTree,
    docs_of,
    field_of,
    glob_prefix,
    ignore_spec,
    list_of,
    norm,
)
from assess.derive.repo_urls import is_self_url
from assess.model.evidence import FileKind, RepoEvidence

FLUX_KUSTOMIZE = "kustomize.toolkit.fluxcd.io"


@dataclass(frozen=True)
class FluxSource:
    """A Flux source as far as this repository is concerned: is it this repository, and from which folder."""

    self: bool
    root: str = ""
    label: str = ""
    ignore: Ignore | None = None
    copies: tuple[tuple[str, str], ...] = ()  # ExternalArtifact: (artifact dir, repository dir)
    reason: str = ""


def flux_sources(ev: RepoEvidence, tree: PathTree, urls: tuple[str, ...], names: tuple[str, ...],
                  found: Found) -> dict[tuple[str, str], FluxSource]:
    """Flux sources declared in the repository, keyed by (kind, name)."""
    out: dict[tuple[str, str], FluxSource] = {}
    root_ignore = sourceignore(ev)
    for doc in docs_of(ev, "GitRepository"):
        url = str(field_of(doc, "spec.url") or "")
        own = is_self_url(url, urls, names) or doc.name == "flux-system"
        ignore_text = field_of(doc, "spec.ignore")
        ignore = ignore_spec(str(ignore_text).splitlines()) if isinstance(ignore_text, str) else root_ignore
        label = f"GitRepository {doc.name} ({url or 'no url'})"
        out[("GitRepository", doc.name or "")] = FluxSource(own, "", label, ignore,
                                                         reason="" if own else f"{url or 'another repository'}")
        if own and ignore is not None:
            found.ignored.append(ignore)
    pushes = list(oci_pushes(ev))
    for doc in docs_of(ev, "OCIRepository"):
        url = str(field_of(doc, "spec.url") or "")
        root = next((path for pattern, path in pushes if url_matches(pattern, url)), None)
        label = f"OCIRepository {doc.name} ({url})"
        out[("OCIRepository", doc.name or "")] = (
            FluxSource(True, root, label + f", built from ./{root} by CI") if root is not None
            else FluxSource(False, label=label, reason=f"{url}: an OCI artifact no CI job of this repository builds"))
    if pushes and ("OCIRepository", "flux-system") not in out:
        root = pushes[0][1]
        out[("OCIRepository", "flux-system")] = FluxSource(True, root, f"OCIRepository flux-system (bootstrap), built "
                                                        f"from ./{root} by CI")
    for doc in docs_of(ev, "ArtifactGenerator"):
        aliases = {str(s.get("alias")): (str(s.get("kind")), str(s.get("name")))
                   for s in list_of(field_of(doc, "spec.sources")) if isinstance(s, dict)}
        for artifact in list_of(field_of(doc, "spec.artifacts")):
            if not isinstance(artifact, dict):
                continue
            copies: list[tuple[str, str]] = []
            for rule in list_of(artifact.get("copy")):
                if not isinstance(rule, dict):
                    continue
                src, dst = str(rule.get("from") or ""), str(rule.get("to") or "")
                alias, _, rel = src.lstrip("@").partition("/")
                origin = out.get(aliases.get(alias, ("", "")))
                if origin is None and aliases.get(alias, ("", ""))[1] == "flux-system":
                    origin = FluxSource(True)
                if origin is None or not origin.self or not dst.startswith("@artifact"):
                    continue
                copies.append((norm(dst.removeprefix("@artifact")), norm(posixpath.join(origin.root,
                                                                                        glob_prefix(rel)))))
            name = str(artifact.get("name") or "")
            out[("ExternalArtifact", name)] = (
                FluxSource(True, "", f"ExternalArtifact {name} (ArtifactGenerator {doc.name})", copies=tuple(copies))
                if copies else FluxSource(False, label=f"ExternalArtifact {name}",
                                       reason="generated from sources outside this repository"))
    return out


def oci_pushes(ev: RepoEvidence) -> Iterator[tuple[str, str]]:
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
        url = fill(url, workflow_env(ev, cmd.path))
        yield re.sub(r":[^:/]*$", "", url) if url.count(":") > 1 else url, norm(path)


def fill(text: str, env: dict[str, str]) -> str:
    """Replace `$VAR` / `${VAR}` by the values a workflow declares; unknown ones stay as written."""
    def repl(match: re.Match[str]) -> str:
        return env.get(match.group(1), match.group(0))
    return re.sub(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?", repl, text)


def workflow_env(ev: RepoEvidence, path: str) -> dict[str, str]:
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


def url_matches(pattern: str, url: str) -> bool:
    """An artifact URL against a CI push target where `${VAR}`/`$VAR`/`${{ expr }}` may stand for anything."""
    if not url:
        return False
    rx = re.escape(pattern)
    rx = re.sub(r"\\\$\\\{\\\{.*?\\\}\\\}|\\\$\\\{[^}]*\\\}|\\\$[A-Za-z_][A-Za-z0-9_]*", "[^:]*", rx)
    return re.match("^" + rx + "(:.*)?$", url.strip()) is not None


def sourceignore(ev: RepoEvidence) -> Ignore | None:
    """The repository's `.sourceignore` rules (Flux leaves those paths out of its artifact)."""
    for f in ev.files_by_kind.get(FileKind.SOURCE_IGNORE, ()):
        if f.path == ".sourceignore" and f.text:
            return ignore_spec(f.text.splitlines())
    return None


def within_source(source: FluxSource, path: str) -> str:
    """A path inside a source, as a repository path."""
    rel = norm(path)
    for artifact_dir, repo_dir in source.copies:
        if rel == artifact_dir or rel.startswith(artifact_dir + "/") or not artifact_dir:
            tail = rel[len(artifact_dir):].lstrip("/") if artifact_dir else rel
            return norm(posixpath.join(repo_dir, tail))
    return norm(posixpath.join(source.root, rel))
