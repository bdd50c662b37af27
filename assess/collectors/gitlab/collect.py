"""Collect one project's evidence from GitLab (REST API v4 through python-gitlab), GET only, into the forge-neutral
model. A section that cannot be read becomes an explicit unavailable status naming the token scope or role that would
fix it; a sub-resource the instance or tier does not offer (404) is "not available", not a failure."""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from typing import Any

import gitlab
import requests
import requests.adapters
from gitlab.exceptions import GitlabAuthenticationError, GitlabError, GitlabParsingError

from assess.collectors.github.api import WaitBudget
from assess.model.forge import (
    BranchPolicy,
    Collaborator,
    Deployment,
    ForgeEvidence,
    PullRequest,
    Review,
    SectionStatus,
    WorkflowRun,
)
from assess.model.provenance import Cause, Provenance, Source

MAX_MRS = 200
MAX_PIPELINES = 300
MAX_DEPLOYMENTS = 100
MAX_MEMBERS = 500
MAX_COMMIT_LOOKUPS = 50
# Sub-resources a tier or an instance may not offer: a 404 there means "not available here", not "cannot see".
OPTIONAL = {"approvals": "project approval settings", "approval_rules": "approval rules (GitLab Premium)",
            "push_rule": "push rules (GitLab Premium)", "deployments": "deployments"}
APPROVAL_SETTINGS = ("merge_requests_author_approval", "merge_requests_disable_committers_approval",
                     "reset_approvals_on_push", "disable_overriding_approvers_per_merge_request",
                     "require_password_to_approve", "require_reauthentication_to_approve")
ROLES = {30: "write", 40: "maintain", 50: "admin", 60: "admin"}
CONCLUSIONS = {"success": "success", "failed": "failure", "canceled": "cancelled", "skipped": "skipped"}
_BOT = re.compile(r"^(project|group)_\d+_bot")


class RateLimitDeadlineError(Exception):
    """GitLab asked to wait longer than the run's deadline allows, or the deadline has passed."""


