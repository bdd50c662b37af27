"""The fleet report (pure): many repository reports merged into one view of an organisation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from statistics import median
from typing import Any

from assess.model.report import Report
from assess.model.sections import EnvironmentMetrics
from assess.reporters.stage_names import fleet_stage_names
from assess.reports.figures import DORA_FIGURES, declared_production, dora_figures, environment_metrics

FLEET_SCHEMA_VERSION = "1.0"


def merge(reports: Sequence[Report], generated_at: str, name: str = "fleet") -> dict[str, Any]:
    """Per-repository stage table, stage distribution, worst failure modes and organisation-wide DORA figures."""
    rows: list[dict[str, Any]] = []
    risk_counts: dict[str, Counter[str]] = {}
    fm_names: dict[str, str] = {}
    dora: dict[str, list[float]] = {key: [] for key, _, _, _ in DORA_FIGURES}
    deployments = 0
    for report in sorted(reports, key=lambda r: r.target.name):
        fails = [f for f in report.findings if f.outcome in ("fail", "error") and not f.waived_by]
        fms = {fm.id: fm.risk.value for fm in report.failure_modes}
        for fm in report.failure_modes:
            fm_names[fm.id] = fm.name
            risk_counts.setdefault(fm.id, Counter())[fm.risk.value] += 1
        prod = _production(report)
        figures = dora_figures(prod) if prod else {}
        rows.append({"repo": report.target.name, "stage": report.stage.reached,
                     "basis": report.stage.basis.value, "blockers": list(report.stage.blockers),
                     "fails": len(fails), "critical": sum(f.severity == "critical" for f in fails),
                     "failure_modes": fms, "premature": report.premature.verdict,
                     "deploys_per_week": figures.get("deploys_per_week"),
                     "lead_time_hours": figures.get("lead_time_hours"),
                     "change_failure_rate": figures.get("change_failure_rate"),
                     "generated_at": report.generated_at})
        if prod:
            deployments += prod.deployments
            for key, value in figures.items():
                if value is not None:
                    dora[key].append(float(value))
    # Stages of the reports' own models (the packaged model's for reports that carry none).
    names = fleet_stage_names(reports)
    for stage in {r["stage"] for r in rows} - set(names):
        names[stage] = f"Stage {stage}"
    distribution = {str(n): sum(1 for r in rows if r["stage"] == n) for n in sorted(names)}
    worst: list[dict[str, Any]] = sorted(
        ({"id": fm, "name": fm_names[fm], "high": c["high"], "medium": c["medium"], "low": c["low"],
          "unknown": c["unknown"]} for fm, c in risk_counts.items()),
        key=lambda w: (-int(w["high"]), -int(w["medium"]), str(w["id"])))
    return {
        "fleet_schema_version": FLEET_SCHEMA_VERSION,
        "name": name,
        "generated_at": generated_at,
        "repositories": len(rows),
        "stage_distribution": distribution,
        "stages": {str(n): name for n, name in sorted(names.items())},
        "median_stage": median([r["stage"] for r in rows]) if rows else None,
        "worst_failure_modes": worst,
        "dora": {"repositories_with_metrics": len(dora["deploys_per_week"]), "deployments": deployments,
                 **{f"median_{k}": round(median(v), 3) if v else None for k, v in dora.items()}},
        "rows": rows,
    }


def _production(report: Report) -> EnvironmentMetrics | None:
    """Metrics of the first declared production environment that has any."""
    metrics = report.metrics
    envs = environment_metrics(metrics)
    return next((envs[env] for env in declared_production(metrics) if env in envs), None)
