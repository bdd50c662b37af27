"""What every local fake API server of the tests shares: a threaded HTTP server on 127.0.0.1 started and stopped
as a context manager, a request log, and injected faults taken in order."""

from __future__ import annotations

import re
import socket
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Generic, Protocol, Self, TypeVar


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a client's idle keep-alive connection must not hold up shutdown
    block_on_close = False


class QuietHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 keep-alive, no access log on stderr, and no delayed-ACK stall per answer."""

    protocol_version = "HTTP/1.1"

    def log_message(self, *_: Any) -> None:
        return None

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


@dataclass
class HttpFault:
    """An injected failure: the first `times` requests whose path matches get this answer."""

    pattern: str
    status: int
    body: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)
    times: int = 1


class InjectedFault(Protocol):
    """A fault answers the first `times` requests whose path matches `pattern`."""

    pattern: str
    times: int


F = TypeVar("F", bound=InjectedFault)
R = TypeVar("R")


class LocalServer(Generic[F, R]):
    """The server's lifecycle, its request log and its faults; subclasses answer requests."""

    def __init__(self, handler: Callable[[Any], type[BaseHTTPRequestHandler]]) -> None:
        """`handler(self)` makes the request handler class bound to the subclass's data (set before this call)."""
        self.faults: list[F] = []
        self.requests: list[R] = []
        self._lock = threading.Lock()
        self._server = _Server(("127.0.0.1", 0), handler(self))
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def port(self) -> int:
        """The port the server listens on."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The server's root URL."""
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def record(self, entry: R) -> None:
        """Append to the request log."""
        with self._lock:
            self.requests.append(entry)

    def take_fault(self, path: str) -> F | None:
        """The next injected fault for a path, if any."""
        with self._lock:
            for fault in self.faults:
                if fault.times > 0 and re.search(fault.pattern, path):
                    fault.times -= 1
                    return fault
        return None
