"""Read the default branch's history in bulk: one streaming `git log -z`, one `git cat-file --batch` for commit
headers, one `git cat-file --batch-check` for environment tree ids. Never `%G?` in the main pass."""

from __future__ import annotations

import subprocess
import threading
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from assess.collectors.git_repo import GIT_ENV, RepoHandle, RepositoryError
from assess.model.evidence import Provenance, Source
from assess.model.history import CommitRecord, HistoryEvidence, SignatureType

LOG_FORMAT = ("%x1e%H%x1f%P%x1f%aN%x1f%aE%x1f%aI%x1f%cN%x1f%cE%x1f%cI%x1f"
              "%(trailers:key=Co-authored-by,valueonly,separator=%x1d)%x1f%B%x1f")
MAX_FILES_PER_COMMIT = 2000
MAX_BODY_CHARS = 4000
MAX_SIDE_WALK = 5000
CHUNK = 1 << 20


def _git(handle: RepoHandle, *args: str) -> list[str]:
    return ["git", f"--git-dir={handle.git_dir}", *args]


def resolve_branch(handle: RepoHandle, branch: str | None) -> tuple[str, str]:
    """(branch name, tip sha) of the branch to read: the one asked for, else HEAD's, else origin/HEAD, else HEAD."""
    candidates = [branch] if branch else [handle.default_branch, "refs/remotes/origin/HEAD", "HEAD"]
    for name in (c for c in candidates if c):
        proc = subprocess.run(_git(handle, "rev-parse", "--verify", "--quiet", f"{name}^{{commit}}"),
                              capture_output=True, env=GIT_ENV, check=False)
        if proc.returncode == 0:
            return name, proc.stdout.decode().strip()
    if branch:
        raise RepositoryError(f"branch {branch!r} not found")
    raise RepositoryError("repository has no commits")


def read_history(handle: RepoHandle, branch: str | None, since: datetime | None, until: datetime | None,
                 env_roots: dict[str, tuple[str, ...]], environments: dict[str, tuple[str, ...]],
                 now: datetime) -> HistoryEvidence:
    """The first-parent history of the branch in the window, with signatures and environment tree ids."""
    name, tip = resolve_branch(handle, branch)
    window = [f"--since={since.isoformat()}"] if since else []
    window += [f"--until={until.isoformat()}"] if until else []
    commits = list(_log(handle, tip, window))
    merges = [c for c in commits if len(c.parents) > 1]
    first_authored = _branch_first_authored(handle, tip, merges, {c.sha for c in commits}) if merges else {}
    signatures = _signatures(handle, [c.sha for c in commits])
    roots = sorted({r for rs in env_roots.values() for r in rs})
    touching = [c for c in commits if roots and any(_under(p, roots) for _, p in c.files)]
    trees = _trees(handle, [c.sha for c in touching], roots)
    records = tuple(
        _with(c, signatures.get(c.sha, SignatureType.NONE), first_authored.get(c.sha), trees.get(c.sha, ()))
        for c in commits
    )
    notes: list[str] = []
    if handle.shallow:
        notes.append(f"shallow clone: history limited to the {len(records)} commits present")
    return HistoryEvidence(
        provenance=Provenance(Source.HISTORY, f"git log --first-parent {name} ({tip}); cat-file --batch",
                              now.isoformat()),
        branch=name,
        tip=tip,
        commits=records,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        shallow=handle.shallow,
        total_commits=len(records),
        environments=environments,
        env_roots=env_roots,
        notes=tuple(notes),
        as_of=(until or now).isoformat(),
    )


def _with(c: CommitRecord, sig: SignatureType, first: str | None, trees: tuple[tuple[str, str], ...]) -> CommitRecord:
    return CommitRecord(c.sha, c.parents, c.author_name, c.author_email, c.authored_at, c.committer_name,
                        c.committer_email, c.committed_at, c.subject, c.body, c.co_authors, c.files,
                        c.files_truncated, sig, first, trees)


