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
from typing import Any, cast

import requests
import urllib3
from github import Auth, Github

MAX_ATTEMPTS = 4
MAX_RESPONSE_BYTES = 32 * 2**20  # one JSON answer (a page of 100 items is well under 1 MiB)
MAX_ARCHIVE_BYTES = 256 * 2**20  # one repository tarball
MAX_REDIRECTS = 5
CONNECT_TIMEOUT = 10.0
CHUNK = 1 << 16


class ErrorKind(StrEnum):
    """Why a request failed, decided on status codes, never on message text alone."""

    NOT_FOUND = "not-found"
    NOT_PROTECTED = "not-protected"
    UNAUTHORIZED = "unauthorized"
    FORBIDDEN = "forbidden"
    RATE_LIMITED = "rate-limited"
    SERVER = "server-error"
    NETWORK = "network"
    REDIRECTED = "redirected-elsewhere"
    MALFORMED = "malformed-answer"
    TOO_LARGE = "answer-too-large"


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
    """One wall-clock deadline for a whole GitHub source (`--max-wait`): connecting, reading, retries and rate-limit
    waits together. It starts when created."""

    seconds: float
    clock: Callable[[], float] = time.monotonic
    started: float = field(default=-1.0)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.started < 0:
            self.started = self.clock()

    def remaining(self) -> float:
        """Seconds left before the deadline (never negative)."""
        return max(self.seconds - (self.clock() - self.started), 0.0)

    def take(self, wanted: float) -> bool:
        """Whether a wait of `wanted` seconds still ends before the deadline."""
        with self.lock:
            return wanted < self.remaining()


