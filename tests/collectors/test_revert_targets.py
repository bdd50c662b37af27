"""A revert naming no commit is tied, by content, to the change whose files it puts back; a file that was only
moved is not taken for one the revert undoes."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

from assess.collectors.git_repo import open_repository
from assess.collectors.history import read_history
from assess.derive.audit_trail import build_audit_trail
from tests.conftest import GIT_ENV
from tests.history_builder import HistoryBuilder, at

NOW = datetime(2026, 3, 1, tzinfo=UTC)
ENVS = {"production": ("k8s/**",)}


def _records(root: Path) -> dict[str, object]:
    history = read_history(open_repository(str(root)), None, None, None, {"production": ("k8s",)}, ENVS, NOW)
    return {r.subject: r for r in build_audit_trail(history, (), ENVS)}


def test_a_conventional_revert_fails_the_change_it_restores_not_the_last_one(tmp_path: Path) -> None:
    repo = HistoryBuilder(tmp_path / "r")
    repo.commit({"k8s/web.yaml": "replicas: 2\n", "k8s/db.yaml": "size: 1\n"}, "initial", at("2026-02-01T09:00"))
    repo.commit({"k8s/web.yaml": "replicas: 9\n"}, "feat: scale web", at("2026-02-02T09:00"))
    repo.commit({"k8s/db.yaml": "size: 2\n", "k8s/web.yaml": "replicas: 9\n# tuned\n"}, "chore: tune",
                at("2026-02-02T10:00"))
    # Puts db.yaml back as it was before "chore: tune" and leaves web.yaml alone: what it undoes is the tuning of db,
    # though the last change to its files (and to web.yaml) was the same commit. Then web.yaml's own revert.
    repo.commit({"k8s/db.yaml": "size: 1\n"}, "revert(db): back to one node", at("2026-02-02T11:00"))
    repo.commit({"k8s/web.yaml": "replicas: 2\n"}, "revert(web): scale back", at("2026-02-02T12:00"))
    records = _records(repo.root)
    db_revert, web_revert = records["revert(db): back to one node"], records["revert(web): scale back"]
    tune, scale = records["chore: tune"], records["feat: scale web"]
    assert db_revert.reverts_sha == tune.sha  # type: ignore[attr-defined]
    # web.yaml goes back to its state before "feat: scale web", two changes earlier: the first change it undoes.
    assert web_revert.reverts_sha == scale.sha  # type: ignore[attr-defined]
    assert scale.failed and scale.remediated_by == web_revert.sha  # type: ignore[attr-defined]
    assert tune.failed and tune.remediated_by == db_revert.sha  # type: ignore[attr-defined]


def test_deleting_a_file_another_change_only_moved_is_not_blamed_on_the_move(tmp_path: Path) -> None:
    repo = HistoryBuilder(tmp_path / "r")
    repo.commit({"k8s/old/job.yaml": "kind: Job\nmetadata:\n  name: widen-permissions\n"}, "feat: widen permissions",
                at("2026-01-20T09:00"))
    (repo.root / "k8s/new").mkdir()
    subprocess.run(["git", "-C", str(repo.root), "mv", "k8s/old/job.yaml", "k8s/new/job.yaml"], check=True,
                   env=GIT_ENV)
    move = repo.commit({"k8s/new/kustomization.yaml": "resources: [job.yaml]\n"}, "refactor: move jobs",
                       at("2026-02-01T09:00"))
    (repo.root / "k8s/new/job.yaml").unlink()
    revert = repo.commit({"k8s/new/kustomization.yaml": "resources: []\n"}, "revert: drop the permission job",
                         at("2026-02-01T10:00"))
    records = _records(repo.root)
    assert records["revert: drop the permission job"].sha == revert  # type: ignore[attr-defined]
    # The content names no change (the job was created before it was moved): no commit is named as reverted.
    assert records["revert: drop the permission job"].reverts_sha is None  # type: ignore[attr-defined]
    assert move in {r.sha for r in records.values()}  # type: ignore[attr-defined]
