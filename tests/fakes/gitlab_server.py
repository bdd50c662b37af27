"""A local GitLab-compatible REST server (API v4) for tests: realistic JSON, offset and keyset pagination with
`Link` and `X-Next-Page`/`X-Total-Pages`, tokens and scopes, 401/403/404/429 with Retry-After, 5xx. The real
python-gitlab client talks to it; every request is recorded so tests can assert GET-only and request counts."""

from __future__ import annotations

import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import HttpFault, LocalServer, QuietHandler

MAINTAINER_TOKEN = "glpat-maintainer-read-api"
REPORTER_TOKEN = "glpat-reporter-read-api"  # read_api, but the Reporter role: project settings are hidden
NO_SCOPE_TOKEN = "glpat-read-user-only"  # no read_api scope at all
JOB_TOKEN = "glcbt-job-token"  # CI_JOB_TOKEN: reaches the project, little else
SETTINGS = ("protected_branches", "approvals", "approval_rules", "push_rule", "members/all")


@dataclass
class ProjectFixture:
    """Everything the fake server knows about one project."""

    project: dict[str, Any]
    protected_branches: list[dict[str, Any]] = field(default_factory=list)
    approvals: dict[str, Any] = field(default_factory=dict)
    approval_rules: list[dict[str, Any]] | None = None  # None: Free tier, the endpoint answers 404
    push_rule: dict[str, Any] | None = None  # None: Free tier, 404
    merge_requests: list[dict[str, Any]] = field(default_factory=list)
    mr_approvals: dict[int, list[str]] = field(default_factory=dict)
    pipelines: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    members: list[dict[str, Any]] = field(default_factory=list)
    commit_mrs: dict[str, list[int]] = field(default_factory=dict)
    archive: bytes | None = None  # the tar.gz of the default branch


Fault = HttpFault  # GitLab's faults are plain status answers


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    token: str | None
    status: int


class FakeGitLab(LocalServer[Fault, Recorded]):
    """Start with `with FakeGitLab({"group/project": fixture}) as gl:`; `gl.url` is the instance URL."""

    def __init__(self, projects: dict[str, ProjectFixture], groups: dict[str, list[str]] | None = None) -> None:
        self.projects = projects
        self.groups = groups or {}
        self.delays: dict[str, float] = {}  # path pattern → seconds to wait before answering (a slow server)
        self.max_per_page = 100  # GitLab's own cap; tests lower it to see pagination with few items
        super().__init__(_handler)

    def paths(self) -> list[str]:
        """The paths requested, in order."""
        return [r.path for r in self.requests]

    def find(self, key: str) -> ProjectFixture | None:
        """A project by numeric id or full path."""
        if key in self.projects:
            return self.projects[key]
        return next((p for p in self.projects.values() if str(p.project["id"]) == key), None)


