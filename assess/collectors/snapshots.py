"""Tree snapshots at month ends, read from Git objects with one blob cache shared by every snapshot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assess.collectors.git_command import git_popen
from assess.collectors.git_repo import RepoHandle
from assess.collectors.repo_tree import TreeCache, collect_tree
from assess.collectors.yaml_docs import NodeBudget
from assess.model.evidence import RepoEvidence, Snapshot


def month_ends(end: datetime, months: int) -> list[datetime]:
    """The last `months` month ends up to `end`, oldest first; the current month ends at `end` itself."""
    points = [end]
    first_of_month = end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        points.append(first_of_month - timedelta(seconds=1))
        first_of_month = (first_of_month - timedelta(days=1)).replace(day=1)
    return sorted(points)


def collect_snapshots(handle: RepoHandle, tip: str, end: datetime, months: int, now: datetime,
                      known: RepoEvidence | None = None, budget: NodeBudget | None = None
                      ) -> tuple[Snapshot, ...]:
    """The declared state at each month end: the last first-parent commit before it, never checked out. A tree
    already read for the same commit (`known`, the scanned revision) is reused, not read again.

    `budget` is the run's YAML node budget (the tree at the tip has charged it already)."""
    cache: TreeCache = {}
    out: list[Snapshot] = []
    previous: Snapshot | None = None
    points = month_ends(end.astimezone(UTC), months)
    commits = _commits_at(handle, tip, points)
    for at in points:
        sha = commits.get(at)
        if sha is None:
            snap = Snapshot(at.isoformat(), None, None)
        elif previous is not None and previous.commit == sha:
            snap = Snapshot(at.isoformat(), sha, previous.tree)
        elif known is not None and not known.worktree and known.revision == sha:
            snap = Snapshot(at.isoformat(), sha, known)
        else:
            snap = Snapshot(at.isoformat(), sha, collect_tree(handle, sha, None, now, cache, budget))
        out.append(snap)
        previous = snap
    return tuple(out)


def _commits_at(handle: RepoHandle, tip: str, points: list[datetime]) -> dict[datetime, str]:
    """For each point, the first first-parent commit (walking from the tip) committed at or before it.

    The answer of `git rev-list -1 --first-parent --before=POINT` for every point, from one walk that stops as soon
    as the oldest point is resolved."""
    pending = sorted(points)  # the latest point is resolved first, so pop from the end
    found: dict[datetime, str] = {}
    # `--pretty=format:` prints "commit <sha>" then the format line, on every git version
    with git_popen(["rev-list", "--first-parent", "--pretty=format:%ct", tip], git_dir=handle.git_dir) as proc:
        assert proc.stdout is not None
        for header, stamp in zip(proc.stdout, proc.stdout, strict=False):
            when = datetime.fromtimestamp(int(stamp), UTC)
            sha = header.split()[1].decode()
            for at in [p for p in pending if when <= p]:
                found[at] = sha
            pending = [p for p in pending if p not in found]
            if not pending:
                break
        proc.kill()
    return found