class RepositoryUnavailableError(Exception):
    """The project itself cannot be read: the whole GitLab source is unavailable."""

    def __init__(self, reason: str, fix: str, cause: Cause = Cause.FAILED, scope: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.fix = fix
        self.cause = cause
        self.scope = scope


@dataclass(frozen=True)
class GitLabAccess:
    """How to reach one GitLab instance; the token is never printed."""

    url: str
    token: str | None = None
    job_token: bool = False
    timeout: float = 15.0


class _Counter:
    """Counts requests and turns a Retry-After beyond the deadline into an error instead of a sleep."""

    def __init__(self, budget: WaitBudget) -> None:
        self.requests = 0
        self.budget = budget

    def hook(self, response: requests.Response, *_: Any, **__: Any) -> requests.Response:
        """requests response hook."""
        self.requests += 1
        if response.status_code == 429:
            wait = _seconds(response.headers.get("Retry-After"))
            if wait is None or not self.budget.take(wait):
                raise RateLimitDeadlineError(f"rate limited; retry after {response.headers.get('Retry-After')}s, "
                                             "beyond the deadline")
        return response


def _seconds(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class _DeadlineSession(requests.Session):
    """A session that sends nothing once the deadline has passed and never waits for an answer beyond it."""

    def __init__(self, budget: WaitBudget) -> None:
        super().__init__()
        self.budget = budget

    def request(self, method: str, url: str, *args: Any, **kwargs: Any) -> requests.Response:  # type: ignore[override]
        """As requests, with the timeout cut to what is left of the deadline."""
        left = self.budget.remaining()
        if left <= 0:
            raise RateLimitDeadlineError("the --max-wait deadline has passed")
        timeout = kwargs.get("timeout")
        kwargs["timeout"] = min(float(timeout), left) if isinstance(timeout, (int, float)) else left
        return super().request(method, url, *args, **kwargs)


def client(access: GitLabAccess, budget: WaitBudget,
           adapter: requests.adapters.BaseAdapter | None = None) -> tuple[gitlab.Gitlab, _Counter]:
    """A python-gitlab client whose every response is counted and whose requests and rate-limit waits respect the
    deadline; with `adapter` (a recording's replay) it answers every request without the network."""
    session = _DeadlineSession(budget)
    if adapter is not None:
        session.mount("https://", adapter)
        session.mount("http://", adapter)
    counter = _Counter(budget)
    session.hooks["response"].append(counter.hook)
    tokens: dict[str, str] = {}
    if access.token:
        tokens = {"job_token": access.token} if access.job_token else {"private_token": access.token}
    gl = gitlab.Gitlab(access.url, session=session, timeout=access.timeout, retry_transient_errors=False,
                       **tokens)  # type: ignore[arg-type]
    return gl, counter


def collect_gitlab(gl: gitlab.Gitlab, counter: _Counter, access: GitLabAccess, target: str,
                   since: datetime | None, suspect_shas: Iterable[str], now: datetime) -> ForgeEvidence:
    """Read the protected branch, approval settings and rules, push rule, merged merge requests with approvals,
    default-branch pipelines, deployments and Maintainer+ members of one project."""
    authenticated = bool(access.token)
    try:
        project = gl.projects.get(target)
    except (GitlabError, RateLimitDeadlineError, requests.RequestException) as exc:
        reason, fix = _explain(exc, "project", access)
        cause = _cause(exc)
        raise RepositoryUnavailableError(reason, fix, cause,
                                         "read_api" if cause in PERMISSION_CAUSES else None) from exc
    sections: dict[str, SectionStatus] = {"repository": SectionStatus(True)}
    default = str(getattr(project, "default_branch", None) or "main")
    read = _Reader(sections, access)

    branches = read("protection", lambda: list(_take(project.protectedbranches.list(iterator=True, per_page=100),
                                                     100))) or []
    settings = read("approvals", lambda: project.approvals.get().attributes)
    rules = read("approval_rules", lambda: [r.attributes for r in _take(
        project.approvalrules.list(iterator=True, per_page=100), 100)]) or []
    push_rule = read("push_rule", lambda: _push_rule(project))
    policy = None
    if sections["protection"].available:
        policy = _policy(default, [b.attributes for b in branches], settings if isinstance(settings, dict) else None,
                         rules, push_rule, bool(getattr(project, "only_allow_merge_if_pipeline_succeeds", False)))

    merged = read("pulls", lambda: _merged(project, default, since)) or []
    pulls = [_with_approvals(project, raw, read) for raw in merged]
    if not pulls:
        sections.setdefault("reviews", SectionStatus(True))
    merge_shas = {p.merge_commit_sha for p in pulls if p.merge_commit_sha}
    sections["commit_pulls"] = SectionStatus(True)
    commit_pulls: dict[str, tuple[int, ...]] = {}
    for sha in [s for s in suspect_shas if s not in merge_shas][:MAX_COMMIT_LOOKUPS]:
        found = read("commit_pulls", partial(_commit_mrs, gl, project.id, sha))
        if isinstance(found, list):
            commit_pulls[sha] = tuple(int(m["iid"]) for m in found)

    window = {"updated_after": since.isoformat()} if since else {}
    runs = read("actions", lambda: [_pipeline(p.attributes) for p in _take(project.pipelines.list(
        iterator=True, per_page=100, ref=default, **window), MAX_PIPELINES)]) or []
    deployments = read("deployments", lambda: [_deployment(d.attributes) for d in _take(project.deployments.list(
        iterator=True, per_page=100, order_by="created_at", sort="desc"), MAX_DEPLOYMENTS)]) or []
    members = read("collaborators", lambda: [_member(m.attributes) for m in _take(
        project.members_all.list(iterator=True, per_page=100), MAX_MEMBERS)
        if int(m.attributes.get("access_level") or 0) >= 30]) or []
    web = str(getattr(project, "web_url", "") or f"{access.url.rstrip('/')}/{target}")
    return ForgeEvidence(
        provenance=Provenance(Source.GITLAB, f"GitLab REST API at {access.url.rstrip('/')}/api/v4", now.isoformat()),
        repo=str(getattr(project, "path_with_namespace", target)), api_url=f"{access.url.rstrip('/')}/api/v4",
        html_url=web, authenticated=authenticated, default_branch=default,
        visibility=getattr(project, "visibility", None), archived=bool(getattr(project, "archived", False)),
        fork=getattr(project, "forked_from_project", None) is not None,
        topics=tuple(getattr(project, "topics", None) or ()), policy=policy, sections=sections,
        pulls=tuple(pulls), commit_pulls=commit_pulls, runs=tuple(runs), deployments=tuple(deployments),
        collaborators=tuple(members), since=since.isoformat() if since else None,
        forge_settings={k: bool(v) for k, v in (settings or {}).items() if k in APPROVAL_SETTINGS and v is not None}
        if isinstance(settings, dict) else {}, requests=counter.requests)


class _Reader:
    """Runs one read and records the section as available, not available here, or unavailable with the fix."""

    def __init__(self, sections: dict[str, SectionStatus], access: GitLabAccess) -> None:
        self.sections = sections
        self.access = access

    def __call__(self, name: str, read: Callable[[], Any]) -> Any:
        """The value read, or None with the section's status recorded."""
        try:
            value = read()
        except (GitlabError, RateLimitDeadlineError, requests.RequestException) as exc:
            code = getattr(exc, "response_code", None)
            if code == 404 and name in OPTIONAL:
                self.sections.setdefault(name, SectionStatus(True, f"{OPTIONAL[name]} not available on this "
                                                                   "project or tier (404)"))
                return None
            reason, fix = _explain(exc, name, self.access)
            self.sections[name] = SectionStatus(False, reason, fix)
            return None
        except (AttributeError, TypeError, KeyError, ValueError) as exc:
            self.sections[name] = SectionStatus(False, f"malformed answer from the API ({type(exc).__name__})",
                                                "check that --gitlab-url points at a GitLab instance")
            return None
        self.sections.setdefault(name, SectionStatus(True))
        return value


PERMISSION_CAUSES = frozenset({Cause.NOT_FOUND, Cause.UNAUTHORIZED, Cause.FORBIDDEN})


def _cause(exc: Exception) -> Cause:
    """Why a read failed, from the exception's type and status code (never its text)."""
    if isinstance(exc, RateLimitDeadlineError):
        return Cause.RATE_LIMITED
    if isinstance(exc, requests.RequestException):
        return Cause.UNREACHABLE
    code = getattr(exc, "response_code", None)
    if isinstance(exc, GitlabAuthenticationError) or code == 401:
        return Cause.UNAUTHORIZED
    causes = {403: Cause.FORBIDDEN, 404: Cause.NOT_FOUND, 429: Cause.RATE_LIMITED}
    if code in causes:
        return causes[code]
    return Cause.UNREACHABLE if code is not None and code >= 500 else Cause.FAILED


def _explain(exc: Exception, section: str, access: GitLabAccess) -> tuple[str, str]:
    """Reason and fix for a failed read; the fix names the token scope (read_api) or role that would help."""
    if isinstance(exc, RateLimitDeadlineError):
        return f"GitLab: {exc}", "run again later, or raise --max-wait"
    if isinstance(exc, GitlabParsingError):
        return "malformed answer from the API", "check that --gitlab-url points at a GitLab instance"
    if isinstance(exc, requests.RequestException):
        return "network error or timeout", "check --gitlab-url and the network, or run again later"
    code = getattr(exc, "response_code", None)
    scope = ("set GITLAB_TOKEN to a token with read_api (CI_JOB_TOKEN reaches only a few endpoints)"
             if access.job_token or not access.token else "use a token with the read_api scope")
    role = " and the Maintainer role" if section in ("protection", "approvals", "approval_rules", "push_rule",
                                                     "collaborators") else ""
    if isinstance(exc, GitlabAuthenticationError) or code == 401:
        return "needs authentication (401)", scope + role
    if code == 403:
        return "not visible to this token (403)", scope + role
    if code == 404:
        return "not found or not visible to this token (404)", scope + role
    if code == 429:
        return "rate limited (429)", "run again later, or raise --max-wait"
    if code is not None and code >= 500:
        return f"GitLab server error ({code})", "run again later"
    return f"GitLab answered {code}", scope


def _take(items: Iterable[Any], limit: int) -> Iterator[Any]:
    for i, item in enumerate(items):
        if i >= limit:
            return
        yield item


def _commit_mrs(gl: gitlab.Gitlab, project_id: int, sha: str) -> list[Any]:
    return list(_take(gl.http_list(f"/projects/{project_id}/repository/commits/{sha}/merge_requests",
                                   iterator=True), 20))


def _push_rule(project: Any) -> dict[str, Any] | None:
    raw = project.manager.gitlab.http_get(f"/projects/{project.id}/push_rule")
    return raw if isinstance(raw, dict) else None


def _levels(entries: Any) -> list[dict[str, Any]]:
    return [e for e in entries or [] if isinstance(e, dict)]


def _who(entry: dict[str, Any]) -> str:
    if entry.get("user_id"):
        return f"user {entry['user_id']}"
    if entry.get("group_id"):
        return f"group {entry['group_id']}"
    if entry.get("deploy_key_id"):
        return f"deploy key {entry['deploy_key_id']}"
    return str(entry.get("access_level_description") or f"access level {entry.get('access_level')}")


def _allows(entry: dict[str, Any]) -> bool:
    return bool(entry.get("user_id") or entry.get("group_id") or entry.get("deploy_key_id")
                or int(entry.get("access_level") or 0) > 0)


def _policy(default: str, branches: list[dict[str, Any]], settings: dict[str, Any] | None,
            rules: list[dict[str, Any]], push_rule: dict[str, Any] | None, pipeline_gate: bool) -> BranchPolicy:
    """The effective policy of the default branch: its protected-branch rule(s), approval settings and rules."""
    exact = [b for b in branches if b.get("name") == default]
    matching = exact or [b for b in branches if "*" in str(b.get("name")) and fnmatch.fnmatchcase(
        default, str(b.get("name")))]
    if not matching:
        return BranchPolicy(protected=False)
    pushers = [e for b in matching for e in _levels(b.get("push_access_levels")) if _allows(e)]
    force = all(b.get("allow_force_push") for b in matching) if not exact else bool(exact[0].get("allow_force_push"))
    names = ", ".join(str(b.get("name")) for b in matching)
    applicable = [r for r in rules if r.get("applies_to_all_protected_branches") or not r.get("protected_branches")
                  or any(isinstance(p, dict) and p.get("name") in [b.get("name") for b in matching]
                         for p in r.get("protected_branches") or [])]
    required = max([int(r.get("approvals_required") or 0) for r in applicable] or [0])
    s = settings or {}
    return BranchPolicy(
        protected=True, sources=(f"GitLab protected branch {names}",),
        requires_pull_request=not pushers,
        required_approvals=required,
        dismiss_stale_reviews=bool(s.get("reset_approvals_on_push")),
        require_code_owner_reviews=any(bool(b.get("code_owner_approval_required")) for b in matching),
        require_last_push_approval=bool(s.get("merge_requests_disable_committers_approval")),
        required_status_checks=("pipeline must succeed",) if pipeline_gate else (),
        required_signatures=bool((push_rule or {}).get("reject_unsigned_commits")),
        force_push_blocked=not force, deletion_blocked=True,
        # On GitLab nobody "bypasses" a rule: who may push straight to the branch is the bypass.
        admins_enforced=not pushers,
        bypass_actors=tuple(dict.fromkeys(f"{_who(e)} (direct push)" for e in pushers)),
    )


def _merged(project: Any, default: str, since: datetime | None) -> list[dict[str, Any]]:
    params: dict[str, Any] = {"state": "merged", "target_branch": default, "order_by": "updated_at", "sort": "desc"}
    if since:
        params["updated_after"] = since.isoformat()
    out = []
    for mr in _take(project.mergerequests.list(iterator=True, per_page=100, **params), MAX_MRS):
        raw = mr.attributes
        merged = _when(raw.get("merged_at"))
        if since and merged and merged < since:
            continue
        out.append(raw)
    return out


def _user(value: Any) -> str | None:
    return str(value.get("username")) if isinstance(value, dict) and value.get("username") else None


def _with_approvals(project: Any, raw: dict[str, Any], read: _Reader) -> PullRequest:
    author = raw.get("author") or {}
    username = str(author.get("username") or "")
    iid = int(raw["iid"])
    pr = PullRequest(
        number=iid, title=str(raw.get("title") or ""), author=username,
        author_is_bot=bool(author.get("bot")) or bool(_BOT.match(username)),
        created_at=str(raw.get("created_at")), merged_at=str(raw.get("merged_at")),
        merged_by=_user(raw.get("merge_user")) or _user(raw.get("merged_by")),
        merge_commit_sha=raw.get("merge_commit_sha") or raw.get("squash_commit_sha") or raw.get("sha"),
        head_sha=raw.get("sha"), head_ref=str(raw.get("source_branch") or ""),
        labels=tuple(str(label) for label in raw.get("labels") or []))
    approvals = read("reviews", lambda: project.manager.gitlab.http_get(
        f"/projects/{project.id}/merge_requests/{iid}/approvals"))
    if not isinstance(approvals, dict):
        return pr
    # GitLab does not record which commit an approval was given on; with reset-on-push only current ones survive.
    reviews = tuple(Review(u, "APPROVED", None, None) for u in
                    (_user(a.get("user")) for a in approvals.get("approved_by") or [] if isinstance(a, dict)) if u)
    return PullRequest(pr.number, pr.title, pr.author, pr.author_is_bot, pr.created_at, pr.merged_at, pr.merged_by,
                       pr.merge_commit_sha, pr.head_sha, pr.head_ref, pr.labels, reviews, True)


def _pipeline(raw: dict[str, Any]) -> WorkflowRun:
    status = str(raw.get("status") or "")
    return WorkflowRun(int(raw["id"]), "pipeline", str(raw.get("source") or ""), status, CONCLUSIONS.get(status),
                       str(raw.get("created_at")), str(raw.get("sha") or ""))


def _deployment(raw: dict[str, Any]) -> Deployment:
    env = raw.get("environment") or {}
    return Deployment(int(raw["id"]), str(env.get("name") if isinstance(env, dict) else env or ""),
                      str(raw.get("sha") or ""), str(raw.get("created_at")), raw.get("status"))


def _member(raw: dict[str, Any]) -> Collaborator:
    username = str(raw.get("username") or "")
    return Collaborator(username, ROLES.get(int(raw.get("access_level") or 0), "admin"),
                        bool(raw.get("bot")) or bool(_BOT.match(username)))


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
