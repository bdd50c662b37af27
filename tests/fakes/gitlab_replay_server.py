"""A local GitLab-compatible server that answers from a recording (a sample's gitlab-api.json): the recorded status,
paging headers and JSON body of each GET, with the recorded instance URL replaced by its own. It lets a CI job that
names its project with --gitlab (and so reads the network) run against the recorded sample."""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler

from assess.collectors.gitlab.replay import Recording
from tests.fakes.gitlab_server import Fault, Recorded
from tests.fakes.local_server import LocalServer, QuietHandler


class ReplayGitLab(LocalServer[Fault, Recorded]):
    """Start with `with ReplayGitLab(load_recording(path)) as gl:`; `gl.url` is the instance URL."""

    def __init__(self, recording: Recording) -> None:
        self.recording = recording
        super().__init__(_handler)


def _handler(gl: ReplayGitLab) -> type[BaseHTTPRequestHandler]:
    class Handler(QuietHandler):

        def _answer(self) -> None:
            found = gl.recording.find(self.path) if self.command == "GET" else None
            status = found.status if found else (404 if self.command == "GET" else 405)
            body = found.body if found else {"message": "404 Not found (not in the recording)"}
            payload = json.dumps(body).replace(gl.recording.url, gl.url).encode()
            gl.record(Recorded(self.command, self.path, {}, self.headers.get("PRIVATE-TOKEN"), status))
            self.send_response(status)
            for key, value in (found.headers if found else {"Content-Type": "application/json"}).items():
                self.send_header(key, value.replace(gl.recording.url, gl.url))
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _answer

    return Handler