def _under(path: str, roots: list[str]) -> bool:
    return any(path == r or path.startswith(r + "/") for r in roots)


def _log(handle: RepoHandle, tip: str, window: list[str]) -> Iterator[CommitRecord]:
    """Stream and parse one `git log -z --first-parent --name-status` process with bounded buffering."""
    cmd = _git(handle, "log", tip, "--first-parent", "--diff-merges=first-parent", "-z", "--no-renames",
               "--name-status", f"--format={LOG_FORMAT}", *window)
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=GIT_ENV)
    assert proc.stdout is not None and proc.stderr is not None
    stderr: list[bytes] = []
    drain = threading.Thread(target=lambda: stderr.append(proc.stderr.read() if proc.stderr else b""), daemon=True)
    drain.start()
    paths: dict[str, str] = {}  # interned paths: the same file appears in many commits
    buf = b""
    try:
        while True:
            chunk = proc.stdout.read(CHUNK)
            if not chunk:
                break
            buf += chunk
            records = buf.split(b"\x1e")
            buf = records.pop()
            for raw in records:
                if raw:
                    yield _parse(raw, paths)
        if buf:
            yield _parse(buf, paths)
    finally:
        proc.stdout.close()
        proc.wait()
        drain.join(timeout=5)
    if proc.returncode != 0:
        message = b"".join(stderr).decode("utf-8", "replace").strip().splitlines()
        raise RepositoryError(message[-1] if message else "git log failed")


def _parse(raw: bytes, paths: dict[str, str]) -> CommitRecord:
    head, _, tail = raw.rpartition(b"\x1f")
    fields = head.decode("utf-8", "replace").split("\x1f", 9)
    sha, parents, an, ae, ai, cn, ce, ci, trailers, body = fields
    items = tail.lstrip(b"\0\n").split(b"\0")
    files: list[tuple[str, str]] = []
    truncated = 0
    for i in range(0, len(items) - 1, 2):
        if len(files) >= MAX_FILES_PER_COMMIT:
            truncated += 1
            continue
        path = items[i + 1].decode("utf-8", "surrogateescape")
        files.append((items[i].decode("ascii", "replace"), paths.setdefault(path, path)))
    subject = body.split("\n", 1)[0].strip()
    return CommitRecord(
        sha=sha, parents=tuple(parents.split()), author_name=an, author_email=ae.lower(), authored_at=ai,
        committer_name=cn, committer_email=ce.lower(), committed_at=ci, subject=subject,
        body=body[:MAX_BODY_CHARS].rstrip("\n"),
        co_authors=tuple(t.strip() for t in trailers.split("\x1d") if t.strip()),
        files=tuple(files), files_truncated=truncated,
    )


def _branch_first_authored(handle: RepoHandle, tip: str, merges: list[CommitRecord],
                           mainline: set[str]) -> dict[str, str]:
    """For each merge, the earliest author date among the commits its second parent brought in."""
    proc = subprocess.run(_git(handle, "log", tip, "--format=%H %at %P"), capture_output=True, env=GIT_ENV,
                          check=False)
    if proc.returncode != 0:
        return {}
    graph: dict[str, tuple[int, list[str]]] = {}
    for line in proc.stdout.decode().splitlines():
        sha, at, *parents = line.split()
        if sha not in mainline:
            graph[sha] = (int(at), parents)
    out: dict[str, str] = {}
    for merge in merges:
        earliest: int | None = None
        stack: list[str] = list(merge.parents[1:])
        seen: set[str] = set()
        while stack and len(seen) < MAX_SIDE_WALK:
            node = stack.pop()
            if node in seen or node not in graph:
                continue
            seen.add(node)
            authored, node_parents = graph[node]
            earliest = authored if earliest is None else min(earliest, authored)
            stack.extend(node_parents)
        if earliest is not None:
            out[merge.sha] = datetime.fromtimestamp(earliest, tz=UTC).isoformat()
    return out


