"""Delivery figures read from a saved report's JSON: one reading shared by `diff` and the fleet merge."""

from __future__ import annotations

from typing import Any

# (key, dotted path in an environment's metrics, label, whether higher is better)
DORA_FIGURES: tuple[tuple[str, str, str, bool], ...] = (
    ("deploys_per_week", "deploys_per_week", "deploys/week", True),
    ("lead_time_hours", "lead_time_hours.median", "lead time median (h)", False),
    ("change_failure_rate", "change_failure_rate", "change failure rate", False),
    ("recovery_hours", "recovery_hours.median", "time to restore (h)", False),
)


def environment_metrics(report: dict[str, Any]) -> dict[str, Any]:
    """Metrics per environment (empty when the report has no history)."""
    return dict((report.get("metrics") or {}).get("environments") or {})


def declared_production(report: dict[str, Any]) -> list[str]:
    """The environments the report treats as production, in its order."""
    return list(((report.get("metrics") or {}).get("history") or {}).get("production_environments") or [])


def figure(env_metrics: dict[str, Any], path: str) -> Any:
    """The value at a dotted path of an environment's metrics, or None."""
    node: Any = env_metrics
    for part in path.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node


def dora_figures(env_metrics: dict[str, Any]) -> dict[str, Any]:
    """The four DORA figures of one environment, by key."""
    return {key: figure(env_metrics, path) for key, path, _, _ in DORA_FIGURES}


TIER_METRICS = ("deployment_frequency", "lead_time", "change_failure_rate", "recovery_time")


def tiers(env_metrics: dict[str, Any], table: str = "dora_2024") -> dict[str, str]:
    """The tier of each DORA figure on a table, or why there is none (no deployment in the period, not graded)."""
    found = env_metrics.get("tiers")
    if isinstance(found, dict) and isinstance(found.get(table), dict):
        return {m: str(found[table].get(m) or "n/a") for m in TIER_METRICS}
    reason = str(env_metrics.get("activity") or "not graded")
    return dict.fromkeys(TIER_METRICS, reason)


def timeline_runs(points: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Consecutive timeline points with the same verdict folded into one run (a dormant year is one line, not
    twelve identical points): {first, last, stage, provisional, dormant, note, blockers, commit}."""
    runs: list[dict[str, Any]] = []
    for p in points:
        key = (p.get("stage"), bool(p.get("provisional")), bool(p.get("dormant")), p.get("note") or "")
        last = runs[-1] if runs else None
        if last is not None and last["key"] == key and (p.get("dormant") or p.get("note")):
            last["last"] = p.get("month")
            continue
        runs.append({"key": key, "first": p.get("month"), "last": p.get("month"), "stage": p.get("stage"),
                     "provisional": bool(p.get("provisional")), "dormant": bool(p.get("dormant")),
                     "note": p.get("note") or "", "blockers": list(p.get("blockers") or []),
                     "commit": p.get("commit")})
    for run in runs:
        del run["key"]
        run["months"] = run["first"] if run["first"] == run["last"] else f"{run['first']}…{run['last']}"
    return runs


def deployment_gaps(report: dict[str, Any]) -> list[dict[str, str]]:
    """What could not be established about deployment: no environment identified, paths that match nothing."""
    if (report.get("target") or {}).get("kind", "gitops-estate") != "gitops-estate":
        return []
    deployment = report.get("deployment") or {}
    out: list[dict[str, str]] = []
    if deployment and not deployment.get("environments"):
        out.append({"what": "environments", "reason": "no environment identified: no reconciler entry point applies "
                    "this repository and no per-environment folder, referenced values file or CI deploy command "
                    "names one, so production changes cannot be told apart and the PR gate is unknown",
                    "fix": "declare `environments:` in .gitops-assess.yaml (name: [path globs])"})
    for warning in deployment.get("warnings") or []:
        out.append({"what": "deployed paths", "reason": warning, "fix": "fix or remove the entry point"})
    return out