class _Answer:
    """What PyGithub's requester expects of a response: status, headers and the body, already read (capped)."""

    def __init__(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.status = status
        self.headers = headers
        self.body = body

    def getheaders(self) -> list[tuple[str, str]]:
        """Response headers as pairs."""
        return self.headers

    def read(self) -> str:
        """The body as text."""
        return self.body.decode("utf-8", "replace")


class _BoundedConnection:
    """PyGithub's connection interface over one requests session: connect and read timeouts derived from the time
    left before the deadline, the body read in small pieces up to a byte cap, redirects never followed silently."""

    def __init__(self, session: requests.Session, origin: str, budget: WaitBudget, read_timeout: float,
                 max_bytes: int) -> None:
        self.session = session
        self.origin = origin
        self.budget = budget
        self.read_timeout = read_timeout
        self.max_bytes = max_bytes
        self.verb = "GET"
        self.url = ""
        self.headers: dict[str, str] = {}

    def request(self, verb: str, url: str, input: Any, headers: dict[str, str], stream: bool = False) -> None:
        """Remember the request (sent by getresponse, as http.client does)."""
        if verb != "GET" or input is not None:
            raise ValueError("the GitHub client only reads")
        self.verb, self.url, self.headers = verb, url, headers

    def getresponse(self) -> _Answer:
        """Send the GET and read the answer within the deadline and the byte cap."""
        url = self.url if self.url.startswith(("http://", "https://")) else self.origin + self.url
        left = self.budget.remaining()
        if left <= 0:
            raise DeadlineReached(url)
        response = self.session.get(url, headers=self.headers, stream=True, allow_redirects=False,
                                    timeout=(min(CONNECT_TIMEOUT, left), min(self.read_timeout, left)))
        with response:
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self.max_bytes:
                raise TooLarge(url, self.max_bytes)
            chunks: list[bytes] = []
            size = 0
            while True:
                # read1: whatever one read brings, so a server trickling bytes cannot outlast the deadline
                chunk = response.raw.read1(CHUNK, decode_content=True)
                if not chunk:
                    break
                size += len(chunk)
                if size > self.max_bytes:
                    raise TooLarge(url, self.max_bytes)
                chunks.append(chunk)
                if self.budget.remaining() <= 0:
                    raise DeadlineReached(url)
        return _Answer(response.status_code, list(response.headers.items()), b"".join(chunks))

    def close(self) -> None:
        """The session is the client's, closed with it."""


class DeadlineReached(Exception):
    """The `--max-wait` deadline passed before or while a request was answered."""

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.url = url


class TooLarge(Exception):
    """An answer larger than its cap; it is not read further."""

    def __init__(self, url: str, cap: int) -> None:
        super().__init__(url)
        self.url = url
        self.cap = cap


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
    """Read-only GitHub REST access for one run (GET only), within one deadline (`budget`) for the whole source."""

    def __init__(self, base_url: str, token: str | None, cache: EtagCache | None, budget: WaitBudget,
                 timeout: int = 15, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time) -> None:
        # Retries are ours (bounded by the budget); PyGithub's requester does auth, base URL and exceptions, and
        # sends through our connection (deadline-derived timeouts, capped bodies).
        self._auth = Auth.Token(token) if token else None
        self._github = Github(auth=self._auth, base_url=base_url, per_page=100,
                              timeout=timeout, retry=None, seconds_between_requests=None,
                              seconds_between_writes=None)
        self._requester = self._github.requester
        self._session = requests.Session()
        self._session.trust_env = False  # no .netrc credentials, no proxy from the environment for the token
        parts = urllib.parse.urlsplit(base_url)
        self._origin = f"{parts.scheme}://{parts.netloc}"
        self.base_url = base_url.rstrip("/")
        self.authenticated = bool(token)
        self.cache = cache
        self.budget = budget
        self.timeout = float(timeout)
        self.sleep = sleep
        self.clock = clock
        self.requests = 0
        self.conditional_hits = 0
        self.rate_remaining: int | None = None
        self._lock = threading.Lock()

    def close(self) -> None:
        """Release connections."""
        self._session.close()
        self._github.close()

    def get(self, path: str, params: dict[str, Any] | None = None) -> tuple[Any, str | None]:
        """JSON of one GET and its Link header; raises ApiError."""
        url = self._url(path, params)
        cached = self.cache.get(url) if self.cache else None
        headers = {"If-None-Match": cached["etag"]} if cached and cached.get("etag") else {}
        status, response_headers, body = self._send(url, headers)
        if status == 304 and cached is not None:
            try:
                data = _parse(str(cached.get("body") or ""), url)
            except ApiError:  # a damaged cache entry: ask again, unconditionally
                status, response_headers, body = self._send(url, {})
            else:
                with self._lock:
                    self.conditional_hits += 1
                return data, cached.get("link")
        link = response_headers.get("link")
        data = _parse(body, url) if body else None
        if self.cache and response_headers.get("etag"):
            self.cache.put(url, response_headers["etag"], body, link)
        return data, link

    def paginate(self, path: str, params: dict[str, Any] | None = None, max_pages: int = 10,
                 key: str | None = None) -> Iterator[Any]:
        """Items of a list endpoint, following `Link: rel="next"` (at most max_pages pages, never the same twice)."""
        url: str | None = self._url(path, {"per_page": 100, **(params or {})})
        seen: set[str] = set()
        while url and len(seen) < max_pages and url not in seen:
            seen.add(url)
            data, link = self.get(url)
            items = data.get(key, []) if key and isinstance(data, dict) else data
            if items is not None and not isinstance(items, list):
                raise ApiError(ErrorKind.MALFORMED, None, "a list answer is not a JSON list", url)
            yield from items or []
            url = _next_link(link)

    def get_bytes(self, path: str) -> bytes:
        """A binary resource (e.g. a repository tarball), at most MAX_ARCHIVE_BYTES; redirects followed to the
        same host, or (archives are served by another host, e.g. codeload) to an https host without the token."""
        url = self._url(path, None)
        for _ in range(MAX_REDIRECTS + 1):
            status, headers, body = self._attempts(url, lambda target: self._raw_get(target))
            if status in REDIRECT_CODES:
                url = self._redirect(url, status, headers, archive=True)
                continue
            return bytes(body)
        raise ApiError(ErrorKind.REDIRECTED, None, f"more than {MAX_REDIRECTS} redirects", url)

    def _raw_get(self, url: str) -> tuple[int, dict[str, Any], bytes]:
        headers = {"Accept": "application/vnd.github+json", "User-Agent": "gitops-assess"}
        if self._auth is not None and _origin(url) == self._origin:
            self._auth.authentication(headers)  # the token goes to the API's own host only
        connection = self._connection(MAX_ARCHIVE_BYTES)
        connection.request("GET", url, None, headers)
        answer = connection.getresponse()
        return answer.status, {k.lower(): v for k, v in answer.headers}, answer.body

    def _send(self, url: str, headers: dict[str, str]) -> tuple[int, dict[str, Any], str]:
        """One JSON GET through PyGithub's requester; same-host redirects followed, others refused."""
        for _ in range(MAX_REDIRECTS + 1):
            status, response_headers, body = self._attempts(url, lambda target: self._requester.requestJson(
                "GET", target, headers=dict(headers), cnx=cast(Any, self._connection(MAX_RESPONSE_BYTES))))
            if status in REDIRECT_CODES:
                url = self._redirect(url, status, response_headers, archive=False)
                continue
            return status, response_headers, body
        raise ApiError(ErrorKind.REDIRECTED, None, f"more than {MAX_REDIRECTS} redirects", url)

    def _attempts(self, url: str, send: Callable[[str], tuple[int, dict[str, Any], Any]]
                  ) -> tuple[int, dict[str, Any], Any]:
        """Send with bounded retries; every failure becomes an ApiError."""
        error: ApiError | None = None
        for attempt in range(MAX_ATTEMPTS):
            self._count()
            try:
                status, response_headers, body = send(url)
            except DeadlineReached:
                raise ApiError(ErrorKind.NETWORK, None, f"the --max-wait deadline of {self.budget.seconds:g}s was "
                               "reached", url) from None
            except TooLarge as exc:
                raise ApiError(ErrorKind.TOO_LARGE, None, f"the answer is larger than {exc.cap // 2**20} MiB; not "
                               "read", url) from None
            except (RuntimeError, RecursionError) as exc:  # PyGithub refuses a 301 to another host or scheme
                raise ApiError(ErrorKind.REDIRECTED, 301, f"redirected elsewhere, not followed: {exc}"[:300],
                               url) from None
            except (requests.RequestException, urllib3.exceptions.HTTPError, OSError) as exc:
                if self.budget.remaining() <= 0:  # the timeout was the deadline's
                    raise ApiError(ErrorKind.NETWORK, None, f"the --max-wait deadline of {self.budget.seconds:g}s "
                                   "was reached", url) from None
                error = ApiError(ErrorKind.NETWORK, None, f"{type(exc).__name__} talking to the API", url)
            else:
                remaining = response_headers.get("x-ratelimit-remaining")
                if remaining is not None and str(remaining).isdigit():
                    self.rate_remaining = int(remaining)
                if status < 400:
                    return status, response_headers, body
                text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
                error = self._error(status, response_headers, text, url)
            if not self._retry(error, attempt):
                raise error
        assert error is not None
        raise error

    def _redirect(self, url: str, status: int, headers: dict[str, Any], archive: bool) -> str:
        """The next URL of a redirect, when it may be followed (same host; an archive also to another https host)."""
        location = headers.get("location")
        if not location:
            raise ApiError(ErrorKind.REDIRECTED, status, "a redirect without a Location", url)
        target = urllib.parse.urljoin(url, str(location))
        if _origin(target) == self._origin or (archive and target.startswith("https://")):
            return target
        host = urllib.parse.urlsplit(target).netloc or "?"
        raise ApiError(ErrorKind.REDIRECTED, status, f"the API redirected to another host ({host}); not followed "
                       "(a renamed repository redirects on the same host; check --github-url)", url)

    def _connection(self, max_bytes: int) -> _BoundedConnection:
        return _BoundedConnection(self._session, self._origin, self.budget, self.timeout, max_bytes)

    def _error(self, status: int, headers: dict[str, Any], body: str, url: str) -> ApiError:
        try:
            data = json.loads(body) if body else {}
        except ValueError:
            data = {}
        message = str(data.get("message", ""))[:300] if isinstance(data, dict) else ""
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
        """Sleep before another attempt when the error is transient and the deadline allows it."""
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


REDIRECT_CODES = (301, 302, 303, 307, 308)


def _origin(url: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def _parse(body: str, url: str) -> Any:
    """A JSON answer; malformed JSON is an ApiError that says so, never an internal error."""
    try:
        return json.loads(body)
    except ValueError as exc:
        raise ApiError(ErrorKind.MALFORMED, None, f"the answer is not valid JSON ({exc})"[:200], url) from None


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
