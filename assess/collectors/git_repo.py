"""Read a repository tree at a revision straight from Git objects (bare clones and mirrors work)."""

from __future__ import annotations

import contextlib
import os
import re
import subprocess
import threading
import urllib.parse
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from assess.collectors.git_command import check_owner, git_popen, git_run


class RepositoryError(Exception):
    """A repository that cannot be read; the message is for the user."""


class NotARepositoryError(RepositoryError):
    """The path is not a Git repository."""


@dataclass(frozen=True)
class TreeEntry:
    """One blob of a tree listing."""

    path: str
    mode: str
    sha: str
    size: int

    @property
    def is_symlink(self) -> bool:
        """Symlinks are recorded, never followed."""
        return self.mode == "120000"


@dataclass(frozen=True)
class RepoHandle:
    """An opened repository."""

    git_dir: str
    work_tree: str | None
    bare: bool
    shallow: bool
    default_branch: str | None
    remotes: tuple[str, ...] = ()


def locate(path: str) -> tuple[str, str | None]:
    """(git directory, work tree or None when bare) of the repository at path, found without running git: the path
    is a work tree holding `.git` (a directory, or a `gitdir:` file) or is itself a git directory."""
    root = Path(path)
    if not root.exists():
        raise NotARepositoryError(f"{path}: no such file or directory")
    dot = root / ".git"
    if dot.is_dir():
        return str(dot.resolve()), str(root.resolve())
    if dot.is_file():
        text = dot.read_text(encoding="utf-8", errors="replace").strip()
        if text.startswith("gitdir:"):
            return str((root / text.removeprefix("gitdir:").strip()).resolve()), str(root.resolve())
    if ((root / "HEAD").is_file() and (root / "objects").is_dir()) or (root / "commondir").is_file():
        return str(root.resolve()), None
    raise NotARepositoryError(f"{path}: not a Git repository")


def ensure_trusted(path: str, trust_repo_config: bool) -> None:
    """Refuse (UntrustedRepositoryError) a repository another user owns and the user does not trust."""
    git_dir, work_tree = locate(path)
    check_owner(path, git_dir, work_tree, trust_repo_config)


def open_repository(path: str) -> RepoHandle:
    """Open a repository (work tree or bare) without touching its files."""
    git_dir, work_tree = locate(path)
    probe = git_run(["rev-parse", "--is-shallow-repository"], git_dir=git_dir)
    if probe.returncode != 0:
        raise NotARepositoryError(f"{path}: not a Git repository")
    head = git_run(["symbolic-ref", "-q", "HEAD"], git_dir=git_dir).stdout.decode("utf-8", "surrogateescape").strip()
    return RepoHandle(git_dir=git_dir, work_tree=work_tree, bare=work_tree is None,
                      shallow=probe.stdout.strip() == b"true",
                      default_branch=head.removeprefix("refs/heads/") if head else None,  # None: detached HEAD
                      remotes=_remote_urls(git_dir))


def _remote_urls(git_dir: str) -> tuple[str, ...]:
    """URLs of the configured remotes, read as data (which repository the reconcilers mean by "this one")."""
    proc = git_run(["config", "--local", "--get-regexp", r"^remote\..*\.url$"], git_dir=git_dir)
    urls = [line.split(" ", 1)[1] for line in proc.stdout.decode("utf-8", "replace").splitlines() if " " in line]
    return tuple(dict.fromkeys(urls))


def origin_url(path: str) -> str | None:
    """The URL of the `origin` remote of the repository at path, or None (no repository, no origin)."""
    try:
        git_dir, _ = locate(path)
    except (NotARepositoryError, OSError):
        return None
    proc = git_run(["config", "--local", "--get", "remote.origin.url"], git_dir=git_dir)
    url = proc.stdout.decode("utf-8", "replace").strip()
    return url if proc.returncode == 0 and url else None


_SCP = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>[^/].*)$")


def remote_path_parts(url: str, host: str) -> list[str] | None:
    """The path segments (`.git` dropped) of an https, ssh or scp-style remote URL on the given host; None for a
    remote elsewhere or one that cannot be read."""
    parsed = urllib.parse.urlsplit(url)
    if parsed.scheme in ("https", "http", "ssh", "git"):
        remote_host, path = parsed.hostname or "", parsed.path
    else:
        m = _SCP.match(url)
        if not m:
            return None
        remote_host, path = m.group("host"), m.group("path")
    if remote_host.lower() != host.lower():
        return None
    return [p for p in path.strip("/").removesuffix(".git").split("/") if p]


