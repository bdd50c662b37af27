"""The report JSON: the source of truth every other format is rendered from."""

from __future__ import annotations

import json

from assess.model.report import Report
from assess.reporters import inert


def render(report: Report) -> str:
    """Serialise a report as indented JSON."""
    return inert.json_text(json.dumps(report.to_json(), indent=2, ensure_ascii=False)) + "\n"
