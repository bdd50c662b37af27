"""What a revert that names no commit undoes, read from Git by content: the latest earlier change whose files the
revert puts back as they were before that change (`revert(cmangos): roll back GM-permission widening`)."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Sequence
from datetime import datetime, timedelta

from assess.collectors.git_command import git_run
from assess.collectors.git_repo import RepoHandle
from assess.model.history import CONVENTIONAL_REVERT, REVERT_TITLE, REVERTS_SHA, CommitRecord

# How far back a revert is looked for: first-parent changes to the same files in the month before it (a revert
# undoes recent work; the bound also keeps git from walking the whole history for a rarely changed path).
LOOKBACK = 100
LOOKBACK_DAYS = 30
MAX_PATHS = 50
MAX_REVERTS = 500
# Renames are detected so that moving a file is not taken for adding the file a revert deletes.
SAFE = ("--no-show-signature", "--no-mailmap", "--no-ext-diff", "--no-textconv", "--no-color", "-M")
ABSENT = "0" * 40


def unnamed_reverts(commits: Sequence[CommitRecord]) -> list[CommitRecord]:
    """Reverts whose message names no commit (a named one is taken at its word)."""
    return [c for c in commits if c.parents and c.files and not REVERTS_SHA.search(c.body)
            and (CONVENTIONAL_REVERT.match(c.subject) or REVERT_TITLE.match(c.subject))][:MAX_REVERTS]


def undone_changes(handle: RepoHandle, reverts: Sequence[CommitRecord]) -> dict[str, str]:
    """For each revert, the sha of the change it undoes, when the content shows one."""
    out: dict[str, str] = {}
    for revert in reverts:
        paths = [path for _, path in revert.files][:MAX_PATHS]
        raw = _git(handle, ["log", "-z", "--first-parent", "--raw", "--no-abbrev", "--format=%H", *SAFE,
                            f"-n{LOOKBACK + 1}", f"--since={_days_before(revert.committed_at)}", revert.sha,
                            "--", *paths])
        if raw is None:
            continue
        changes = list(_raw_log(raw))
        if not changes or changes[0][0] != revert.sha:
            continue
        restored = changes[0][1]  # path -> (status, blob before the revert, blob after it)
        for sha, blobs in changes[1:]:
            # The revert puts a file back to its state before this change: the latest such change is what it undoes
            # (for a rollback over several changes, the first of them). Deleting a file undoes only its addition.
            if any(path in blobs and blobs[path][1] == after and blobs[path][2] != after
                   and (after != ABSENT or _added(handle, sha, path)) for path, (_, _, after) in restored.items()):
                out[revert.sha] = sha
                break
    return out


def _git(handle: RepoHandle, args: list[str]) -> bytes | None:
    """A git command's output, or None when it fails or hangs: the revert then keeps its message's own link."""
    try:
        proc = git_run(args, git_dir=handle.git_dir, timeout=60)
    except subprocess.TimeoutExpired:
        return None
    return proc.stdout if proc.returncode == 0 else None


def _days_before(instant: str) -> str:
    return (datetime.fromisoformat(instant) - timedelta(days=LOOKBACK_DAYS)).isoformat()


def _added(handle: RepoHandle, sha: str, path: str) -> bool:
    """Whether the change created the file, rather than moved it there (seen with the whole change in view)."""
    raw = _git(handle, ["diff-tree", "-z", "-r", "-M", "--raw", "--no-abbrev", "--no-commit-id", "--root",
                        "--no-ext-diff", "--no-textconv", sha])
    entries = dict(_raw_log(b"x\0" + raw)) if raw is not None else {}
    found = entries.get("x", {}).get(path)
    return found is not None and found[0] == "A"


def _raw_log(raw: bytes) -> Iterator[tuple[str, dict[str, tuple[str, str, str]]]]:
    """(commit, {path: (status letter, old blob, new blob)}) from `git log -z --raw --format=%H`; a renamed or
    copied file is listed under its new path."""
    sha: str | None = None
    blobs: dict[str, tuple[str, str, str]] = {}
    tokens = raw.split(b"\0")
    i = 0
    while i < len(tokens):
        token = tokens[i].lstrip(b"\n")
        i += 1
        if token.startswith(b":"):
            meta = token.split()
            if len(meta) >= 5 and i < len(tokens):
                status = meta[4].decode()[:1]
                i += 1 if status not in "RC" else 2  # renames and copies name the old path, then the new one
                if i - 1 < len(tokens):
                    blobs[tokens[i - 1].decode("utf-8", "surrogateescape")] = (status, meta[2].decode(),
                                                                               meta[3].decode())
        elif token:
            if sha is not None:
                yield sha, blobs
            sha, blobs = token.decode("ascii", "replace"), {}
    if sha is not None:
        yield sha, blobs
