"""Recorded GitLab API answers, replayed without the network: a sample's `gitlab-api.json` holds what the local
GitLab-compatible server answered to the collector (status, paging headers, JSON body), and a requests adapter
answers the same requests from it, so the real collector runs offline."""

from __future__ import annotations

import json
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict

RECORDING = "gitlab-api.json"
# A recording holds the whole history; the period's filter is applied on replay, as the server would.
WINDOW_PARAMETER = "updated_after"
# Headers a replayed answer keeps: paging (offset and keyset), rate limits and the content type.
KEPT_HEADERS = ("Content-Type", "Link", "X-Page", "X-Per-Page", "X-Next-Page", "X-Prev-Page", "X-Total",
                "X-Total-Pages", "Retry-After", "RateLimit-Limit", "RateLimit-Remaining")


class RecordingError(Exception):
    """A recording that cannot be read."""


@dataclass(frozen=True)
class Answer:
    """One recorded answer to a GET of `request` (the path and sorted query, relative to the instance URL)."""

    request: str
    status: int
    headers: dict[str, str]
    body: Any


@dataclass(frozen=True)
class Recording:
    """The answers of one GitLab instance about one project."""

    url: str
    project: str
    answers: tuple[Answer, ...]

    def find(self, url: str) -> Answer | None:
        """The answer to a GET of url, if it was recorded."""
        key = request_key(url)
        return next((a for a in self.answers if a.request == key), None)


def request_key(url: str) -> str:
    """A request's path and query, with the query sorted (clients may order parameters differently) and without
    the period's filter."""
    parts = urllib.parse.urlsplit(url)
    query = urllib.parse.urlencode(sorted((k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True)
                                          if k != WINDOW_PARAMETER))
    return parts.path + (f"?{query}" if query else "")


def load_recording(path: Path) -> Recording:
    """A recording from its JSON file; RecordingError when it is not one."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        answers = tuple(Answer(str(a["request"]), int(a["status"]), {str(k): str(v) for k, v in a["headers"].items()},
                               a.get("body")) for a in data["answers"])
        return Recording(str(data["url"]), str(data["project"]), answers)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise RecordingError(f"{path}: not a GitLab API recording ({exc})") from exc


def _in_window(body: Any, url: str) -> Any:
    """A list answer cut to the items updated since the request's `updated_after`, as GitLab filters it."""
    after = dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(url).query)).get(WINDOW_PARAMETER)
    if not after or not isinstance(body, list):
        return body
    since = _instant(after)
    return [item for item in body if not isinstance(item, dict) or not item.get("updated_at")
            or _instant(str(item["updated_at"])) >= since]


def _instant(value: str) -> datetime:
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ReplayAdapter(BaseAdapter):
    """Answers every request from a recording; a request that was not recorded gets GitLab's 404."""

    def __init__(self, recording: Recording) -> None:
        super().__init__()
        self.recording = recording

    def send(self, request: requests.PreparedRequest, stream: bool = False, timeout: Any = None, verify: Any = True,
             cert: Any = None, proxies: Any = None) -> requests.Response:
        """The recorded answer as a requests Response."""
        url = str(request.url)
        found = self.recording.find(url) if request.method == "GET" else None
        response = requests.Response()
        response.request = request
        response.url = url
        response.encoding = "utf-8"
        if found is None:
            response.status_code = 404 if request.method == "GET" else 405
            response.headers = CaseInsensitiveDict({"Content-Type": "application/json"})
            response._content = json.dumps({"message": "404 Not found (not in the recording)"}).encode()
            return response
        response.status_code = found.status
        response.headers = CaseInsensitiveDict(found.headers)
        response._content = json.dumps(_in_window(found.body, url)).encode()
        return response

    def close(self) -> None:
        """Nothing to release."""
