"""Stage names as the report's maturity model gives them (a policy file may rename, add and remove stages)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from assess.model.report import Report
from assess.policy.maturity import packaged

NUMBER_WORDS = ("none", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def stage_names(report: Report | None) -> dict[int, str]:
    """The names of stages 0..N of the model the report was judged by; the packaged model's for reports that carry
    none (or for no report)."""
    given = report.maturity.stages if report is not None and report.maturity is not None else {}
    seed = packaged().stage_names
    if not given:
        return dict(seed)
    return {int(n): str(name or seed.get(int(n), f"Stage {n}")) for n, name in sorted(given.items(),
                                                                                      key=lambda i: int(i[0]))}


def stages_above_zero(names: Mapping[int, str]) -> range:
    """The stages a team can reach: 1..N."""
    return range(1, max(names) + 1)


def in_words(n: int) -> str:
    """A small count in words ("four"), digits beyond ten."""
    return NUMBER_WORDS[n] if 0 <= n < len(NUMBER_WORDS) else str(n)


def fleet_stage_names(reports: Iterable[Report]) -> dict[int, str]:
    """Stage names across reports: each report's own model, the first report naming a stage wins; at least the
    packaged model's stages."""
    out: dict[int, str] = {}
    for report in reports:
        for n, name in stage_names(report).items():
            out.setdefault(n, name)
    return dict(sorted((out or dict(packaged().stage_names)).items()))
