"""A local GitHub-compatible REST server for tests: realistic JSON, Link pagination, ETags, permission errors,
rate limits and server errors. The real PyGithub client talks to it through `base_url`; every request is recorded."""

from __future__ import annotations

import hashlib
import json
import re
import time
import urllib.parse
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any

from tests.fakes.local_server import HttpFault, LocalServer, QuietHandler

ADMIN_TOKEN = "ghp_admin_token_for_tests"
READ_TOKEN = "ghp_classic_read_only_token"
FINE_GRAINED_READ_TOKEN = "github_pat_fine_grained_read"


@dataclass
class RepoFixture:
    """Everything the fake server knows about one repository."""

    repo: dict[str, Any]
    protection: dict[str, Any] | None = None
    rules: list[dict[str, Any]] = field(default_factory=list)
    rulesets: dict[int, dict[str, Any]] = field(default_factory=dict)
    codeowners_errors: list[dict[str, Any]] | None = None
    pulls: list[dict[str, Any]] = field(default_factory=list)
    reviews: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    commit_pulls: dict[str, list[int]] = field(default_factory=dict)
    runs: list[dict[str, Any]] = field(default_factory=list)
    deployments: list[dict[str, Any]] = field(default_factory=list)
    deployment_statuses: dict[int, list[dict[str, Any]]] = field(default_factory=dict)
    collaborators: list[dict[str, Any]] = field(default_factory=list)
    activity: list[dict[str, Any]] = field(default_factory=list)
    tarball: bytes | None = None


@dataclass
class Fault(HttpFault):
    """A status answer, or one that is slow, malformed, giant or without a length."""

    delay: float = 0.0
    raw: bytes | None = None  # a body sent as it is (malformed JSON), instead of `body`
    size: int = 0  # a generated body of this many bytes (a giant answer), streamed so the test does not hold it
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    query: dict[str, list[str]]
    authenticated: bool
    conditional: bool
    status: int


class FakeGitHub(LocalServer[Fault, Recorded]):
    """Start with `with FakeGitHub(fixtures) as gh:`; `gh.base_url` is the API root."""

    def __init__(self, repos: dict[str, RepoFixture], orgs: dict[str, list[str]] | None = None,
                 prefix: str = "", answer_any: str | None = None) -> None:
        self.repos = repos
        self.answer_any = answer_any  # a repository whose data answers every unknown path (a hostile server)
        self.orgs = orgs or {}
        self.prefix = prefix
        self.sent_bytes = 0  # body bytes of generated giant answers the server managed to send
        super().__init__(_handler)

    @property
    def base_url(self) -> str:
        """The API base URL to give PyGithub."""
        return f"http://127.0.0.1:{self.port}{self.prefix}"