def _batch(handle: RepoHandle, mode: str, lines: Iterable[str]) -> Iterator[bytes]:
    """Feed object names to `git cat-file --batch[-check]` from a thread, yield raw answers in order."""
    wanted = list(lines)
    if not wanted:
        return
    proc = subprocess.Popen(_git(handle, "cat-file", mode), stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, env=GIT_ENV)
    assert proc.stdin is not None and proc.stdout is not None

    def feed() -> None:
        assert proc.stdin is not None
        try:
            proc.stdin.write("".join(f"{w}\n" for w in wanted).encode("utf-8", "surrogateescape"))
            proc.stdin.close()
        except BrokenPipeError:
            pass

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    try:
        for _ in wanted:
            header = proc.stdout.readline()
            if not header:
                break
            parts = header.split()
            if mode == "--batch" and len(parts) == 3 and parts[1] != b"missing":
                body = proc.stdout.read(int(parts[2]))
                proc.stdout.read(1)
                yield body
            else:
                yield header
    finally:
        writer.join(timeout=5)
        proc.stdout.close()
        proc.wait()


def _signatures(handle: RepoHandle, shas: list[str]) -> dict[str, SignatureType]:
    """Signature presence and type from the raw commit headers (no verification)."""
    out: dict[str, SignatureType] = {}
    for sha, raw in zip(shas, _batch(handle, "--batch", shas), strict=False):
        header = raw.split(b"\n\n", 1)[0]
        at = header.find(b"\ngpgsig")
        if at < 0:
            continue
        sig = header[at:at + 120]
        if b"BEGIN PGP SIGNATURE" in sig:
            out[sha] = SignatureType.OPENPGP
        elif b"BEGIN SSH SIGNATURE" in sig:
            out[sha] = SignatureType.SSH
        elif b"BEGIN SIGNED MESSAGE" in sig:
            out[sha] = SignatureType.X509
        else:
            out[sha] = SignatureType.MALFORMED
    return out


def _trees(handle: RepoHandle, shas: list[str], roots: list[str]) -> dict[str, tuple[tuple[str, str], ...]]:
    """Object id of each environment root at each commit (for rollback-by-content detection)."""
    queries = [f"{sha}:{root}" for sha in shas for root in roots]
    answers = _batch(handle, "--batch-check", queries)
    out: dict[str, list[tuple[str, str]]] = {}
    for query, answer in zip(queries, answers, strict=False):
        sha, _, root = query.partition(":")
        parts = answer.split()
        oid = parts[0].decode() if parts and len(parts) == 3 and parts[1] != b"missing" else "-"
        out.setdefault(sha, []).append((root, oid))
    return {k: tuple(v) for k, v in out.items()}


def verify_signatures(handle: RepoHandle, shas: list[str], allowed_signers: Path | None) -> dict[str, str]:
    """Optional verification pass (`%G?`), chunked; a commit that breaks git's verification is 'malformed'."""
    config = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers or '/dev/null'}"]
    out: dict[str, str] = {}
    for start in range(0, len(shas), 200):
        chunk = shas[start:start + 200]
        proc = subprocess.run(["git", *config, f"--git-dir={handle.git_dir}", "log", "--no-walk=unsorted",
                               "--format=%H %G?", *chunk], capture_output=True, env=GIT_ENV, check=False,
                              timeout=120)
        if proc.returncode == 0:
            for line in proc.stdout.decode().splitlines():
                sha, _, status = line.partition(" ")
                out[sha] = status or "N"
            continue
        for sha in chunk:  # one bad signature stops git for the whole chunk: retry one by one
            single = subprocess.run(["git", *config, f"--git-dir={handle.git_dir}", "log", "-1", "--format=%G?",
                                     sha], capture_output=True, env=GIT_ENV, check=False, timeout=30)
            out[sha] = single.stdout.decode().strip() if single.returncode == 0 else "malformed"
    return out

