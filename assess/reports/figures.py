"""Delivery figures read from a report's typed sections: one reading shared by `diff`, the fleet merge and the
human-readable formats."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assess.model.forge import DEFAULT_FORGE, TERMS, ForgeTerms
from assess.model.sections import DeploymentSummary, EnvironmentMetrics, Metrics, Target, TimelinePoint

# (key, dotted path in an environment's metrics, label, whether higher is better)
DORA_FIGURES: tuple[tuple[str, str, str, bool], ...] = (
    ("deploys_per_week", "deploys_per_week", "deploys/week", True),
    ("lead_time_hours", "lead_time_hours.median", "lead time median (h)", False),
    ("change_failure_rate", "change_failure_rate", "change failure rate", False),
    ("recovery_hours", "recovery_hours.median", "time to restore (h)", False),
)


def environment_metrics(metrics: Metrics | None) -> dict[str, EnvironmentMetrics]:
    """Metrics per environment (empty when the report has no history)."""
    return dict(metrics.environments) if metrics else {}


def declared_production(metrics: Metrics | None) -> list[str]:
    """The environments the report treats as production, in its order."""
    return list(metrics.history.production_environments) if metrics and metrics.history else []


def figure(env_metrics: EnvironmentMetrics, path: str) -> Any:
    """The value at a dotted attribute path of an environment's metrics, or None."""
    node: Any = env_metrics
    for part in path.split("."):
        node = getattr(node, part, None)
    return node


def dora_figures(env_metrics: EnvironmentMetrics) -> dict[str, Any]:
    """The four DORA figures of one environment, by key."""
    return {key: figure(env_metrics, path) for key, path, _, _ in DORA_FIGURES}


TIER_METRICS = ("deployment_frequency", "lead_time", "change_failure_rate", "recovery_time")


def tiers(env_metrics: EnvironmentMetrics, table: str = "dora_2024") -> dict[str, str]:
    """The tier of each DORA figure on a table, or why there is none (no deployment in the period, not graded)."""
    found = (env_metrics.tiers or {}).get(table)
    if isinstance(found, dict):
        return {m: str(found.get(m) or "n/a") for m in TIER_METRICS}
    reason = str(env_metrics.activity or "not graded")
    return dict.fromkeys(TIER_METRICS, reason)


def timeline_runs(points: Sequence[TimelinePoint]) -> list[dict[str, Any]]:
    """Consecutive timeline points with the same verdict folded into one run (a dormant year is one line, not
    twelve identical points): {first, last, stage, provisional, dormant, note, blockers, commit}."""
    runs: list[dict[str, Any]] = []
    for p in points:
        key = (p.stage, p.provisional, p.dormant, p.note or "")
        last = runs[-1] if runs else None
        if last is not None and last["key"] == key and (p.dormant or p.note):
            last["last"] = p.month
            continue
        runs.append({"key": key, "first": p.month, "last": p.month, "stage": p.stage, "provisional": p.provisional,
                     "dormant": p.dormant, "note": p.note or "", "blockers": list(p.blockers), "commit": p.commit})
    for run in runs:
        del run["key"]
        run["months"] = run["first"] if run["first"] == run["last"] else f"{run['first']}…{run['last']}"
    return runs


def deployment_gaps(target: Target, deployment: DeploymentSummary | None,
                    terms: ForgeTerms = TERMS[DEFAULT_FORGE]) -> list[dict[str, str]]:
    """What could not be established about deployment: no environment identified, paths that match nothing."""
    if (target.kind or "gitops-estate") != "gitops-estate" or deployment is None:
        return []
    out: list[dict[str, str]] = []
    if not deployment.environments:
        out.append({"what": "environments", "reason": "no environment identified: no reconciler entry point applies "
                    "this repository and no per-environment folder, referenced values file or CI deploy command "
                    "names one, so production changes cannot be told apart and the "
                    f"{terms.change_abbrev} gate is unknown",
                    "fix": "declare `environments:` in .gitops-assess.yaml (name: [path globs])"})
    for warning in deployment.warnings:
        out.append({"what": "deployed paths", "reason": warning, "fix": "fix or remove the entry point"})
    return out
