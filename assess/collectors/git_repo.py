"""Read a repository tree at a revision straight from Git objects (bare clones and mirrors work)."""

from __future__ import annotations

import contextlib
import os
import subprocess
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import git

GIT_ENV = {**os.environ, "GIT_NO_LAZY_FETCH": "1", "GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C"}


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


def open_repository(path: str) -> RepoHandle:
    """Open a repository (work tree or bare) without touching its files."""
    if not Path(path).exists():
        raise NotARepositoryError(f"{path}: no such file or directory")
    try:
        repo = git.Repo(path, search_parent_directories=False)
    except git.exc.NoSuchPathError as exc:
        raise NotARepositoryError(f"{path}: no such file or directory") from exc
    except git.exc.InvalidGitRepositoryError as exc:
        raise NotARepositoryError(f"{path}: not a Git repository") from exc
    try:
        git_dir = str(repo.git_dir)
        # A bare mirror without a `config` file reads as non-bare to GitPython, which then takes the parent folder
        # for a work tree: a git directory given as the path is bare, whatever its config says.
        bare = bool(repo.bare) or Path(git_dir).resolve() == Path(path).resolve()
        work_tree = None if bare else str(repo.working_tree_dir)
        shallow = Path(git_dir, "shallow").exists()
        default_branch = _default_branch(repo)
    finally:
        repo.close()
    return RepoHandle(git_dir=git_dir, work_tree=work_tree, bare=bare, shallow=shallow,
                      default_branch=default_branch, remotes=_remote_urls(git_dir))


def _remote_urls(git_dir: str) -> tuple[str, ...]:
    """URLs of the configured remotes, read as data (which repository the reconcilers mean by "this one")."""
    proc = subprocess.run(["git", f"--git-dir={git_dir}", "config", "--local", "--get-regexp", r"^remote\..*\.url$"],
                          capture_output=True, env=GIT_ENV, check=False)
    urls = [line.split(" ", 1)[1] for line in proc.stdout.decode("utf-8", "replace").splitlines() if " " in line]
    return tuple(dict.fromkeys(urls))


def _default_branch(repo: git.Repo) -> str | None:
    try:
        return str(repo.head.reference.name)
    except (TypeError, ValueError):
        return None  # detached HEAD


def run_git(handle: RepoHandle, *args: str) -> str:
    """Run one read-only git command against the repository and return stdout."""
    proc = subprocess.run(
        ["git", f"--git-dir={handle.git_dir}", *args],
        capture_output=True, env=GIT_ENV, check=False,
    )
    if proc.returncode != 0:
        message = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise RepositoryError(message[-1] if message else f"git {args[0]} failed")
    return proc.stdout.decode("utf-8", "surrogateescape")


def resolve_revision(handle: RepoHandle, revision: str) -> str | None:
    """Commit sha of a revision, or None when the repository has no commits yet."""
    proc = subprocess.run(
        ["git", f"--git-dir={handle.git_dir}", "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}"],
        capture_output=True, env=GIT_ENV, check=False,
    )
    if proc.returncode == 0:
        return proc.stdout.decode().strip()
    if revision == "HEAD" and not run_git(handle, "for-each-ref", "--count=1", "refs/").strip():
        return None
    raise RepositoryError(f"revision {revision!r} not found in the repository")


def list_tree(handle: RepoHandle, commit: str) -> list[TreeEntry]:
    """Every blob of the commit's tree, with sizes (submodules are skipped)."""
    out = subprocess.run(
        ["git", f"--git-dir={handle.git_dir}", "ls-tree", "-r", "-z", "--long", "--full-tree", commit],
        capture_output=True, env=GIT_ENV, check=False,
    )
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
    proc = subprocess.Popen(
        ["git", f"--git-dir={handle.git_dir}", "cat-file", "--batch"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=GIT_ENV,
    )
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
    out = subprocess.run(
        ["git", "-C", handle.work_tree, "ls-files", "-z", "-c", "-o", "--exclude-standard"],
        capture_output=True, env=GIT_ENV, check=False,
    )
    if out.returncode != 0:
        raise RepositoryError(out.stderr.decode("utf-8", "replace").strip() or "git ls-files failed")
    return sorted({p.decode("utf-8", "surrogateescape") for p in out.stdout.split(b"\0") if p})
