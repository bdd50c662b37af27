"""Output files appear whole or not at all, with the mode the user's umask gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assess.atomic_write import write_atomic


def test_file_mode_follows_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        write_atomic(tmp_path / "report.json", "{}")
    finally:
        os.umask(old)
    assert (tmp_path / "report.json").stat().st_mode & 0o777 == 0o644


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous")
    with pytest.raises(UnicodeEncodeError):  # fails after the temporary file was created
        write_atomic(target, "new \ud800")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
