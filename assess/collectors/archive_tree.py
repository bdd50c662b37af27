"""Declared state from a repository archive (the GitHub tarball of a ref), read in memory, never extracted."""

from __future__ import annotations

import io
import posixpath
import tarfile
import zlib
from datetime import datetime

from assess.collectors.classify import is_helm_template, path_kinds
from assess.collectors.repo_tree import MAX_YAML_BYTES, ParsedFile, classify_file
from assess.collectors.yaml_docs import NodeBudget
from assess.model.evidence import FileProblem, Problem, Provenance, RepoEvidence, Source

MAX_MEMBERS = 200_000  # entries of any type, counted while streaming: the rest of a larger archive is not read


def tree_from_tarball(data: bytes, label: str, ref: str, now: datetime,
                      budget: NodeBudget | None = None, max_members: int = MAX_MEMBERS,
                      forge_name: str = "GitHub") -> RepoEvidence:
    """Classify the files of a `.tar.gz` archive whose entries sit under one top directory.

    The archive is streamed entry by entry (never indexed whole), up to `max_members` entries; an archive with
    more is read that far and says so."""
    wanted: list[tuple[str, int, bytes | Problem]] = []
    names: list[str] = []
    seen = 0
    try:
        # iterating (not getmembers) reads headers one at a time: entries past the cap are never read
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:*") as archive:
            for member in archive:
                seen += 1
                if seen > max_members:
                    break
                if not (member.isfile() or member.issym()):
                    continue
                name = _strip_top(member.name)
                if not name:
                    continue
                names.append(name)
                if member.issym():
                    wanted.append((name, 0, Problem(FileProblem.SYMLINK, "symbolic link, not followed")))
                elif member.size > MAX_YAML_BYTES:
                    wanted.append((name, member.size, Problem(FileProblem.TOO_LARGE,
                                                              f"{member.size:,} bytes; not parsed")))
                elif path_kinds(name) or "/templates/" in f"/{name}":
                    handle = archive.extractfile(member)
                    wanted.append((name, member.size, handle.read() if handle is not None else b""))
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        raise ArchiveError(f"{label}: the archive is not readable ({type(exc).__name__})") from exc
    chart_dirs = {posixpath.dirname(n) for n in names if posixpath.basename(n) == "Chart.yaml"}
    budget = budget if budget is not None else NodeBudget()
    parsed: list[ParsedFile] = []
    for name, size, payload in wanted:
        in_template = is_helm_template(name, chart_dirs)
        if path_kinds(name) or in_template:
            parsed.append(classify_file(name, size, payload, in_template, budget))
    parsed.sort(key=lambda p: p[0].path)
    partial = (f"the archive has more than {max_members:,} entries; the rest was not read",) \
        if seen > max_members else ()
    return RepoEvidence(
        provenance=Provenance(Source.GIT, f"{forge_name} archive of {label} at {ref}", now.isoformat()),
        partial=partial,
        root=label, revision=ref, ref=ref, files=tuple(f for f, _ in parsed),
        docs=tuple(d for _, docs in parsed for d in docs), bare=True,
    )


class ArchiveError(Exception):
    """An archive that cannot be read; the message says which."""


def _strip_top(name: str) -> str:
    parts = name.split("/", 1)
    return parts[1] if len(parts) == 2 else ""
