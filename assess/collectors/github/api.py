"""A small, read-only GitHub REST client on top of PyGithub's Requester.

Every GET is conditional when a cached ETag exists (a 304 costs no rate limit), pages are followed through Link
headers, and failures become typed errors after bounded retries that honour Retry-After and X-RateLimit-Reset."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import requests
from github import Auth, Github

MAX_ATTEMPTS = 4


class ErrorKind(StrEnum):
    """Why a request failed, decided on status codes, never on message text alone."""

    NOT_FOUND = "not-found"
    NOT_PROTECTED = "not-protected"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate-limited"
    SERVER = "server-error"
    NETWORK = "network"


class ApiError(Exception):
    """A request that did not succeed after retries."""

    def __init__(self, kind: ErrorKind, status: int | None, message: str, url: str,
                 retry_after: float | None = None) -> None:
        super().__init__(f"{status or ''} {message}".strip())
        self.kind = kind
        self.status = status
        self.message = message
        self.url = url
        self.retry_after = retry_after


@dataclass
class WaitBudget:
    """The total time all retries together may sleep (`--max-wait`), shared by concurrent workers."""

    seconds: float
    used: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def take(self, wanted: float) -> bool:
        """Reserve `wanted` seconds of waiting; False when that would exceed the budget."""
        with self.lock:
            if self.used + wanted > self.seconds:
                return False
            self.used += wanted
            return True


class EtagCache:
    """ETag-keyed response cache on disk; entries are keyed by URL and a fingerprint of the token (never the token)."""

    def __init__(self, directory: Path, token: str | None) -> None:
        self.directory = directory
        self.salt = hashlib.sha256((token or "anonymous").encode()).hexdigest()[:16]

    def _path(self, url: str) -> Path:
        return self.directory / (hashlib.sha256(f"{self.salt} {url}".encode()).hexdigest() + ".json")

    def get(self, url: str) -> dict[str, Any] | None:
        """The cached entry for a URL: etag, body and link header."""
        try:
            data: dict[str, Any] = json.loads(self._path(url).read_text(encoding="utf-8"))
            return data
        except (OSError, ValueError):
            return None

    def put(self, url: str, etag: str, body: str, link: str | None) -> None:
        """Store an entry atomically (a concurrent reader sees the old or the new one, never half)."""
        with contextlib.suppress(OSError):
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, suffix=".tmp")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump({"etag": etag, "body": body, "link": link}, handle)
            os.replace(tmp, self._path(url))


def default_cache_dir() -> Path:
    """The user cache directory for GitHub responses."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "gitops-assess" / "github"


