"""Where the report templates are: inside the installed package, or at the top of a source checkout."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def templates_dir() -> Path:
    """The directory holding report.html.j2 and report.css."""
    packaged = Path(str(resources.files("assess"))) / "_report_templates"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "report_templates"
