"""Declared state from a repository archive (the GitHub tarball of a ref), read in memory, never extracted."""

from __future__ import annotations

import io
import posixpath
import tarfile
from datetime import datetime

from assess.collectors.classify import is_helm_template, path_kinds
from assess.collectors.repo_tree import MAX_YAML_BYTES, ParsedFile, classify_file
from assess.model.evidence import FileProblem, Problem, Provenance, RepoEvidence, Source

MAX_MEMBERS = 200_000


def tree_from_tarball(data: bytes, label: str, ref: str, now: datetime) -> RepoEvidence:
    """Classify the files of a `.tar.gz` archive whose entries sit under one top directory."""
    parsed: list[ParsedFile] = []
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
        members = [m for m in archive.getmembers()[:MAX_MEMBERS] if m.isfile() or m.issym()]
        names = [_strip_top(m.name) for m in members]
        chart_dirs = {posixpath.dirname(n) for n in names if posixpath.basename(n) == "Chart.yaml"}
        for member, name in zip(members, names, strict=True):
            in_template = is_helm_template(name, chart_dirs)
            if not name or not (path_kinds(name) or in_template):
                continue
            if member.issym():
                parsed.append(classify_file(name, 0, Problem(FileProblem.SYMLINK, "symbolic link, not followed"),
                                            in_template))
            elif member.size > MAX_YAML_BYTES:
                parsed.append(classify_file(name, member.size, Problem(FileProblem.TOO_LARGE,
                                                                       f"{member.size:,} bytes; not parsed"),
                                            in_template))
            else:
                handle = archive.extractfile(member)
                payload = handle.read() if handle is not None else b""
                parsed.append(classify_file(name, member.size, payload, in_template))
    parsed.sort(key=lambda p: p[0].path)
    return RepoEvidence(
        provenance=Provenance(Source.GIT, f"GitHub archive of {label} at {ref}", now.isoformat()),
        root=label, revision=ref, ref=ref, files=tuple(f for f, _ in parsed),
        docs=tuple(d for _, docs in parsed for d in docs), bare=True,
    )


def _strip_top(name: str) -> str:
    parts = name.split("/", 1)
    return parts[1] if len(parts) == 2 else ""