class GitHubApi:
    """Read-only GitHub REST access for one run (GET only)."""

    def __init__(self, base_url: str, token: str | None, cache: EtagCache | None, budget: WaitBudget,
                 timeout: int = 15, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        # Retries are ours (bounded by the budget); PyGithub's requester does auth, base URL and exceptions.
        self._github = Github(auth=Auth.Token(token) if token else None, base_url=base_url, per_page=100,
                              timeout=timeout, retry=None, seconds_between_requests=None,
                              seconds_between_writes=None)
        self._requester = self._github.requester
        self.base_url = base_url.rstrip("/")
        self.authenticated = bool(token)
        self.cache = cache
        self.budget = budget
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self.conditional_hits = 0
        self.rate_remaining: int | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Release connections."""
        self._github.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, str | None]:
        """JSON of one GET and its Link header; raises ApiError."""
        url = self._url(path, params)
        cached = self.cache.get(url) if self.cache else None
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else {}
        status, response_headers, body = self._send(url, headers)
        if status == 304 and cached is not None:
            with self._lock:
                self.conditional_hits += 1
            return json.loads(cached["body"]), cached.get("link")
        link = response_headers.get("link")
        if self.cache and response_headers.get("etag"):
            self.cache.put(url, response_headers["etag"], body, link)
        return (json.loads(body) if body else None), link

    def paginate(self, path: str, params: dict[str, Any] | None = None, max_pages: int = 10,
                 key: str | None = None) -> Iterator[Any]:
        """Items of a list endpoint, following `Link: rel="next"` (at most max_pages pages)."""
        url: str | None = self._url(path, {"per_page": 100, **(params or {})})
        pages = 0
        while url and pages < max_pages:
            data, link = self.get(url)
            pages += 1
            items = data.get(key, []) if key and isinstance(data, dict) else data
            yield from items or []
            url = _next_link(link)

    def get_bytes(self, path: str) -> bytes:
        """A binary resource (e.g. a repository tarball), redirects followed."""
        url = self._url(path, None)
        for attempt in range(MAX_ATTEMPTS):
            self._count()
            try:
                status, headers, chunks = self._requester.getStream(url, chunk_size=1 << 16)
                return b"".join(chunks)
            except requests.HTTPError as exc:
                status = exc.response.status_code if exc.response is not None else 0
                headers = dict(exc.response.headers) if exc.response is not None else {}
                error = self._error(status, {k.lower(): v for k, v in headers.items()}, "", url)
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = ApiError(ErrorKind.NETWORK, None, type(exc).__name__, url)
            if not self._retry(error, attempt):
                raise error
        raise ApiError(ErrorKind.NETWORK, None, "retries exhausted", url)

    def _send(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any], str]:
        error: ApiError | None = None
        for attempt in range(MAX_ATTEMPTS):
            self._count()
            try:
                status, response_headers, body = self._requester.requestJson("GET", url, headers=dict(headers))
            except (requests.ConnectionError, requests.Timeout) as exc:
                error = ApiError(ErrorKind.NETWORK, None, f"{type(exc).__name__} talking to the API", url)
            else:
                remaining = response_headers.get("x-ratelimit-remaining")
                if remaining is not None and str(remaining).isdigit():
                    self.rate_remaining = int(remaining)
                if status < 400 or status == 304:
                    return status, response_headers, body
                error = self._error(status, response_headers, body, url)
            if not self._retry(error, attempt):
                raise error
        assert error is not None
        raise error

    def _error(self, status: int, headers: dict[str, Any], body: str, url: str) -> ApiError:
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        message = str(data.get("message", "")) if isinstance(data, dict) else ""
        lower = message.lower()
        retry_after = _retry_after(headers, self.clock())
        if status == 429 or (status == 403 and ("rate limit" in lower or "retry-after" in headers)):
            return ApiError(ErrorKind.RATE_LIMITED, status, message or "rate limited", url, retry_after)
        if status == 401:
            return ApiError(ErrorKind.UNAUTHORIZED, status, message or "unauthorized", url)
        if status == 403:
            return ApiError(ErrorKind.FORBIDDEN, status, message or "forbidden", url)
        if status == 404:
            # GitHub says "Branch not protected" for an unprotected branch; "Not Found" when the token cannot see.
            kind = ErrorKind.NOT_PROTECTED if lower == "branch not protected" else ErrorKind.NOT_FOUND
            return ApiError(kind, status, message or "not found", url)
        if status >= 500:
            return ApiError(ErrorKind.SERVER, status, message or "server error", url, retry_after)
        return ApiError(ErrorKind.FORBIDDEN, status, message or f"HTTP {status}", url)

    def _retry(self, error: ApiError, attempt: int) -> bool:
        """Sleep before another attempt when the error is transient and the budget allows it."""
        if error.kind not in (ErrorKind.RATE_LIMITED, ErrorKind.SERVER, ErrorKind.NETWORK):
            return False
        if attempt + 1 >= MAX_ATTEMPTS:
            return False
        wait = error.retry_after if error.retry_after is not None else float(2 ** attempt)
        wait = max(wait, 0.0)
        if not self.budget.take(wait):
            return False
        self.sleep(wait)
        return True

    def _count(self) -> None:
        with self._lock:
            self.requests += 1

    def _url(self, path: str, params: dict[str, Any] | None) -> str:
        base = path if path.startswith("http") else self.base_url + path
        if not params:
            return base
        query = urllib.parse.urlencode({k: v for k, v in params.items() if v is not None})
        return f"{base}{'&' if '?' in base else '?'}{query}"


def _retry_after(headers: dict[str, Any], now: float) -> float | None:
    value = headers.get("retry-after")
    if value is not None and str(value).strip().isdigit():
        return float(value)
    reset = headers.get("x-ratelimit-reset")
    if headers.get("x-ratelimit-remaining") == "0" and reset is not None and str(reset).isdigit():
        return max(float(reset) - now, 0.0) + 1.0
    return None


def _next_link(link: str | None) -> str | None:
    """The `rel="next"` URL of a Link header."""
    for part in (link or "").split(","):
        segments = part.split(";")
        if len(segments) > 1 and any(s.strip() == 'rel="next"' for s in segments[1:]):
            return segments[0].strip().strip("<>")
    return None
