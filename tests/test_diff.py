"""`diff` semantics: what counts as a regression, an improvement or only a note."""

from __future__ import annotations

import copy
from typing import Any

from assess.reports.diff import compare, render_markdown


def report(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "target": {"name": "acme/web"},
        "stage": {"reached": 2},
        "findings": [{"check_id": "images-pinned", "outcome": "pass", "message": "ok"}],
        "signals": [{"id": "ci-reliable", "name": "Reliable CI/CD", "status": "met"}],
        "failure_modes": [{"id": "FM2", "name": "Supply chain", "risk": "low"}],
        "metrics": {"history": {"production_environments": ["prod"]},
                    "environments": {"prod": {"deploys_per_week": 5.0, "lead_time_hours": {"median": 10.0},
                                              "change_failure_rate": 0.1, "recovery_hours": {"median": 2.0},
                                              "tiers": {"dora_2024": {"deployment_frequency": "high",
                                                                      "lead_time": "high",
                                                                      "change_failure_rate": "high",
                                                                      "recovery_time": "high"}}}}},
    }
    base.update(overrides)
    return base


def test_identical_reports_have_no_changes() -> None:
    diff = compare(report(), report())
    assert (diff.regressed, diff.improved, diff.notes) == ([], [], [])


def test_signal_lost_risk_raised_and_tier_dropped_are_regressions() -> None:
    worse = copy.deepcopy(report())
    worse["signals"][0]["status"] = "not-met"
    worse["failure_modes"][0]["risk"] = "high"
    worse["metrics"]["environments"]["prod"]["tiers"]["dora_2024"]["lead_time"] = "medium"
    worse["metrics"]["environments"]["prod"]["lead_time_hours"]["median"] = 30.0
    diff = compare(report(), worse)
    assert {(c.kind, c.subject, c.before, c.after) for c in diff.regressed} == {
        ("signal", "ci-reliable Reliable CI/CD", "met", "not-met"),
        ("failure-mode", "FM2 Supply chain", "low", "high"),
        ("metric", "prod: lead time tier", "high", "medium")}
    # the raw value moved too, but raw values are noisy: a note, not a second regression
    assert [(c.subject, c.before, c.after) for c in diff.notes] == [("prod: lead time median (h)", 10.0, 30.0)]
    back = compare(worse, report())
    assert back.regressed == [] and len(back.improved) == 4
    assert "| FM2 Supply chain | high | low |" in render_markdown(back)


def test_waived_failure_is_not_a_regression_and_new_failing_check_is_a_note() -> None:
    waived = report(findings=[{"check_id": "images-pinned", "outcome": "fail", "message": "latest",
                               "waived_by": "OPS-1"},
                              {"check_id": "new-check", "outcome": "fail", "message": "new"}])
    diff = compare(report(), waived)
    assert diff.regressed == [] and [c.subject for c in diff.notes] == ["images-pinned", "new-check"]
