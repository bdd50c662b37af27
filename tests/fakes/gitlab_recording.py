"""Record what a GitLab-compatible server answers to the real collector, as a replayable recording (the format of
assess/collectors/gitlab/replay.py): every GET's path and query, status, paging headers and JSON body, with the
server's address replaced by the instance URL the recording stands for."""

from __future__ import annotations

import json
import subprocess
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from requests.adapters import HTTPAdapter

from assess.collectors.github.api import WaitBudget
from assess.collectors.gitlab.collect import GitLabAccess, client, collect_gitlab
from assess.collectors.gitlab.replay import KEPT_HEADERS, request_key
from assess.model.forge import ForgeEvidence
from tests.fakes.gitlab_fixture import build_fixture
from tests.fakes.gitlab_server import MAINTAINER_TOKEN, FakeGitLab


class RecordingAdapter(HTTPAdapter):
    """Sends through the network and keeps every answer."""

    def __init__(self, server_url: str, stands_for: str) -> None:
        super().__init__()
        self.server_url = server_url.rstrip("/")
        self.stands_for = stands_for.rstrip("/")
        self.answers: list[dict[str, Any]] = []

    def send(self, request: requests.PreparedRequest, *args: Any, **kwargs: Any) -> requests.Response:
        """Send, then record the answer."""
        response = super().send(request, *args, **kwargs)
        headers = {k: response.headers[k].replace(self.server_url, self.stands_for) for k in KEPT_HEADERS
                   if k in response.headers}
        body = response.json() if response.content else None
        text = json.dumps(body).replace(self.server_url, self.stands_for)
        self.answers.append({"request": request_key(str(request.url)), "status": response.status_code,
                             "headers": headers, "body": json.loads(text)})
        return response


def record(server_url: str, token: str, project: str, suspects: tuple[str, ...], now: datetime,
           stands_for: str = "https://gitlab.com") -> tuple[dict[str, Any], ForgeEvidence]:
    """The recording of one collection of `project` (the whole history: no period), and the evidence it gave."""
    adapter = RecordingAdapter(server_url, stands_for)
    access = GitLabAccess(server_url, token)
    gl, counter = client(access, WaitBudget(30), adapter)
    try:
        evidence = collect_gitlab(gl, counter, access, project, None, suspects, now)
    finally:
        gl.session.close()
    return {"url": stands_for, "project": project, "answers": adapter.answers}, evidence


def record_sample(repo: Path, project: str, now: datetime) -> tuple[dict[str, Any], ForgeEvidence]:
    """Record a sample estate's GitLab answers: the fixture derived from its history served by the local
    GitLab-compatible server, read over the whole history with every apparent direct push looked up."""
    fixture = build_fixture(repo, project)
    merged = {m["merge_commit_sha"] or m["squash_commit_sha"] for m in fixture.merge_requests}
    log = subprocess.run(["git", "-C", str(repo), "log", "--first-parent", "--format=%H %P", "main"],
                         capture_output=True, text=True, check=True).stdout.splitlines()
    suspects = tuple(line.split()[0] for line in log if len(line.split()) > 1 and line.split()[0] not in merged)
    with FakeGitLab({project: fixture}) as fake:
        return record(fake.url, MAINTAINER_TOKEN, project, suspects, now)


def write(recording: dict[str, Any], path: Path) -> None:
    """The recording as the sample's JSON file."""
    path.write_text(json.dumps(recording, indent=1, sort_keys=True) + "\n", encoding="utf-8")
