"""Read the default branch's history in bulk: one streaming `git log -z`, one `git cat-file --batch` for commit
headers, one `git cat-file --batch-check` for environment tree ids. Never `%G?` in the main pass.

Records of the log are framed by a random nonce drawn for each run, which no message, name or path can contain, and
the commits read are checked, one by one and in order, against `git rev-list`."""

from __future__ import annotations

import contextlib
import fcntl
import io
import re
import secrets
import subprocess
import threading
import typing
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from assess.collectors.git_command import NO_VERIFIERS, Verifiers, git_popen, git_run
from assess.collectors.git_repo import RepoHandle, RepositoryError
from assess.collectors.revert_targets import undone_changes, unnamed_reverts
from assess.model.evidence import Provenance, Source
from assess.model.history import CommitRecord, HistoryEvidence, SignatureType

SHA = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
MAX_FILES_PER_COMMIT = 2000
MAX_BODY_CHARS = 4000
MAX_SIDE_WALK = 5000
CHUNK = 1 << 20


@dataclass(frozen=True)
class Framing:
    """Separators of one run's log output: a random nonce no content of the repository can contain."""

    record: bytes
    field: bytes
    trailer: str

    @staticmethod
    def draw() -> Framing:
        """Fresh separators (128 random bits)."""
        nonce = secrets.token_hex(16)
        return Framing(f"{nonce}R".encode(), f"{nonce}F".encode(), f"{nonce}T")

    def log_format(self) -> str:
        """The `--format` of the main log. Raw identities (%an/%ae, never the mailmapped %aN/%aE): a committed
        .mailmap is content of the scanned repository and must not decide who made a change."""
        rs, fs = self.record.decode(), self.field.decode()
        fields = ["%H", "%T", "%P", "%an", "%ae", "%aI", "%cn", "%ce", "%cI",
                  f"%(trailers:key=Co-authored-by,valueonly,separator={self.trailer})", "%B"]
        return rs + fs.join(fields) + fs


# Options of every `git log`: no signature program, no mailmap, no external diff or text conversion.
LOG_SAFETY = ("--no-show-signature", "--no-mailmap", "--no-ext-diff", "--no-textconv", "--no-color")


def resolve_branch(handle: RepoHandle, branch: str | None) -> tuple[str, str]:
    """(branch name, tip sha) of the branch to read: the one asked for, else HEAD's, else origin/HEAD, else HEAD."""
    candidates = [branch] if branch else [handle.default_branch, "refs/remotes/origin/HEAD", "HEAD"]
    for name in (c for c in candidates if c):
        proc = git_run(["rev-parse", "--verify", "--quiet", "--end-of-options", f"{name}^{{commit}}"],
                       git_dir=handle.git_dir)
        if proc.returncode == 0:
            return name, proc.stdout.decode().strip()
    if branch:
        raise RepositoryError(f"branch {branch!r} not found")
    raise RepositoryError("repository has no commits")


def commit_at(handle: RepoHandle, branch: str | None, instant: datetime) -> str | None:
    """The last first-parent commit of the branch committed at or before an instant (None: none yet)."""
    try:
        _, tip = resolve_branch(handle, branch)
    except RepositoryError:
        return None
    proc = git_run(["rev-list", "-1", "--first-parent", f"--before={instant.isoformat()}", tip], git_dir=handle.git_dir)
    sha = proc.stdout.decode().strip()
    return sha or None


