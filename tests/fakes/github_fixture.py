"""Realistic GitHub API data for a sample repository, derived from its Git history (PRs from merge and squash
commits, reviews, Actions runs) and a per-stage profile of branch rules."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from tests.fakes.github_server import RepoFixture

MERGE = re.compile(r"^Merge pull request #(\d+) from ([^/\s]+)/(\S+)")
SQUASH = re.compile(r"^(.*) \(#(\d+)\)$")
PEOPLE = ["alice", "bob", "carol", "dave", "erin", "frank", "grace"]


@dataclass(frozen=True)
class Profile:
    """How mature the repository's GitHub settings are."""

    protection: dict[str, Any] | None
    rules: list[dict[str, Any]]
    rulesets: dict[int, dict[str, Any]]
    codeowners_errors: list[dict[str, Any]] | None
    self_merge_every: int = 0      # every Nth PR is merged by its author without an approval
    ci_failure_every: int = 0      # every Nth default-branch run fails
    deployments: bool = False
    force_pushed: bool = False


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout



def _z(value: str) -> str:
    """An ISO timestamp in GitHub's UTC `Z` form."""
    from datetime import UTC

    return datetime.fromisoformat(value).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _login(email: str) -> str:
    return "renovate[bot]" if "renovate" in email else "fluxcdbot" if "fluxcdbot" in email else email.split("@")[0]


