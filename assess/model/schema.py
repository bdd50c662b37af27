"""The published JSON Schema of the report (stdlib only: the schema ships as package data)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any


def report_schema() -> dict[str, Any]:
    """The report JSON Schema (draft 2020-12)."""
    text = resources.files("assess.model").joinpath("report.schema.json").read_text(encoding="utf-8")
    data: dict[str, Any] = json.loads(text)
    return data