def _handler(gh: FakeGitHub) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):
        def _respond(self, status: int, body: Any, headers: dict[str, str] | None = None,
                     raw: bytes | None = None) -> None:
            payload = raw if raw is not None else (json.dumps(body).encode() if body is not None else b"")
            etag = '"' + hashlib.sha1(payload).hexdigest() + '"'
            conditional = self.headers.get("If-None-Match")
            if status == 200 and conditional == etag and raw is None:
                status, payload = 304, b""
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream" if raw is not None else
                             "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(payload)))
            self.send_header("X-RateLimit-Limit", "5000")
            self.send_header("X-RateLimit-Remaining", "4990")
            self.send_header("X-RateLimit-Reset", str(int(time.time()) + 3600))
            if status in (200, 304) and raw is None:
                self.send_header("ETag", etag)
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            # Recorded before the body is sent: once the client has its answer, the request must be on record
            # (a test counting requests right after a call would otherwise race the server thread).
            parsed = urllib.parse.urlsplit(self.path)
            gh.record(Recorded(self.command, parsed.path, urllib.parse.parse_qs(parsed.query),
                               "Authorization" in self.headers, conditional is not None, status))
            self.end_headers()
            self.wfile.write(payload)

        def _giant(self, fault: Fault) -> None:
            """A JSON list of `fault.size` bytes, written in pieces; stops quietly when the client hangs up."""
            self.send_response(fault.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            if fault.declare_length:
                self.send_header("Content-Length", str(fault.size))
            else:
                self.send_header("Connection", "close")
                self.close_connection = True
            parsed = urllib.parse.urlsplit(self.path)
            gh.record(Recorded(self.command, parsed.path, urllib.parse.parse_qs(parsed.query),
                               "Authorization" in self.headers, False, fault.status))
            self.end_headers()
            piece = b"[" + b" " * (2**20 - 1)
            sent = 0
            try:
                while sent < fault.size:
                    chunk = piece[: fault.size - sent]
                    self.wfile.write(chunk)
                    sent += len(chunk)
                    piece = b" " * 2**20
            except OSError:
                pass
            gh.sent_bytes += sent

        def _refuse(self) -> None:
            self._respond(405, {"message": "Method not allowed by the fake: the tool must only read"})

        do_POST = do_PUT = do_PATCH = do_DELETE = _refuse

        def do_GET(self) -> None:
            parsed = urllib.parse.urlsplit(self.path)
            path = parsed.path[len(gh.prefix):] if parsed.path.startswith(gh.prefix) else parsed.path
            query = urllib.parse.parse_qs(parsed.query)
            fault = gh.take_fault(path)
            if fault is not None:
                if fault.delay:
                    time.sleep(fault.delay)
                if fault.size:
                    self._giant(fault)
                elif fault.raw is not None:
                    self._respond(fault.status, None, fault.headers, raw=fault.raw)
                else:
                    self._respond(fault.status, fault.body, fault.headers)
                return
            token = (self.headers.get("Authorization") or "").removeprefix("token ").removeprefix("Bearer ")
            try:
                status, body, headers, raw = self._route(path, query, token)
            except KeyError:
                status, body, headers, raw = 404, {"message": "Not Found"}, {}, None
                if gh.answer_any is not None:  # a hostile server: whatever is asked, it answers
                    tail = re.fullmatch(r"/repos/[^/]+/[^/]+(/.*)?", path)
                    status, body, headers, raw = self._route(
                        f"/repos/{gh.answer_any}{(tail.group(1) or '') if tail else ''}", query, token)
            self._respond(status, body, headers, raw)

        def _route(self, path: str, query: dict[str, list[str]], token: str
                   ) -> tuple[int, Any, dict[str, str], bytes | None]:
            m = re.fullmatch(r"/orgs/([^/]+)/repos", path)
            if m:
                names = gh.orgs[m.group(1)]
                return self._page([gh.repos[n].repo for n in names], path, query)
            m = re.fullmatch(r"/repos/([^/]+/[^/]+)(/.*)?", path)
            if not m:
                raise KeyError(path)
            fx = gh.repos[m.group(1)]
            if fx.repo.get("private") and not token:
                raise KeyError(path)
            rest = m.group(2) or ""
            if rest == "":
                repo = dict(fx.repo)
                repo["permissions"] = {"admin": token == ADMIN_TOKEN, "push": token == ADMIN_TOKEN,
                                       "pull": True}
                return 200, repo, {}, None
            if re.fullmatch(r"/branches/[^/]+/protection", rest):
                if not token:
                    return 401, {"message": "Requires authentication"}, {}, None
                if token == READ_TOKEN:
                    return 404, {"message": "Not Found"}, {}, None
                if token != ADMIN_TOKEN:
                    return 403, {"message": "Resource not accessible by personal access token"}, {}, None
                if fx.protection is None:
                    return 404, {"message": "Branch not protected"}, {}, None
                return 200, fx.protection, {}, None
            if re.fullmatch(r"/rules/branches/[^/]+", rest):
                return self._page(fx.rules, path, query)
            m2 = re.fullmatch(r"/rulesets/(\d+)", rest)
            if m2:
                detail = dict(fx.rulesets[int(m2.group(1))])
                if token != ADMIN_TOKEN:
                    detail.pop("bypass_actors", None)  # withheld from non-admin tokens
                return 200, detail, {}, None
            if rest == "/codeowners/errors":
                if fx.codeowners_errors is None:
                    raise KeyError(rest)
                return 200, {"errors": fx.codeowners_errors}, {}, None
            if rest == "/pulls":
                return self._page(fx.pulls, path, query)
            m2 = re.fullmatch(r"/pulls/(\d+)/reviews", rest)
            if m2:
                return self._page(fx.reviews.get(int(m2.group(1)), []), path, query)
            m2 = re.fullmatch(r"/commits/([0-9a-f]{40})/pulls", rest)
            if m2:
                numbers = fx.commit_pulls.get(m2.group(1), [])
                return 200, [p for p in fx.pulls if p["number"] in numbers], {}, None
            if rest == "/actions/runs":
                runs = fx.runs
                if "branch" in query:
                    runs = [r for r in runs if r["head_branch"] == query["branch"][0]]
                if query.get("created", [""])[0].startswith(">="):
                    runs = [r for r in runs if r["created_at"][:10] >= query["created"][0][2:12]]
                return self._page(runs, path, query, key="workflow_runs")
            if rest == "/deployments":
                return self._page(fx.deployments, path, query)
            m2 = re.fullmatch(r"/deployments/(\d+)/statuses", rest)
            if m2:
                return self._page(fx.deployment_statuses.get(int(m2.group(1)), []), path, query)
            if rest == "/collaborators":
                if token != ADMIN_TOKEN:
                    return 403, {"message": "Must have push access to view repository collaborators."}, {}, None
                return self._page(fx.collaborators, path, query)
            if rest == "/activity":
                kind = query.get("activity_type", [""])[0]
                return self._page([a for a in fx.activity if not kind or a["activity_type"] == kind], path, query)
            m2 = re.fullmatch(r"/tarball(?:/.*)?", rest)
            if m2 and fx.tarball is not None:
                return 200, None, {}, fx.tarball
            raise KeyError(rest)

        def _page(self, items: list[Any], path: str, query: dict[str, list[str]], key: str | None = None
                  ) -> tuple[int, Any, dict[str, str], bytes | None]:
            per_page = min(int(query.get("per_page", ["30"])[0]), 100)
            page = int(query.get("page", ["1"])[0])
            chunk = items[(page - 1) * per_page: page * per_page]
            headers: dict[str, str] = {}
            last = max((len(items) + per_page - 1) // per_page, 1)
            if page < last:
                base = f"{gh.base_url}{path}"
                rest = {k: v[0] for k, v in query.items() if k != "page"}

                def link(n: int) -> str:
                    return base + "?" + urllib.parse.urlencode({**rest, "page": n})

                headers["Link"] = f'<{link(page + 1)}>; rel="next", <{link(last)}>; rel="last"'
            body: Any = {"total_count": len(items), key: chunk} if key else chunk
            return 200, body, headers, None

    return Handler