def _handler(gl: FakeGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):

        def _token(self) -> str | None:
            return self.headers.get("PRIVATE-TOKEN") or self.headers.get("JOB-TOKEN")

        def _respond(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
            raw = isinstance(body, bytes)
            payload = body if isinstance(body, bytes) else json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/gzip" if raw else "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("RateLimit-Limit", "2000")
            self.send_header("RateLimit-Remaining", "1990")
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            parsed = urllib.parse.urlsplit(self.path)
            gl.record(Recorded(self.command, urllib.parse.unquote(parsed.path), urllib.parse.parse_qs(parsed.query),
                               self._token(), status))
            self.end_headers()
            self.wfile.write(payload)

        def _refuse(self) -> None:
            self._respond(405, {"message": "405 Method Not Allowed (the fake only answers reads)"})

        do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            query = urllib.parse.parse_qs(parsed.query)
            for pattern, seconds in gl.delays.items():
                if re.search(pattern, urllib.parse.unquote(parsed.path)):
                    time.sleep(seconds)
            fault = gl.take_fault(urllib.parse.unquote(parsed.path))
            if fault is not None:
                self._respond(fault.status, fault.body, fault.headers)
                return
            token = self._token()
            if token == NO_SCOPE_TOKEN:
                self._respond(403, {"error": "insufficient_scope",
                                    "error_description": "The request requires higher privileges than provided by "
                                    "the access token.", "scope": "api read_api"})
                return
            if token is not None and token not in (MAINTAINER_TOKEN, REPORTER_TOKEN, JOB_TOKEN):
                self._respond(401, {"message": "401 Unauthorized"})
                return
            try:
                status, body = self._route(parsed.path, query, token)
            except KeyError:
                status, body = 404, {"message": "404 Not found"}
            if status == 200 and isinstance(body, list):
                self._page(body, parsed.path, query)
            else:
                self._respond(status, body)

        def _route(self, raw_path: str, query: dict[str, list[str]], token: str | None) -> tuple[int, Any]:
            if raw_path.startswith("/api/v4/groups/"):
                group = urllib.parse.unquote(raw_path.removeprefix("/api/v4/groups/").removesuffix("/projects"))
                return 200, [gl.projects[p].project for p in gl.groups[group]]
            m = re.fullmatch(r"/api/v4/projects/([^/]+)(/.*)?", raw_path)
            if m is None:
                raise KeyError(raw_path)
            fx = gl.find(urllib.parse.unquote(m.group(1)))
            if fx is None or (token is None and fx.project.get("visibility") != "public"):
                return 404, {"message": "404 Project Not Found"}
            rest = m.group(2) or ""
            if not rest:
                return 200, fx.project
            if token == JOB_TOKEN or (token == REPORTER_TOKEN and rest.lstrip("/") in SETTINGS) or (
                    token is None and rest.lstrip("/") in SETTINGS):
                return 403, {"message": "403 Forbidden"}
            if rest == "/protected_branches":
                return 200, fx.protected_branches
            if rest == "/approvals":
                return 200, fx.approvals
            if rest == "/approval_rules":
                return (404, {"message": "404 Not found"}) if fx.approval_rules is None else (200, fx.approval_rules)
            if rest == "/push_rule":
                return (404, {"message": "404 Not found"}) if fx.push_rule is None else (200, fx.push_rule)
            if rest == "/merge_requests":
                return 200, self._mrs(fx, query)
            mr = re.fullmatch(r"/merge_requests/(\d+)/approvals", rest)
            if mr:
                iid = int(mr.group(1))
                users = fx.mr_approvals.get(iid, [])
                return 200, {"iid": iid, "approved": bool(users),
                             "approved_by": [{"user": {"username": u, "name": u.title()}} for u in users]}
            if rest == "/pipelines":
                ref = query.get("ref", [None])[0]
                return 200, [p for p in fx.pipelines if ref is None or p.get("ref") == ref]
            if rest == "/deployments":
                return 200, fx.deployments
            if rest == "/members/all":
                return 200, fx.members
            if rest == "/repository/archive.tar.gz" and fx.archive is not None:
                return 200, fx.archive
            commit = re.fullmatch(r"/repository/commits/([0-9a-f]+)/merge_requests", rest)
            if commit:
                return 200, [{"iid": i} for i in fx.commit_mrs.get(commit.group(1), [])]
            raise KeyError(rest)

        def _mrs(self, fx: ProjectFixture, query: dict[str, list[str]]) -> list[dict[str, Any]]:
            state, target = query.get("state", [None])[0], query.get("target_branch", [None])[0]
            after = query.get("updated_after", [None])[0]
            return [m for m in fx.merge_requests if (state is None or m["state"] == state)
                    and (target is None or m["target_branch"] == target)
                    and (after is None or m["updated_at"] >= after.replace("+00:00", "Z")[:19])]

        def _page(self, items: list[Any], path: str, query: dict[str, list[str]]) -> None:
            per_page = min(int(query.get("per_page", ["20"])[0]), gl.max_per_page)
            base = f"{gl.url}{path}"
            if query.get("pagination", [""])[0] == "keyset":
                after = int(query.get("id_after", ["0"])[0])
                ordered = sorted(items, key=lambda x: int(x["id"]))
                chunk = [x for x in ordered if int(x["id"]) > after][:per_page]
                headers = {}
                if chunk and int(chunk[-1]["id"]) < int(ordered[-1]["id"]):
                    nxt = {k: v[0] for k, v in query.items()} | {"id_after": str(chunk[-1]["id"])}
                    headers["Link"] = f'<{base}?{urllib.parse.urlencode(nxt)}>; rel="next"'
                self._respond(200, chunk, headers)
                return
            page = int(query.get("page", ["1"])[0])
            pages = max((len(items) + per_page - 1) // per_page, 1)
            chunk = items[(page - 1) * per_page: page * per_page]

            def link(n: int) -> str:
                q = {k: v[0] for k, v in query.items()} | {"page": str(n), "per_page": str(per_page)}
                return f"{base}?{urllib.parse.urlencode(q)}"

            links = [f'<{link(page + 1)}>; rel="next"'] if page < pages else []
            links += [f'<{link(1)}>; rel="first"', f'<{link(pages)}>; rel="last"']
            self._respond(200, chunk, {
                "X-Page": str(page), "X-Per-Page": str(per_page), "X-Next-Page": str(page + 1) if page < pages else "",
                "X-Prev-Page": str(page - 1) if page > 1 else "", "X-Total": str(len(items)),
                "X-Total-Pages": str(pages), "Link": ", ".join(links)})

    return Handler


def user(username: str, bot: bool = False) -> dict[str, Any]:
    """A user object as GitLab embeds it."""
    return {"id": abs(hash(username)) % 10000, "username": username, "name": username.title(), "state": "active",
            "bot": bot, "web_url": f"https://gitlab.example/{username}"}


def level(access: int, description: str) -> dict[str, Any]:
    """One push/merge access level entry of a protected branch."""
    return {"id": access + 1, "access_level": access, "access_level_description": description, "user_id": None,
            "group_id": None, "deploy_key_id": None}


def protected(name: str = "main", push: int = 0, merge: int = 40, force: bool = False,
              code_owners: bool = False) -> dict[str, Any]:
    """A protected branch answer."""
    names = {0: "No one", 30: "Developers + Maintainers", 40: "Maintainers"}
    return {"id": 7, "name": name, "push_access_levels": [level(push, names.get(push, str(push)))],
            "merge_access_levels": [level(merge, names.get(merge, str(merge)))],
            "unprotect_access_levels": [], "allow_force_push": force, "code_owner_approval_required": code_owners}


def merge_request(iid: int, author: str, merged_by: str, merged_at: str, sha: str) -> dict[str, Any]:
    """A merged merge request into main."""
    return {"id": 1000 + iid, "iid": iid, "project_id": 42, "title": f"Change {iid}", "state": "merged",
            "target_branch": "main", "source_branch": f"feature-{iid}", "author": user(author),
            "merge_user": user(merged_by), "merged_by": user(merged_by), "created_at": merged_at,
            "updated_at": merged_at, "merged_at": merged_at, "sha": sha, "merge_commit_sha": sha[::-1],
            "squash_commit_sha": None, "labels": [], "web_url": f"https://gitlab.example/platform/deploy/-/"
            f"merge_requests/{iid}"}


def pipeline(pid: int, status: str, created_at: str, ref: str = "main") -> dict[str, Any]:
    """A pipeline answer."""
    return {"id": pid, "iid": pid, "project_id": 42, "sha": f"{pid:040x}", "ref": ref, "status": status,
            "source": "push", "created_at": created_at, "updated_at": created_at,
            "web_url": f"https://gitlab.example/platform/deploy/-/pipelines/{pid}"}


def member(username: str, access: int, bot: bool = False) -> dict[str, Any]:
    """A member answer of /members/all."""
    return user(username, bot) | {"access_level": access, "expires_at": None}


def well_run(path: str = "platform/deploy", url: str = "https://gitlab.example", pid: int = 42) -> ProjectFixture:
    """A Premium project with main protected (no direct push, Maintainers merge), two approvals and code owners,
    approvals reset on push, approved merge requests, mostly green pipelines."""
    mrs = [merge_request(i, "alice" if i % 2 else "bob", "carol", f"2026-11-{10 + i:02d}T10:00:00Z", f"{i:040x}")
           for i in range(1, 5)]
    return ProjectFixture(
        project={"id": pid, "name": path.rsplit("/", 1)[-1], "path": path.rsplit("/", 1)[-1],
                 "path_with_namespace": path, "default_branch": "main",
                 "visibility": "private", "archived": False, "web_url": f"{url}/{path}", "topics": ["gitops"],
                 "only_allow_merge_if_pipeline_succeeds": True},
        protected_branches=[protected(code_owners=True)],
        approvals={"approvals_before_merge": 0, "reset_approvals_on_push": True,
                   "merge_requests_author_approval": False, "merge_requests_disable_committers_approval": True,
                   "disable_overriding_approvers_per_merge_request": True},
        approval_rules=[{"id": 1, "name": "All members", "rule_type": "any_approver", "approvals_required": 2,
                         "applies_to_all_protected_branches": True, "protected_branches": []}],
        push_rule={"id": 1, "reject_unsigned_commits": True, "commit_committer_check": True},
        merge_requests=mrs,
        mr_approvals={m["iid"]: ["dave", "erin"] for m in mrs},
        pipelines=[pipeline(100 + i, "success" if i != 3 else "failed", f"2026-11-{10 + i:02d}T11:00:00Z")
                   for i in range(1, 25)],
        deployments=[{"id": 5, "iid": 5, "ref": "main", "sha": "a" * 40, "status": "success",
                      "created_at": "2026-11-20T12:00:00Z", "environment": {"id": 1, "name": "production"}}],
        members=[member("carol", 40), member("alice", 30), member("bob", 30), member("guest", 10),
                 member("owner", 50)],
    )