def read_history(handle: RepoHandle, branch: str | None, since: datetime | None, until: datetime | None,
                 env_roots: dict[str, tuple[str, ...]], environments: dict[str, tuple[str, ...]],
                 now: datetime) -> HistoryEvidence:
    """The first-parent history of the branch in the window, with signatures and environment tree ids."""
    name, tip = resolve_branch(handle, branch)
    window = [f"--since={since.isoformat()}"] if since else []
    window += [f"--until={until.isoformat()}"] if until else []
    # Three git processes run side by side: the main log (parsed here), the commit graph (for PR lead times)
    # and `rev-list | cat-file --batch` (signature headers), each drained by its own thread.
    framing = Framing.draw()
    rs, fs = framing.record.decode(), framing.field.decode()
    graph = _Background(handle, ["log", tip, *LOG_SAFETY, f"--format={rs}%H{fs}%at{fs}%an{fs}%ae{fs}%P"])
    signatures = _SignatureReader(handle, tip, window)
    roots = sorted({r for rs in env_roots.values() for r in rs})
    # Environment state: only the roots each commit moved are looked up, while the log is still streaming.
    lookup = _TreeLookup(handle) if roots else None
    touched: dict[str, tuple[str, ...]] = {}
    commits: list[CommitRecord] = []
    root_set = set(roots)
    pulls = _pull_heads(handle)
    for commit in _log(handle, tip, window, pulls, framing):
        commits.append(commit)
        if lookup is not None:
            hit = _roots_hit(commit, root_set)
            if hit:
                touched[commit.sha] = hit
                lookup.ask(commit.sha, hit)
    base = commits[-1].parents[0] if commits and commits[-1].parents else None
    if lookup and base:
        lookup.ask(base, tuple(roots))  # the state before the window
    answers = lookup.result() if lookup else {}
    merges = [c for c in commits if len(c.parents) > 1]
    branches = _branch_authors(graph.result(), merges, {c.sha for c in commits}, framing) if merges else {}
    graph.close()
    sig_by_sha, listed = signatures.result()
    _cross_check([c.sha for c in commits], listed)
    base_trees = {root: answers.get((base, root), "-") for root in roots} if base else {}
    trees = {sha: tuple((root, answers.get((sha, root), "-")) for root in rs) for sha, rs in touched.items()}
    records = tuple(
        _with(c, sig_by_sha.get(c.sha), branches.get(c.sha), trees.get(c.sha)) if
        (c.sha in sig_by_sha or c.sha in branches or c.sha in trees) else c
        for c in commits
    )
    undone = undone_changes(handle, unnamed_reverts(records))
    if undone:
        records = tuple(replace(c, undoes=undone[c.sha]) if c.sha in undone else c for c in records)
    notes: list[str] = []
    if handle.shallow:
        notes.append(f"shallow clone: history limited to the {len(records)} commits present")
    return HistoryEvidence(
        provenance=Provenance(Source.HISTORY, f"git log --first-parent {name} ({tip}); rev-list | cat-file --batch",
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
        base_trees=base_trees,
        notes=tuple(notes),
        as_of=(until or now).isoformat(),
    )


def _with(c: CommitRecord, sig: SignatureType | None, branch: tuple[str, str, str] | None,
          trees: tuple[tuple[str, str], ...] | None) -> CommitRecord:
    first, name, email = branch if branch else (None, None, None)
    return CommitRecord(c.sha, c.parents, c.author_name, c.author_email, c.authored_at, c.committer_name,
                        c.committer_email, c.committed_at, c.subject, c.body, c.co_authors, c.files,
                        c.files_truncated, sig or SignatureType.NONE, first, trees or (), name, email, c.pull_ref)


def _cross_check(logged: list[str], listed: list[str]) -> None:
    """The log's records must be exactly the commits `git rev-list` lists, in the same order: a record that
    content forged, split or hid would show here."""
    if logged == listed:
        return
    pairs = enumerate(zip(logged, listed, strict=False))
    at = next((i for i, (a, b) in pairs if a != b), min(len(logged), len(listed)))
    raise RepositoryError(f"history records do not match git rev-list at position {at} "
                          f"({len(logged)} records read, {len(listed)} commits listed); history not trusted")


def _roots_hit(commit: CommitRecord, roots: set[str]) -> tuple[str, ...]:
    """Environment roots a commit changed (walking each path up: O(depth), not O(roots))."""
    hit: set[str] = set()
    for _, path in commit.files:
        probe = path
        while probe:
            if probe in roots:
                hit.add(probe)
            probe = probe.rpartition("/")[0]
    return tuple(sorted(hit))


def _pull_heads(handle: RepoHandle) -> dict[str, int]:
    """Pull-request heads a mirror carries (`refs/pull/N/head`): commit and tree ids -> PR number. A first-parent
    commit that is a PR head, or has its tree, landed from that pull request (a rebase or fast-forward merge that
    leaves no marker in the subject)."""
    proc = git_run(["for-each-ref", "--format=%(objectname) %(tree) %(refname)", "refs/pull/"], git_dir=handle.git_dir)
    out: dict[str, int] = {}
    for line in proc.stdout.decode("utf-8", "replace").splitlines():
        parts = line.split()
        if len(parts) != 3 or not parts[2].endswith("/head"):
            continue
        number = parts[2].split("/")[2]
        if number.isdigit():
            out.setdefault(parts[0], int(number))
            if parts[1]:
                out.setdefault(f"tree:{parts[1]}", int(number))
    return out


def _log(handle: RepoHandle, tip: str, window: list[str], pulls: dict[str, int],
         framing: Framing) -> Iterator[CommitRecord]:
    """Stream and parse one `git log -z --first-parent --name-status` process with bounded buffering."""
    args = ["log", tip, "--first-parent", "--diff-merges=first-parent", "-z", "--no-renames", *LOG_SAFETY,
            "--name-status", f"--format={framing.log_format()}", *window]
    proc = git_popen(args, git_dir=handle.git_dir, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    _widen_pipe(proc.stdout.fileno())
    stream = typing.cast(io.BufferedReader, proc.stdout)
    stderr: list[bytes] = []
    drain = threading.Thread(target=lambda: stderr.append(proc.stderr.read() if proc.stderr else b""), daemon=True)
    drain.start()
    paths: dict[str, str] = {}  # interned paths: the same file appears in many commits
    buf = b""
    separator = framing.record
    try:
        while True:
            chunk = stream.read1(CHUNK)  # whatever is ready: git keeps writing while we parse
            if not chunk:
                break
            buf += chunk
            records = buf.split(separator)
            buf = records.pop()
            for raw in records:
                if raw:
                    yield _parse(raw, paths, pulls, framing)
        if buf:
            yield _parse(buf, paths, pulls, framing)
    finally:
        proc.stdout.close()
        proc.wait()
        drain.join(timeout=5)
    if proc.returncode != 0:
        message = b"".join(stderr).decode("utf-8", "replace").strip().splitlines()
        raise RepositoryError(message[-1] if message else "git log failed")


def _parse(raw: bytes, paths: dict[str, str], pulls: dict[str, int], framing: Framing) -> CommitRecord:
    parts = raw.split(framing.field)
    if len(parts) != 12:
        raise RepositoryError(f"unexpected git log output ({len(parts)} fields in a record)")
    sha, tree, parents, an, ae, ai, cn, ce, ci, trailers, body = (p.decode("utf-8", "replace") for p in parts[:11])
    if not SHA.match(sha):
        raise RepositoryError("unexpected git log output (a record without a commit id)")
    items = parts[11].decode("utf-8", "surrogateescape").lstrip("\0\n").split("\0")
    pairs = list(zip(items[0:-1:2], items[1::2], strict=False))
    truncated = max(len(pairs) - MAX_FILES_PER_COMMIT, 0)
    files = tuple((status, paths.setdefault(path, path)) for status, path in pairs[:MAX_FILES_PER_COMMIT])
    return CommitRecord(
        sha, tuple(parents.split()), an, ae.lower(), _utc(ai), cn, ce.lower(), _utc(ci), body.split("\n", 1)[0].strip(),
        body[:MAX_BODY_CHARS].rstrip("\n"), tuple(t.strip() for t in trailers.split(framing.trailer) if t.strip()),
        files, truncated, pull_ref=(pulls.get(sha) or pulls.get(f"tree:{tree}")) if pulls else None,
    )


def _utc(stamp: str) -> str:
    """A commit date as UTC ISO text: commits carry any offset, and every comparison downstream needs one."""
    try:
        return datetime.fromisoformat(stamp).astimezone(UTC).isoformat()
    except ValueError:  # a malformed date header: git prints what it can; keep the epoch rather than crash
        return datetime.fromtimestamp(0, UTC).isoformat()


def _widen_pipe(fd: int) -> None:
    """Let git run ahead of the parser: a 1 MiB pipe instead of 64 KiB, where the system allows it."""
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)


class _TreeLookup:
    """`git cat-file --batch-check` asked `<commit>:<root>` while the log streams; a thread collects answers."""

    def __init__(self, handle: RepoHandle) -> None:
        # Only the object id is printed: an answer is an id, or "<name> missing" (names may hold spaces).
        self._proc = git_popen(["cat-file", "--batch-check=%(objectname)"], git_dir=handle.git_dir,
                               stdin=subprocess.PIPE)
        self._asked: list[tuple[str, str]] = []
        self._answers: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def ask(self, sha: str, roots: tuple[str, ...]) -> None:
        """Queue lookups of several roots at one commit (a root whose name holds a newline is never asked: it
        would break the line protocol, and is reported missing)."""
        assert self._proc.stdin is not None
        for root in roots:
            if "\n" in root:
                continue
            self._asked.append((sha, root))
            self._proc.stdin.write(f"{sha}:{root}\n".encode("utf-8", "surrogateescape"))

    def _read(self) -> None:
        assert self._proc.stdout is not None
        for line in self._proc.stdout:
            answer = line.rstrip(b"\n").decode("ascii", "replace")
            self._answers.append(answer if SHA.match(answer) else "-")

    def result(self) -> dict[tuple[str, str], str]:
        """Object id per (commit, root); '-' where the root does not exist."""
        assert self._proc.stdin is not None
        with contextlib.suppress(BrokenPipeError):
            self._proc.stdin.close()
        self._thread.join()
        self._proc.wait()
        return dict(zip(self._asked, self._answers, strict=False))


class _Background:
    """A git process whose whole output is read by a thread, so it runs while the main log is parsed."""

    def __init__(self, handle: RepoHandle, args: list[str]) -> None:
        self._proc = git_popen(args, git_dir=handle.git_dir)
        self._out: list[bytes] = []
        self._thread = threading.Thread(target=self._drain, daemon=True)
        self._thread.start()

    def _drain(self) -> None:
        assert self._proc.stdout is not None
        self._out.append(self._proc.stdout.read())

    def result(self) -> bytes | None:
        """The output, or None if git failed."""
        self._thread.join()
        return b"".join(self._out) if self._proc.wait() == 0 else None

    def close(self) -> None:
        """Reap the process."""
        if self._proc.stdout is not None:
            self._proc.stdout.close()
        self._proc.wait()


class _SignatureReader:
    """`git rev-list` piped straight into `git cat-file --batch`; a thread reads each raw commit: its `gpgsig`
    header, and its id (the list every log record is checked against)."""

    def __init__(self, handle: RepoHandle, tip: str, window: list[str]) -> None:
        self._revs = git_popen(["rev-list", "--first-parent", tip, *window], git_dir=handle.git_dir)
        self._cat = git_popen(["cat-file", "--batch"], git_dir=handle.git_dir, stdin=self._revs.stdout)
        if self._revs.stdout is not None:
            self._revs.stdout.close()  # cat-file owns the read end now
        self._found: dict[str, SignatureType] = {}
        self._listed: list[str] = []
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()

    def _read(self) -> None:
        out = self._cat.stdout
        assert out is not None
        while True:
            header = out.readline()
            if not header:
                break
            parts = header.split()
            if len(parts) != 3 or parts[1] == b"missing":
                self._listed.append(parts[0].decode("ascii", "replace") if parts else "")
                continue
            sha = parts[0].decode()
            self._listed.append(sha)
            body = out.read(int(parts[2]))
            out.read(1)
            sig = signature_type(body)
            if sig is not SignatureType.NONE:
                self._found[sha] = sig

    def result(self) -> tuple[dict[str, SignatureType], list[str]]:
        """Signature type per signed commit, and every commit id rev-list listed, in order."""
        self._thread.join()
        if self._cat.stdout is not None:
            self._cat.stdout.close()
        self._cat.wait()
        self._revs.wait()
        return self._found, self._listed


def signature_type(raw_commit: bytes) -> SignatureType:
    """Presence and type of a signature from a raw commit object's headers (no verification)."""
    header = raw_commit.split(b"\n\n", 1)[0]
    at = header.find(b"\ngpgsig")
    if at < 0:
        return SignatureType.NONE
    sig = header[at:at + 120]
    if b"BEGIN PGP SIGNATURE" in sig:
        return SignatureType.OPENPGP
    if b"BEGIN SSH SIGNATURE" in sig:
        return SignatureType.SSH
    if b"BEGIN SIGNED MESSAGE" in sig:
        return SignatureType.X509
    return SignatureType.MALFORMED


def _branch_authors(graph_output: bytes | None, merges: list[CommitRecord], mainline: set[str],
                    framing: Framing) -> dict[str, tuple[str, str, str]]:
    """For each merge, what its second parent brought in: the earliest author date, and the author of most of
    those commits (the pull request's author; the merge commit's own author is whoever merged it)."""
    if graph_output is None:
        return {}
    graph: dict[str, tuple[int, str, str, list[str]]] = {}
    for record in graph_output.split(framing.record):
        fields = record.rstrip(b"\n").decode("utf-8", "replace").split(framing.field.decode())
        if len(fields) != 5 or fields[0] in mainline or not fields[1].isdigit():
            continue
        graph[fields[0]] = (int(fields[1]), fields[2], fields[3].lower(), fields[4].split())
    out: dict[str, tuple[str, str, str]] = {}
    for merge in merges:
        earliest: int | None = None
        authors: Counter[tuple[str, str]] = Counter()
        stack: list[str] = list(merge.parents[1:])
        seen: set[str] = set()
        while stack and len(seen) < MAX_SIDE_WALK:
            node = stack.pop()
            if node in seen or node not in graph:
                continue
            seen.add(node)
            authored, name, email, node_parents = graph[node]
            earliest = authored if earliest is None else min(earliest, authored)
            authors[(name, email)] += 1
            stack.extend(node_parents)
        if earliest is not None:
            name, email = authors.most_common(1)[0][0]
            out[merge.sha] = (datetime.fromtimestamp(earliest, tz=UTC).isoformat(), name, email)
    return out


def verify_signatures(handle: RepoHandle, commits: list[tuple[str, SignatureType]], allowed_signers: Path | None,
                      verifiers: Verifiers = NO_VERIFIERS) -> dict[str, str]:
    """Optional verification pass (`%G?`), chunked, run only with the verifier programs the user named: a commit
    whose signature format has no named verifier is left out (not verified). A commit that breaks git's
    verification is 'malformed'."""
    kinds = {SignatureType.OPENPGP: verifiers.openpgp, SignatureType.SSH: verifiers.ssh,
             SignatureType.X509: verifiers.x509}
    shas = [sha for sha, kind in commits if kinds.get(kind)]
    config = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers or '/dev/null'}"]
    # A header no verifier could read is malformed, whichever programs were named: nothing needs to run.
    out: dict[str, str] = {sha: "malformed" for sha, kind in commits if kind is SignatureType.MALFORMED}
    for start in range(0, len(shas), 200):
        chunk = shas[start:start + 200]
        proc = git_run([*config, "log", "--no-walk=unsorted", "--no-mailmap", "--format=%H %G?", *chunk],
                       git_dir=handle.git_dir, verifiers=verifiers, timeout=120)
        if proc.returncode == 0:
            for line in proc.stdout.decode().splitlines():
                sha, _, status = line.partition(" ")
                out[sha] = status or "N"
            continue
        for sha in chunk:  # one bad signature stops git for the whole chunk: retry one by one
            single = git_run([*config, "log", "-1", "--no-mailmap", "--format=%G?", sha], git_dir=handle.git_dir,
                             verifiers=verifiers, timeout=30)
            out[sha] = single.stdout.decode().strip() if single.returncode == 0 else "malformed"
    return out
