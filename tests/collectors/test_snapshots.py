"""Month-end snapshots pick the same commits as `git rev-list -1 --first-parent --before=…`."""

from __future__ import annotations

from pathlib import Path

from assess.collectors.git_repo import open_repository
from assess.collectors.samples import get_sample, materialise
from assess.collectors.snapshots import collect_snapshots, month_ends
from tests.conftest import git


def test_month_end_commits_match_plain_git(tmp_path: Path) -> None:
    sample = get_sample("stage3-platform")
    repo = materialise(sample, tmp_path / "r")
    tip = git(repo, "rev-parse", "main").strip()
    # 30 months reach back before the first commit: those points have no snapshot
    snaps = collect_snapshots(open_repository(str(repo)), tip, sample.as_of, 30, sample.as_of)
    expected = [git(repo, "rev-list", "-1", "--first-parent", f"--before={at.isoformat()}", tip).strip() or None
                for at in month_ends(sample.as_of, 30)]
    assert [s.commit for s in snaps] == expected
    assert expected[0] is None and expected[-1] == tip
    assert all((s.tree is None) == (s.commit is None) for s in snaps)
    distinct = {s.commit for s in snaps if s.commit}
    assert len(distinct) > 3
