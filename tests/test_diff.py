"""`diff` semantics: what counts as a regression, an improvement or only a note."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from assess.model.report import Report
from assess.reports.diff import compare, render_markdown

GOLDEN = Path(__file__).parent / "golden" / "report.json"


def finding(check_id: str, outcome: str, message: str, **extra: Any) -> dict[str, Any]:
    return {"check_id": check_id, "outcome": outcome, "severity": "high", "message": message,
            "confidence": "declared", "refs": [], **extra}


def report(**overrides: Any) -> dict[str, Any]:
    """A whole report (the golden one) with one production environment, one signal, one failure mode and one
    finding in place of its own."""
    base: dict[str, Any] = json.loads(GOLDEN.read_text(encoding="utf-8"))
    prod = base["metrics"]["environments"]["prod"]
    prod.update({"deploys_per_week": 5.0, "change_failure_rate": 0.1})
    prod["lead_time_hours"]["median"], prod["recovery_hours"]["median"] = 10.0, 2.0
    prod["tiers"]["dora_2024"] = {"deployment_frequency": "high", "lead_time": "high", "change_failure_rate": "high",
                                  "recovery_time": "high"}
    base["metrics"]["environments"] = {"prod": prod}
    base.update({
        "target": {"name": "acme/web"},
        "stage": {**base["stage"], "reached": 2},
        "findings": [finding("images-pinned", "pass", "ok")],
        "signals": [{"id": "ci-reliable", "name": "Reliable CI/CD", "status": "met", "reason": ""}],
        "failure_modes": [{"id": "FM2", "name": "Supply chain", "risk": "low", "score": 0}],
    })
    base.update(overrides)
    return base


def test_identical_reports_have_no_changes() -> None:
    diff = compare(Report.from_json(report()), Report.from_json(report()))
    assert (diff.regressed, diff.improved, diff.notes) == ([], [], [])


def test_signal_lost_risk_raised_and_tier_dropped_are_regressions() -> None:
    worse = copy.deepcopy(report())
    worse["signals"][0]["status"] = "not-met"
    worse["failure_modes"][0]["risk"] = "high"
    worse["metrics"]["environments"]["prod"]["tiers"]["dora_2024"]["lead_time"] = "medium"
    worse["metrics"]["environments"]["prod"]["lead_time_hours"]["median"] = 30.0
    diff = compare(Report.from_json(report()), Report.from_json(worse))
    assert {(c.kind, c.subject, c.before, c.after) for c in diff.regressed} == {
        ("signal", "ci-reliable Reliable CI/CD", "met", "not-met"),
        ("failure-mode", "FM2 Supply chain", "low", "high"),
        ("metric", "prod: lead time tier", "high", "medium")}
    # the raw value moved too, but raw values are noisy: a note, not a second regression
    assert [(c.subject, c.before, c.after) for c in diff.notes] == [("prod: lead time median (h)", 10.0, 30.0)]
    back = compare(Report.from_json(worse), Report.from_json(report()))
    assert back.regressed == [] and len(back.improved) == 4
    assert "| FM2 Supply chain | high | low |" in render_markdown(back)


def test_waived_failure_is_not_a_regression_and_new_failing_check_is_a_note() -> None:
    waived = report(findings=[finding("images-pinned", "fail", "latest", waived_by="OPS-1"),
                              finding("new-check", "fail", "new")])
    diff = compare(Report.from_json(report()), Report.from_json(waived))
    assert diff.regressed == [] and [c.subject for c in diff.notes] == ["images-pinned", "new-check"]


def test_a_schema_1_report_is_diffed_and_merged_with_a_current_one(tmp_path: Path) -> None:
    from tests.cli_runner import invoke

    scanned = invoke("scan", "--sample", "stage2-argocd", "-q", "-f", "json", "-o", str(tmp_path / "now"))
    assert scanned.returncode == 0, scanned.stderr
    now = tmp_path / "now" / "report.json"
    name = json.loads(now.read_text(encoding="utf-8"))["target"]["name"]
    done = invoke("diff", str(GOLDEN), str(now), "-f", "json")
    assert done.returncode == 0, done.stderr
    stage = next(c for c in json.loads(done.stdout)["improved"] if c["kind"] == "stage")
    assert (stage["before"], stage["after"], stage["note"]) == (1, 2, "Versioned IaC → Application GitOps")
    merged = invoke("merge", str(GOLDEN), str(now), "-o", str(tmp_path / "fleet"), "-f", "json,md")
    assert merged.returncode == 0, merged.stderr
    fleet = json.loads((tmp_path / "fleet" / "fleet.json").read_text(encoding="utf-8"))
    assert {(r["repo"], r["stage"], r["fails"] > 0) for r in fleet["rows"]} == {("acme/shop", 1, True), (name, 2, True)}
    assert fleet["stages"]["2"] == "Application GitOps" and fleet["stage_distribution"]["1"] == 1
