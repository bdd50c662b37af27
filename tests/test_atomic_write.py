"""Output files appear whole or not at all, private to the user (0600) unless the umask is stricter."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assess.reporters.atomic_write import write_atomic


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o600), (0o000, 0o600), (0o077, 0o600), (0o277, 0o400)])
def test_files_are_private_unless_the_umask_is_stricter(tmp_path: Path, umask: int, mode: int) -> None:
    target = tmp_path / "report.json"
    target.write_text("an older, world-readable copy")
    target.chmod(0o644)
    old = os.umask(umask)
    try:
        write_atomic(target, "{}")
    finally:
        os.umask(old)
    assert target.stat().st_mode & 0o777 == mode


def test_a_failed_write_keeps_the_previous_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "report.json"
    target.write_text("previous")
    with pytest.raises(UnicodeEncodeError):  # fails after the temporary file was created
        write_atomic(target, "new \ud800")
    assert target.read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json"]