def build_fixture(repo: Path, full_name: str, profile: Profile, tarball: bytes | None = None) -> RepoFixture:
    """GitHub data consistent with the repository's first-parent history."""
    owner, name = full_name.split("/")
    log = _git(repo, "log", "--first-parent", "--format=%H%x1f%P%x1f%ae%x1f%cI%x1f%s%x1f%b%x1e", "main")
    pulls: list[dict[str, Any]] = []
    reviews: dict[int, list[dict[str, Any]]] = {}
    commit_pulls: dict[str, list[int]] = {}
    runs: list[dict[str, Any]] = []
    for i, record in enumerate(r for r in log.split("\x1e") if r.strip()):
        sha, parents, email, when, subject, body = record.strip("\n").split("\x1f")
        parent_list = parents.split()
        merged = datetime.fromisoformat(when)
        m, s = MERGE.match(subject), SQUASH.match(subject)
        runs.append({"id": 9000 + i, "name": "build", "event": "push", "status": "completed", "head_branch": "main",
                     "conclusion": "failure" if profile.ci_failure_every and i % profile.ci_failure_every == 1
                     else "success", "created_at": _z(when), "head_sha": sha})
        if not (m or s):
            commit_pulls[sha] = []
            continue
        number = int(m.group(1) if m else s.group(2))  # type: ignore[union-attr]
        title = (body.strip().split("\n")[0] if m and body.strip() else (s.group(1) if s else subject))
        head_ref = m.group(3) if m else f"feature-{number}"
        head_sha = parent_list[1] if m and len(parent_list) > 1 else f"{number:040x}"
        author = _login(email)
        opened = merged - timedelta(hours=20)
        pulls.append({
            "number": number, "title": title, "state": "closed", "user": {
                "login": author, "type": "Bot" if author.endswith("[bot]") or author == "fluxcdbot" else "User"},
            "created_at": _z(opened.isoformat()), "updated_at": _z(when), "merged_at": _z(when),
            "closed_at": _z(when), "merged_by": {"login": author}, "merge_commit_sha": sha,
            "head": {"ref": head_ref, "sha": head_sha}, "base": {"ref": "main"},
            "labels": [{"name": "hotfix"}] if "hotfix" in head_ref else [],
        })
        if profile.self_merge_every and number % profile.self_merge_every == 0:
            reviews[number] = []
        else:
            reviewer = PEOPLE[(PEOPLE.index(author) + 1) % len(PEOPLE)] if author in PEOPLE else "alice"
            reviews[number] = [{"id": number * 10, "user": {"login": reviewer}, "state": "APPROVED",
                                "submitted_at": _z((opened + timedelta(hours=3)).isoformat()),
                                "commit_id": head_sha}]
    pulls.sort(key=lambda p: p["updated_at"], reverse=True)
    deployments: list[dict[str, Any]] = []
    statuses: dict[int, list[dict[str, Any]]] = {}
    if profile.deployments:
        for j, run in enumerate(runs[:5]):
            deployments.append({"id": 500 + j, "environment": "production", "sha": run["head_sha"],
                                "created_at": run["created_at"]})
            statuses[500 + j] = [{"state": "success" if j % 4 else "failure", "created_at": run["created_at"]}]
    return RepoFixture(
        repo={"id": abs(hash(full_name)) % 10**8, "name": name, "full_name": full_name, "private": False,
              "visibility": "public", "default_branch": "main", "archived": False, "fork": False,
              "topics": ["gitops"], "owner": {"login": owner}, "html_url": f"https://github.com/{full_name}"},
        protection=profile.protection, rules=profile.rules, rulesets=profile.rulesets,
        codeowners_errors=profile.codeowners_errors, pulls=pulls, reviews=reviews, commit_pulls=commit_pulls,
        runs=list(reversed(runs)), deployments=deployments, deployment_statuses=statuses,
        collaborators=[{"login": p, "type": "User", "role_name": "admin" if p == "alice" else "write"}
                       for p in PEOPLE[:5]] + [{"login": "renovate[bot]", "type": "Bot", "role_name": "write"}],
        activity=[{"id": 1, "ref": "refs/heads/main", "activity_type": "force_push", "actor": {"login": "frank"},
                   "timestamp": pulls[len(pulls) // 2]["merged_at"] if pulls else "2026-01-01T00:00:00Z",
                   "before": "1" * 40, "after": "2" * 40}] if profile.force_pushed else [],
        tarball=tarball,
    )


def classic(approvals: int = 1, code_owners: bool = False, stale: bool = False, checks: tuple[str, ...] = (),
            admins: bool = False, force: bool = True, deletions: bool = True, signatures: bool = False,
            linear: bool = False) -> dict[str, Any]:
    """A classic branch-protection payload as GET .../protection returns it."""
    return {
        "url": "https://api.github.com/repos/x/y/branches/main/protection",
        "required_status_checks": {"strict": bool(checks), "contexts": list(checks),
                                   "checks": [{"context": c, "app_id": None} for c in checks]} if checks else None,
        "enforce_admins": {"enabled": admins},
        "required_pull_request_reviews": {"dismiss_stale_reviews": stale, "require_code_owner_reviews": code_owners,
                                          "required_approving_review_count": approvals,
                                          "require_last_push_approval": False} if approvals else None,
        "required_signatures": {"enabled": signatures},
        "required_linear_history": {"enabled": linear},
        "allow_force_pushes": {"enabled": force},
        "allow_deletions": {"enabled": deletions},
    }


def ruleset_rules(ruleset_id: int, approvals: int = 2, signatures: bool = False,
                  checks: tuple[str, ...] = ("validate",)) -> list[dict[str, Any]]:
    """Active rules on a branch as GET .../rules/branches/{branch} returns them."""
    meta = {"ruleset_source_type": "Repository", "ruleset_source": "acme/x", "ruleset_id": ruleset_id}
    rules = [
        {"type": "pull_request", "parameters": {"required_approving_review_count": approvals,
                                                "dismiss_stale_reviews_on_push": True,
                                                "require_code_owner_review": True,
                                                "require_last_push_approval": True,
                                                "required_review_thread_resolution": False}, **meta},
        {"type": "required_status_checks", "parameters": {
            "strict_required_status_checks_policy": True,
            "required_status_checks": [{"context": c} for c in checks]}, **meta},
        {"type": "non_fast_forward", **meta},
        {"type": "deletion", **meta},
    ]
    if signatures:
        rules.append({"type": "required_signatures", **meta})
    return rules


PROFILES: dict[int, Profile] = {
    0: Profile(protection=None, rules=[], rulesets={}, codeowners_errors=None, ci_failure_every=0),
    1: Profile(protection=classic(approvals=1), rules=[], rulesets={}, codeowners_errors=None, self_merge_every=3,
               ci_failure_every=13, deployments=True, force_pushed=True),
    2: Profile(protection=classic(approvals=1, code_owners=True, stale=True, checks=("image", "manifests"),
                                  admins=True, force=False, deletions=False),
               rules=[], rulesets={}, codeowners_errors=[]),
    3: Profile(protection=None, rules=ruleset_rules(41), rulesets={41: {
        "id": 41, "name": "protect-main", "target": "branch", "source_type": "Repository",
        "enforcement": "active", "bypass_actors": []}},
        codeowners_errors=[{"line": 2, "column": 20, "kind": "Unknown owner", "source": "/apps/ @acme/orders-team",
                            "path": ".github/CODEOWNERS", "message": "Unknown owner on line 2: make sure "
                            "@acme/orders-team exists and has write access to the repository"}]),
    4: Profile(protection=classic(approvals=1, code_owners=True, stale=True, checks=("manifests",), admins=True,
                                  force=False, deletions=False, signatures=True, linear=True),
               rules=ruleset_rules(7, approvals=2, signatures=True), rulesets={7: {
                   "id": 7, "name": "org-baseline", "target": "branch", "source_type": "Organization",
                   "enforcement": "active", "bypass_actors": []}}, codeowners_errors=[]),
}
