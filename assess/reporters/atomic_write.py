"""Write output files atomically: a failed run never leaves a half-written report.

Every file the tool writes (reports, evidence bundles, audit trails, snapshots, fleet reports) goes through here."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

# Reports and evidence describe a team's weaknesses: readable by the user only, unless the umask is stricter.
FILE_MODE = 0o600


class OutputError(Exception):
    """An output path that cannot be written; the message names the path and the reason."""


def _reason(exc: OSError) -> str:
    return exc.strerror or type(exc).__name__


def ensure_writable_dir(directory: Path) -> None:
    """Create the directory if needed and prove a file can be created in it; raises OutputError."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except FileExistsError as exc:
        raise OutputError(f"cannot write to {directory}: it exists and is not a directory") from exc
    except OSError as exc:
        raise OutputError(f"cannot create the directory {directory}: {_reason(exc)}") from exc
    if not directory.is_dir():
        raise OutputError(f"cannot write to {directory}: it exists and is not a directory")
    probe = directory / f".gitops-assess-probe.{secrets.token_hex(6)}.tmp"
    try:
        os.close(os.open(probe, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
        probe.unlink()
    except OSError as exc:
        raise OutputError(f"cannot write to {directory}: {_reason(exc)}") from exc


def write_atomic(path: Path, content: str | bytes) -> None:
    """Write to a temporary file beside the target (mode 0600, or stricter by umask), then rename it into place.

    Raises OutputError when the path cannot be written; no temporary file is left behind."""
    if path.is_dir():
        raise OutputError(f"cannot write {path}: it is a directory")
    ensure_writable_dir(path.parent)
    tmp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from exc
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
