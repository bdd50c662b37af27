"""The fleet report (pure): many repository reports merged into one view of an organisation."""

from __future__ import annotations

from collections import Counter
from statistics import median
from typing import Any

FLEET_SCHEMA_VERSION = "1.0"
RISK_ORDER = {"high": 3, "medium": 2, "low": 1, "unknown": 0}


def merge(reports: list[dict[str, Any]], generated_at: str, name: str = "fleet") -> dict[str, Any]:
    """Per-repository stage table, stage distribution, worst failure modes and organisation-wide DORA figures."""
    rows = []
    risk_counts: dict[str, Counter[str]] = {}
    fm_names: dict[str, str] = {}
    dora: dict[str, list[float]] = {"deploys_per_week": [], "lead_time_hours": [], "change_failure_rate": [],
                                    "recovery_hours": []}
    deployments = 0
    for report in sorted(reports, key=lambda r: str(r["target"].get("name"))):
        fails = [f for f in report["findings"] if f["outcome"] in ("fail", "error") and not f.get("waived_by")]
        fms = {fm["id"]: fm["risk"] for fm in report["failure_modes"]}
        for fm in report["failure_modes"]:
            fm_names[fm["id"]] = fm["name"]
            risk_counts.setdefault(fm["id"], Counter())[fm["risk"]] += 1
        prod = _production(report)
        rows.append({"repo": report["target"].get("name"), "stage": report["stage"]["reached"],
                     "basis": report["stage"]["basis"], "blockers": report["stage"]["blockers"],
                     "fails": len(fails), "critical": sum(f["severity"] == "critical" for f in fails),
                     "failure_modes": fms, "premature": report["premature"]["verdict"],
                     "deploys_per_week": prod.get("deploys_per_week") if prod else None,
                     "lead_time_hours": (prod.get("lead_time_hours") or {}).get("median") if prod else None,
                     "change_failure_rate": prod.get("change_failure_rate") if prod else None,
                     "generated_at": report["generated_at"]})
        if prod:
            deployments += int(prod.get("deployments") or 0)
            for key, value in (("deploys_per_week", prod.get("deploys_per_week")),
                               ("lead_time_hours", (prod.get("lead_time_hours") or {}).get("median")),
                               ("change_failure_rate", prod.get("change_failure_rate")),
                               ("recovery_hours", (prod.get("recovery_hours") or {}).get("median"))):
                if value is not None:
                    dora[key].append(float(value))
    distribution = {str(n): sum(1 for r in rows if r["stage"] == n) for n in range(5)}
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
        "median_stage": median([r["stage"] for r in rows]) if rows else None,
        "worst_failure_modes": worst,
        "dora": {"repositories_with_metrics": len(dora["deploys_per_week"]), "deployments": deployments,
                 **{f"median_{k}": round(median(v), 3) if v else None for k, v in dora.items()}},
        "rows": rows,
    }


def _production(report: dict[str, Any]) -> dict[str, Any] | None:
    metrics = report.get("metrics") or {}
    envs = metrics.get("environments") or {}
    prod = (metrics.get("history") or {}).get("production_environments") or []
    for env in prod:
        if env in envs:
            return dict(envs[env])
    return None
