"""Tree snapshots at month ends, read from Git objects with one blob cache shared by every snapshot."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta

from assess.collectors.git_repo import GIT_ENV, RepoHandle
from assess.collectors.repo_tree import TreeCache, collect_tree
from assess.model.evidence import Snapshot


def month_ends(end: datetime, months: int) -> list[datetime]:
    """The last `months` month ends up to `end`, oldest first; the current month ends at `end` itself."""
    points = [end]
    first_of_month = end.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    for _ in range(months - 1):
        points.append(first_of_month - timedelta(seconds=1))
        first_of_month = (first_of_month - timedelta(days=1)).replace(day=1)
    return sorted(points)


def collect_snapshots(handle: RepoHandle, tip: str, end: datetime, months: int, now: datetime) -> tuple[Snapshot, ...]:
    """The declared state at each month end: the last first-parent commit before it, never checked out."""
    cache: TreeCache = {}
    out: list[Snapshot] = []
    previous: Snapshot | None = None
    for at in month_ends(end.astimezone(UTC), months):
        proc = subprocess.run(["git", f"--git-dir={handle.git_dir}", "rev-list", "-1", "--first-parent",
                               f"--before={at.isoformat()}", tip], capture_output=True, env=GIT_ENV, check=False)
        sha = proc.stdout.decode().strip() or None if proc.returncode == 0 else None
        if sha is None:
            snap = Snapshot(at.isoformat(), None, None)
        elif previous is not None and previous.commit == sha:
            snap = Snapshot(at.isoformat(), sha, previous.tree)
        else:
            snap = Snapshot(at.isoformat(), sha, collect_tree(handle, sha, None, now, cache))
        out.append(snap)
        previous = snap
    return tuple(out)