def run_git(handle: RepoHandle, *args: str) -> str:
    """Run one read-only git command against the repository and return stdout."""
    proc = git_run(args, git_dir=handle.git_dir)
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RepositoryError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout.decode("utf-8", "surrogateescape")


def resolve_revision(handle: RepoHandle, revision: str) -> str | None:
    """Commit sha of a revision, or None when the repository has no commits yet."""
    proc = git_run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
                   git_dir=handle.git_dir)
    if proc.returncode == 0:
        return proc.stdout.decode().strip()
    if revision == "HEAD" and not run_git(handle, "for-each-ref", "--count=1", "refs/").strip():
        return None
    raise RepositoryError(f"revision {revision!r} not found in the repository")


def list_tree(handle: RepoHandle, commit: str) -> list[TreeEntry]:
    """Every blob of the commit's tree, with sizes (submodules are skipped)."""
    out = git_run(["ls-tree", "-r", "-z", "--long", "--full-tree", "--end-of-options", commit], git_dir=handle.git_dir)
    if out.returncode != 0:
        raise RepositoryError(out.stderr.decode("utf-8", "replace").strip() or "git ls-tree failed")
    entries: list[TreeEntry] = []
    for record in out.stdout.split(b"\0"):
        if not record:
            continue
        meta, _, raw_path = record.partition(b"\t")
        mode, kind, sha, size = meta.decode().split(maxsplit=3)
        if kind != "blob":
            continue
        entries.append(TreeEntry(raw_path.decode("utf-8", "surrogateescape"), mode, sha,
                                 int(size) if size.strip().isdigit() else 0))
    return entries


def read_blobs(handle: RepoHandle, shas: Iterable[str]) -> Iterator[tuple[str, bytes | None]]:
    """Stream blob contents through one `git cat-file --batch`; a missing blob yields None."""
    wanted = list(dict.fromkeys(shas))
    if not wanted:
        return
    proc = git_popen(["cat-file", "--batch"], git_dir=handle.git_dir, stdin=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write("".join(f"{sha}\n" for sha in wanted).encode())
        except BrokenPipeError:
            pass
        finally:
            with contextlib.suppress(BrokenPipeError):
                proc.stdin.close()

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for sha in wanted:
            header = proc.stdout.readline().decode().split()
            if len(header) < 3 or header[1] == "missing":
                yield sha, None
                continue
            size = int(header[2])
            data = proc.stdout.read(size)
            proc.stdout.read(1)
            yield sha, data
    finally:
        writer.join(timeout=5)
        proc.stdout.close()
        proc.wait()


def list_worktree(handle: RepoHandle) -> list[str]:
    """Tracked and untracked, non-ignored files of the work tree."""
    if handle.work_tree is None:
        raise RepositoryError("--worktree needs a repository with a work tree (this one is bare)")
    # --git-dir and --work-tree spelled out: the repository's core.worktree cannot point the listing elsewhere.
    out = git_run(["ls-files", "-z", "-c", "-o", "--exclude-standard"], git_dir=handle.git_dir,
                  work_tree=handle.work_tree, cwd=handle.work_tree)
    if out.returncode != 0:
        raise RepositoryError(out.stderr.decode("utf-8", "replace").strip() or "git ls-files failed")
    return sorted({p.decode("utf-8", "surrogateescape") for p in out.stdout.split(b"\0") if p})


def worktree_path(handle: RepoHandle, rel: str) -> Path | None:
    """Where a listed file of the work tree is, if reading it stays inside the repository: its real path must be
    exactly the work tree's real root joined with rel (no symbolic link on the way, no `..`); None otherwise."""
    if handle.work_tree is None:
        return None
    root = os.path.realpath(handle.work_tree)
    full = os.path.join(root, rel)
    if os.path.normpath(full) != full or os.path.realpath(full) != full:
        return None
    return Path(full)


def read_worktree_file(path: Path, limit: int) -> bytes:
    """A file's bytes, refusing a symbolic link that appeared since the path was checked (up to limit + 1 bytes)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    with os.fdopen(fd, "rb") as handle:
        return handle.read(limit + 1)
