"""Place a delivery metric on the DORA tier tables (2023 and 2024), kept as versioned data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml

LEVELS = ("elite", "high", "medium", "low")
TABLES = ("dora_2023", "dora_2024")


@lru_cache(maxsize=1)
def tier_tables() -> dict[str, Any]:
    """The versioned tier tables."""
    text = resources.files("assess.metrics").joinpath("dora_tiers.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.load(text, Loader=yaml.CSafeLoader)
    return data


def classify(table: str, metric: str, value: float | str | None) -> str | None:
    """The tier of one value in one table; None when the value is unknown."""
    if value is None:
        return None
    spec = tier_tables()[table]
    if metric == "deployment_frequency":
        return str(spec["deploy_frequency"][str(value)])
    if metric in ("lead_time", "recovery_time"):
        bounds = spec["lead_time_h" if metric == "lead_time" else "recovery_h"]
        for level in LEVELS[:-1]:
            if float(value) < float(bounds[level]):
                return level
        return "low"
    if metric == "change_failure_rate":
        rule = spec["cfr"]
        if rule["rule"] == "interval":
            for level in LEVELS[:-1]:
                if float(value) <= float(rule["bounds"][level]):
                    return level
            return "low"
        # Non-monotonic table (2024): the cluster whose reported rate is nearest; ties go to the better level.
        return min(LEVELS, key=lambda lv: (abs(float(rule["values"][lv]) - float(value)), LEVELS.index(lv)))
    raise KeyError(metric)


def classify_all(values: dict[str, float | str | None]) -> dict[str, dict[str, str | None]]:
    """Every metric on every table: {table: {metric: level}}."""
    return {t: {m: classify(t, m, v) for m, v in values.items()} for t in TABLES}
