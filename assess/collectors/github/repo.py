"""Collect one repository's GitHub evidence. Each section that cannot be read becomes an explicit unavailable
status naming the permission that would fix it; nothing here raises for a permission or rate-limit problem."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from assess.collectors.github.api import ApiError, ErrorKind, GitHubApi
from assess.collectors.github.policy import effective_policy
from assess.model.forge import (
    Collaborator,
    Deployment,
    ForcePush,
    ForgeEvidence,
    PullRequest,
    Review,
    SectionStatus,
    WorkflowRun,
)
from assess.model.provenance import Cause, Provenance, Source

PERMISSIONS = {
    "repository": "Metadata: read",
    "protection": "Administration: read (fine-grained token) or the admin role (classic token with `repo`)",
    "rulesets": "Metadata: read",
    "codeowners": "Contents: read",
    "pulls": "Pull requests: read",
    "reviews": "Pull requests: read",
    "commit_pulls": "Contents: read and Pull requests: read",
    "actions": "Actions: read",
    "deployments": "Deployments: read",
    "collaborators": "push access to the repository (Administration: read for fine-grained tokens)",
    "activity": "Metadata: read",
}
MAX_PRS = 200
MAX_COMMIT_LOOKUPS = 50
MAX_DEPLOYMENT_STATUSES = 20


class RepositoryUnavailableError(Exception):
    """The repository itself cannot be read (wrong name, no access, rate limit): the whole source is unavailable."""

    def __init__(self, error: ApiError, fix: str) -> None:
        super().__init__(error.message)
        self.error = error
        self.fix = fix

    @property
    def cause(self) -> Cause:
        """Why, as a cause every format can act on."""
        return CAUSES.get(self.error.kind, Cause.FAILED)

    @property
    def scope(self) -> str | None:
        """The token permission that would let the repository be read, when a permission is what is missing."""
        return PERMISSIONS["repository"] if self.cause in PERMISSION_CAUSES else None


CAUSES = {ErrorKind.NOT_FOUND: Cause.NOT_FOUND, ErrorKind.UNAUTHORIZED: Cause.UNAUTHORIZED,
          ErrorKind.FORBIDDEN: Cause.FORBIDDEN, ErrorKind.RATE_LIMITED: Cause.RATE_LIMITED,
          ErrorKind.SERVER: Cause.UNREACHABLE, ErrorKind.NETWORK: Cause.UNREACHABLE}
PERMISSION_CAUSES = frozenset({Cause.NOT_FOUND, Cause.UNAUTHORIZED, Cause.FORBIDDEN})


def collect_github(api: GitHubApi, full_name: str, branch: str | None, since: datetime | None,
                   suspect_shas: Iterable[str], now: datetime, max_prs: int = MAX_PRS) -> ForgeEvidence:
    """Read the branch policy, merged PRs and reviews, CI runs, deployments and access of one repository."""
    sections: dict[str, SectionStatus] = {}
    try:
        repo, _ = api.get(f"/repos/{full_name}")
        if not isinstance(repo, dict):
            raise ApiError(ErrorKind.MALFORMED, None, "the repository answer is not a JSON object",
                           f"{api.base_url}/repos/{full_name}")
    except ApiError as exc:
        raise RepositoryUnavailableError(exc, _fix(exc, "repository", api.authenticated)) from exc
    sections["repository"] = SectionStatus(True)
    default = branch or str(repo.get("default_branch") or "main")
    base = f"/repos/{full_name}"

    classic = _section(sections, "protection", api, lambda: api.get(f"{base}/branches/{default}/protection")[0],
                       absent_ok=True)
    rules = _section(sections, "rulesets", api,
                     lambda: list(api.paginate(f"{base}/rules/branches/{default}", max_pages=3))) or []
    rulesets: dict[int, dict[str, Any]] = {}
    for rid in sorted({r["ruleset_id"] for r in rules if isinstance(r.get("ruleset_id"), int)}):
        detail = _section(sections, "rulesets", api, lambda rid=rid: api.get(f"{base}/rulesets/{rid}")[0])
        if isinstance(detail, dict):
            rulesets[rid] = detail
    policy = None
    if sections["rulesets"].available and (sections["protection"].available or rules):
        policy = effective_policy(classic if isinstance(classic, dict) else None, rules, rulesets)

    errors = _section(sections, "codeowners", api, lambda: api.get(f"{base}/codeowners/errors")[0], absent_ok=True)
    codeowners_errors = tuple(f"{e.get('path')}:{e.get('line')}: {e.get('message') or e.get('kind')}"
                              for e in (errors or {}).get("errors", [])) if isinstance(errors, dict) else ()

    pulls = _section(sections, "pulls", api, lambda: _merged_pulls(api, base, default, since, max_prs)) or []
    if pulls:
        pulls = [_with_reviews(api, base, p, sections) for p in pulls]
    else:
        sections.setdefault("reviews", SectionStatus(True))

    merge_shas = {p.merge_commit_sha for p in pulls if p.merge_commit_sha}
    commit_pulls: dict[str, tuple[int, ...]] = {}
    sections["commit_pulls"] = SectionStatus(True)
    for sha in [s for s in suspect_shas if s not in merge_shas][:MAX_COMMIT_LOOKUPS]:
        found = _section(sections, "commit_pulls", api, lambda sha=sha: api.get(f"{base}/commits/{sha}/pulls")[0])
        if isinstance(found, list):
            commit_pulls[sha] = tuple(int(p["number"]) for p in found)

    created = f">={since.date().isoformat()}" if since else None
    runs = _section(sections, "actions", api, lambda: [_run(r) for r in api.paginate(
        f"{base}/actions/runs", {"branch": default, "created": created, "exclude_pull_requests": "true"},
        max_pages=3, key="workflow_runs")]) or []
    deployments = _section(sections, "deployments", api, lambda: _deployments(api, base)) or []
    collaborators = _section(sections, "collaborators", api, lambda: [
        c for c in (_collaborator(x) for x in api.paginate(f"{base}/collaborators", {"affiliation": "all"},
                                                             max_pages=5)) if c.permission in
        ("admin", "maintain", "write", "push")]) or []

    activity = _section(sections, "activity", api, lambda: [ForcePush(
        str((a.get("actor") or {}).get("login") or ""), str(a.get("timestamp") or ""), str(a.get("before") or ""),
        str(a.get("after") or "")) for a in api.paginate(
        f"{base}/activity", {"ref": f"refs/heads/{default}", "activity_type": "force_push"}, max_pages=2)
        if not since or (_when(a.get("timestamp")) or since) >= since]) or []
    html = str(repo.get("html_url") or f"https://github.com/{full_name}")
    return ForgeEvidence(
        provenance=Provenance(Source.GITHUB, f"GitHub REST API at {api.base_url}", now.isoformat()),
        repo=full_name, api_url=api.base_url, html_url=html, authenticated=api.authenticated,
        default_branch=default, visibility=repo.get("visibility") or ("private" if repo.get("private") else "public"),
        archived=bool(repo.get("archived")), fork=bool(repo.get("fork")), topics=tuple(repo.get("topics") or ()),
        token_permissions={k: bool(v) for k, v in (repo.get("permissions") or {}).items()},
        policy=policy, sections=sections, codeowners_found=isinstance(errors, dict),
        codeowners_errors=codeowners_errors, pulls=tuple(pulls),
        commit_pulls=commit_pulls, runs=tuple(runs), deployments=tuple(deployments),
        collaborators=tuple(collaborators), force_pushes=tuple(activity),
        since=since.isoformat() if since else None,
        requests=api.requests, conditional_hits=api.conditional_hits,
    )


def _section(sections: dict[str, SectionStatus], name: str, api: GitHubApi, read: Any,
             absent_ok: bool = False) -> Any:
    """Run one read; record the section as available, absent (a real 'no'), or unavailable with the fix."""
    try:
        value = read()
    except (AttributeError, TypeError, KeyError, ValueError) as exc:
        # an answer of another shape than GitHub's (a list for an object, a string for a number): said, not a crash
        sections[name] = SectionStatus(False, f"malformed answer from the API ({type(exc).__name__})",
                                       "check that --github-url points at a GitHub REST API")
        return None
    except ApiError as exc:
        if absent_ok and exc.kind in (ErrorKind.NOT_PROTECTED, ErrorKind.NOT_FOUND) and (
                exc.kind is ErrorKind.NOT_PROTECTED or name == "codeowners"):
            sections.setdefault(name, SectionStatus(True))
            return None
        sections[name] = SectionStatus(False, _reason(exc), _fix(exc, name, api.authenticated))
        return None
    sections.setdefault(name, SectionStatus(True))
    return value


def _reason(exc: ApiError) -> str:
    what = {
        ErrorKind.NOT_FOUND: "not visible to this token (404)",
        ErrorKind.UNAUTHORIZED: "needs authentication (401)",
        ErrorKind.FORBIDDEN: f"forbidden for this token ({exc.status})",
        ErrorKind.RATE_LIMITED: "rate limited" + (f"; retry after {exc.retry_after:.0f}s" if exc.retry_after else ""),
        ErrorKind.SERVER: f"GitHub server error ({exc.status})",
        ErrorKind.NETWORK: "network error or timeout",
        ErrorKind.NOT_PROTECTED: "not protected",
        ErrorKind.REDIRECTED: "redirected to another host",
        ErrorKind.MALFORMED: "malformed answer from the API",
        ErrorKind.TOO_LARGE: "answer too large",
    }[exc.kind]
    return f"{what}: {exc.message}" if exc.message and exc.message.lower() not in what.lower() else what


def _fix(exc: ApiError, section: str, authenticated: bool) -> str:
    if exc.kind in (ErrorKind.RATE_LIMITED, ErrorKind.SERVER, ErrorKind.NETWORK):
        return "run again later, or raise --max-wait"
    if exc.kind in (ErrorKind.REDIRECTED, ErrorKind.MALFORMED, ErrorKind.TOO_LARGE):
        return "check that --github-url points at a GitHub REST API"
    if not authenticated:
        return f"set GITHUB_TOKEN (or GH_TOKEN) to a token with {PERMISSIONS[section]}"
    return f"use a token with {PERMISSIONS[section]}"


def _merged_pulls(api: GitHubApi, base: str, branch: str, since: datetime | None, limit: int) -> list[PullRequest]:
    out: list[PullRequest] = []
    params = {"state": "closed", "base": branch, "sort": "updated", "direction": "desc"}
    for raw in api.paginate(f"{base}/pulls", params, max_pages=max(limit // 100 + 1, 1) + 2):
        updated = _when(raw.get("updated_at"))
        if since and updated and updated < since:
            break  # sorted by update time: everything after this is older
        merged = _when(raw.get("merged_at"))
        if merged is None or (since and merged < since):
            continue
        user = raw.get("user") or {}
        out.append(PullRequest(
            number=int(raw["number"]), title=str(raw.get("title") or ""), author=str(user.get("login") or ""),
            author_is_bot=user.get("type") == "Bot" or str(user.get("login", "")).endswith("[bot]"),
            created_at=str(raw.get("created_at")), merged_at=str(raw.get("merged_at")),
            merged_by=(raw.get("merged_by") or {}).get("login"), merge_commit_sha=raw.get("merge_commit_sha"),
            head_sha=(raw.get("head") or {}).get("sha"), head_ref=str((raw.get("head") or {}).get("ref") or ""),
            labels=tuple(str(label.get("name")) for label in raw.get("labels") or []),
        ))
        if len(out) >= limit:
            break
    return out


def _with_reviews(api: GitHubApi, base: str, pr: PullRequest, sections: dict[str, SectionStatus]) -> PullRequest:
    raw = _section(sections, "reviews", api, lambda: list(api.paginate(f"{base}/pulls/{pr.number}/reviews",
                                                                       max_pages=3)))
    if raw is None:
        return pr
    reviews = tuple(Review(str((r.get("user") or {}).get("login") or ""), str(r.get("state")), r.get("submitted_at"),
                           r.get("commit_id")) for r in raw)
    return PullRequest(pr.number, pr.title, pr.author, pr.author_is_bot, pr.created_at, pr.merged_at, pr.merged_by,
                       pr.merge_commit_sha, pr.head_sha, pr.head_ref, pr.labels, reviews, True)


def _run(raw: dict[str, Any]) -> WorkflowRun:
    return WorkflowRun(int(raw["id"]), str(raw.get("name") or ""), str(raw.get("event") or ""),
                       str(raw.get("status") or ""), raw.get("conclusion"), str(raw.get("created_at")),
                       str(raw.get("head_sha") or ""))


def _deployments(api: GitHubApi, base: str) -> list[Deployment]:
    out: list[Deployment] = []
    for i, raw in enumerate(api.paginate(f"{base}/deployments", max_pages=1)):
        state = None
        if i < MAX_DEPLOYMENT_STATUSES:
            statuses, _ = api.get(f"{base}/deployments/{raw['id']}/statuses", {"per_page": 1})
            state = statuses[0].get("state") if statuses else None
        out.append(Deployment(int(raw["id"]), str(raw.get("environment") or ""), str(raw.get("sha") or ""),
                              str(raw.get("created_at")), state))
    return out


def _collaborator(raw: dict[str, Any]) -> Collaborator:
    perms = raw.get("permissions") or {}
    role = raw.get("role_name") or next((p for p in ("admin", "maintain", "push", "triage", "pull")
                                         if perms.get(p)), "pull")
    return Collaborator(str(raw.get("login") or ""), "write" if role == "push" else str(role),
                        raw.get("type") == "Bot")


def _when(value: Any) -> datetime | None:
    if not value:
        return None
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))
