"""The CLI run in-process through click's CliRunner, as `python -m assess` would run it (exit codes, stdout,
stderr), without paying an interpreter start per call. Tests whose point is the process itself (its environment,
child processes) still spawn one."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from click.testing import CliRunner

from assess.cli import Exit, cli, internal_error_line

ROOT = Path(__file__).resolve().parents[1]
UNSET = ("GITHUB_TOKEN", "GH_TOKEN", "KUBECONFIG")


@contextmanager
def _inside(directory: Path) -> Iterator[None]:
    before = Path.cwd()
    os.chdir(directory)
    try:
        yield
    finally:
        os.chdir(before)


def invoke(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None,
           unset: tuple[str, ...] = UNSET) -> subprocess.CompletedProcess[str]:
    """Run `gitops-assess ARGS` in this process; an unexpected exception is exit 4 with one line, as in `main`."""
    environment: dict[str, str | None] = {name: None for name in unset}
    environment.update({"COLUMNS": "120", **(env or {})})
    with _inside(cwd or ROOT):
        result = CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=True)
    code, stderr = result.exit_code, result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        exc = result.exception
        code = int(Exit.INTERNAL)
        stderr += internal_error_line(exc) + "\n"
    return subprocess.CompletedProcess(["gitops-assess", *args], code, result.stdout, stderr)
