"""Stage names as the report's maturity model gives them (a policy file may rename stages)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from assess.model.check import STAGE_NAMES


def stage_names(report: Mapping[str, Any]) -> dict[int, str]:
    """The names of stages 0-4 the report was judged with; the seed model's for reports that carry none."""
    given = (report.get("maturity") or {}).get("stages") or {}
    return {n: str(given.get(str(n)) or STAGE_NAMES[n]) for n in STAGE_NAMES}
