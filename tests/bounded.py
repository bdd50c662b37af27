"""Run a snippet of Python in a child process under a memory ceiling (RLIMIT_AS) and a wall-clock limit.

Budget tests use it to show that a small hostile input cannot make the tool use unbounded time or memory: without
the budget the child runs out of address space (MemoryError) or time; with it, it finishes well inside both."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Bounded:
    """How a bounded child ended."""

    returncode: int | None  # None: killed at the time limit
    stdout: str
    stderr: str
    seconds: float


def run_bounded(code: str, memory_mb: int, seconds: float, args: tuple[str, ...] = ()) -> Bounded:
    """Run `python -c code` from the repository root with at most `memory_mb` of address space."""

    def limit() -> None:
        size = memory_mb * 2**20
        resource.setrlimit(resource.RLIMIT_AS, (size, size))

    start = time.monotonic()
    try:
        done = subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True,
                              timeout=seconds, preexec_fn=limit)
    except subprocess.TimeoutExpired as exc:
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else exc.stdout or ""
        return Bounded(None, out, "", time.monotonic() - start)
    return Bounded(done.returncode, done.stdout, done.stderr, time.monotonic() - start)
