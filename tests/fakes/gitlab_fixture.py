"""Realistic GitLab API data for a sample repository, derived from its Git history like the GitHub fixture (merge
requests from merge and squash commits, approvals, default-branch pipelines, members), with a stage-2 project's
settings: main protected (nobody pushes, Developers merge, code owners approve), one approval required and reset on
push, the pipeline must succeed. Ids are stable so a recording made from it is reproducible."""

from __future__ import annotations

import subprocess
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes.github_fixture import MERGE, PEOPLE, SQUASH, _login, _z
from tests.fakes.gitlab_server import ProjectFixture, level

GITLAB_URL = "https://gitlab.com"
ROLES = {"alice": 50, "bob": 40}


def _id(text: str) -> int:
    return zlib.crc32(text.encode()) % 100_000


def _user(username: str) -> dict[str, Any]:
    bot = username.endswith("[bot]") or username == "fluxcdbot"
    name = username.replace("[bot]", "-bot")
    return {"id": _id(name), "username": name, "name": name.title(), "state": "active", "bot": bot,
            "web_url": f"{GITLAB_URL}/{name}"}


def build_fixture(repo: Path, path: str, failed_every: int = 17) -> ProjectFixture:
    """GitLab data consistent with the repository's first-parent history."""
    log = subprocess.run(["git", "-C", str(repo), "log", "--first-parent",
                          "--format=%H%x1f%P%x1f%ae%x1f%cI%x1f%s%x1f%b%x1e", "main"],
                         capture_output=True, text=True, check=True).stdout
    pid = _id(path)
    mrs: list[dict[str, Any]] = []
    approvals: dict[int, list[str]] = {}
    pipelines: list[dict[str, Any]] = []
    for i, record in enumerate(r for r in log.split("\x1e") if r.strip()):
        sha, parents, email, when, subject, body = record.strip("\n").split("\x1f")
        parent_list = parents.split()
        merged = datetime.fromisoformat(when)
        pipelines.append({"id": 70_000 + i, "iid": 700 + i, "project_id": pid, "sha": sha, "ref": "main",
                          "status": "failed" if failed_every and i % failed_every == failed_every - 1 else "success",
                          "source": "push", "created_at": _z(when), "updated_at": _z(when),
                          "web_url": f"{GITLAB_URL}/{path}/-/pipelines/{70_000 + i}"})
        m, s = MERGE.match(subject), SQUASH.match(subject)
        if not (m or s):
            continue
        iid = int(m.group(1) if m else s.group(2))  # type: ignore[union-attr]
        title = body.strip().split("\n")[0] if m and body.strip() else (s.group(1) if s else subject)
        author = _user(_login(email))
        opened = merged - timedelta(hours=20)
        mrs.append({
            "id": 10_000 + iid, "iid": iid, "project_id": pid, "title": title, "state": "merged",
            "target_branch": "main", "source_branch": m.group(3) if m else f"feature-{iid}", "author": author,
            "merge_user": author, "merged_by": author, "created_at": _z(opened.isoformat()), "updated_at": _z(when),
            "merged_at": _z(when), "sha": parent_list[1] if m and len(parent_list) > 1 else sha,
            "merge_commit_sha": sha if m else None, "squash_commit_sha": None if m else sha,
            "labels": ["hotfix"] if m and "hotfix" in m.group(3) else [],
            "web_url": f"{GITLAB_URL}/{path}/-/merge_requests/{iid}"})
        name = author["username"]
        approvals[iid] = [PEOPLE[(PEOPLE.index(name) + 1) % len(PEOPLE)] if name in PEOPLE else "alice"]
    mrs.sort(key=lambda x: x["updated_at"], reverse=True)
    members = [_user(p) | {"access_level": ROLES.get(p, 30), "expires_at": None} for p in PEOPLE[:5]]
    members += [_user("renovate[bot]") | {"access_level": 30, "expires_at": None},
                _user("grace") | {"access_level": 20, "expires_at": None}]
    return ProjectFixture(
        project={"id": pid, "name": path.rsplit("/", 1)[-1], "path": path.rsplit("/", 1)[-1],
                 "path_with_namespace": path, "default_branch": "main", "visibility": "public", "archived": False,
                 "web_url": f"{GITLAB_URL}/{path}", "topics": ["gitops"],
                 "only_allow_merge_if_pipeline_succeeds": True},
        protected_branches=[{"id": 7, "name": "main", "push_access_levels": [level(0, "No one")],
                             "merge_access_levels": [level(30, "Developers + Maintainers")],
                             "unprotect_access_levels": [], "allow_force_push": False,
                             "code_owner_approval_required": True}],
        approvals={"approvals_before_merge": 0, "reset_approvals_on_push": True,
                   "merge_requests_author_approval": False, "merge_requests_disable_committers_approval": False,
                   "disable_overriding_approvers_per_merge_request": True},
        approval_rules=[{"id": 1, "name": "Reviewers", "rule_type": "any_approver", "approvals_required": 1,
                         "applies_to_all_protected_branches": True, "protected_branches": []}],
        push_rule={"id": 1, "reject_unsigned_commits": False, "commit_committer_check": False},
        merge_requests=mrs, mr_approvals=approvals, pipelines=list(reversed(pipelines)), members=members,
    )
