"""The report as the HTML/PDF templates see it (pure): grouped findings, tiles, audit tables, not-observed list."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from assess.model.check import STAGE_NAMES
from assess.report_figures import deployment_gaps, timeline_runs
from assess.report_figures import tiers as dora_tiers
from assess.reporters import charts
from assess.reporters.policy_text import policy_lines

PRINCIPLE_NAMES = {"declarative": "Declarative", "versioned-and-immutable": "Versioned and immutable",
                   "pulled-automatically": "Pulled automatically", "continuously-reconciled": "Continuously reconciled"}
OUTCOME_ORDER = {"error": 0, "fail": 1, "warn": 2, "unknown": 3, "pass": 4, "not-applicable": 5}
MAX_AUDIT_ROWS = 400


def build_view(report: dict[str, Any]) -> dict[str, Any]:
    """Everything the template needs, derived from the report JSON only."""
    specs = {c["id"]: c for c in report.get("checks", [])}
    findings = report["findings"]
    by_id = {f["check_id"]: f for f in findings}
    metrics = report.get("metrics") or {}
    prod = (metrics.get("history") or {}).get("production_environments") or list(metrics.get("environments") or {})
    stage = report["stage"]
    return {
        "target": report["target"].get("name"),
        "revision": report["target"].get("revision"),
        "generated_at": report["generated_at"],
        "tool_version": report["tool_version"],
        "window": report.get("window") or {},
        "stage": stage,
        "premature": report["premature"],
        "signals": report["signals"],
        "failure_modes": [{**fm, "missing": [m["check_id"] for m in fm["mitigations"]
                                             if m["outcome"] in ("fail", "warn", "error")]}
                          for fm in report["failure_modes"]],
        "tiles": _tiles(metrics, prod),
        "next_steps": report["next_steps"],
        "stages": _stages(stage, specs, by_id),
        "finding_groups": _groups(findings, specs),
        "dimensions": report["dimensions"],
        "timeline": report.get("timeline") or [],
        "timeline_runs": timeline_runs(list(report.get("timeline") or [])),
        "deployment": report.get("deployment") or {},
        "scope": {"kind": report["target"].get("kind"), "kind_reason": report["target"].get("kind_reason")},
        "delivery": [{"env": env, "monthly": metrics["environments"][env]["monthly"],
                      "chart": charts.dora_trends(metrics["environments"][env]["monthly"], env)}
                     for env in prod if (metrics.get("environments") or {}).get(env, {}).get("monthly")],
        "history": metrics.get("history"),
        "audit": _audit(report.get("audit_trail") or []),
        "github": _github(report.get("github") or {}),
        "not_observed": _not_observed(report, specs),
        "sources": sorted(report["sources"].items()),
        "evidence_sha256": report.get("evidence_sha256"),
        "policy": policy_lines(report.get("policy") or {}),
        "charts": {
            "ladder": charts.stage_ladder(stage["reached"], stage["progress"]),
            "signals": charts.signals(report["signals"]),
            "timeline": charts.timeline(report["timeline"]) if report.get("timeline") else "",
        },
        "pct": lambda v: "—" if v is None else f"{v * 100:.0f}%",
    }


def _tiles(metrics: dict[str, Any], prod: list[str]) -> list[dict[str, Any]]:
    tiles = []
    for env in prod:
        m = (metrics.get("environments") or {}).get(env)
        if not m:
            continue
        t24, t23 = dora_tiers(m), dora_tiers(m, "dora_2023")
        lead, restore, cfr = m["lead_time_hours"]["median"], m["recovery_hours"]["median"], m["change_failure_rate"]
        tiles += [
            {"env": env, "label": "deployment frequency", "value": f"{m['deploys_per_week']}/week",
             "tier": t24["deployment_frequency"], "tier_2023": t23["deployment_frequency"]},
            {"env": env, "label": "lead time (median)", "value": f"{lead} h" if lead is not None else "n/a",
             "tier": t24["lead_time"], "tier_2023": t23["lead_time"]},
            {"env": env, "label": "change failure rate", "value": f"{cfr:.0%}" if cfr is not None else "n/a",
             "tier": t24["change_failure_rate"], "tier_2023": t23["change_failure_rate"]},
            {"env": env, "label": "time to restore (median)", "value": f"{restore} h" if restore is not None
             else "n/a", "tier": t24["recovery_time"], "tier_2023": t23["recovery_time"]},
        ]
    return tiles


def _stages(stage: dict[str, Any], specs: dict[str, Any], by_id: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for n in range(1, 5):
        checks = sorted((s for s in specs.values() if s.get("stage") == n),
                        key=lambda s: (not s.get("gates_stage"), s["id"]))
        out.append({"number": n, "name": STAGE_NAMES[n], "reached": n <= stage["reached"],
                    "progress": stage["progress"].get(str(n), 0),
                    "checks": [{"id": s["id"], "title": s["title"], "gates": s.get("gates_stage"),
                                "outcome": by_id.get(s["id"], {}).get("outcome", "not run"),
                                "message": by_id.get(s["id"], {}).get("message", "")} for s in checks]})
    return out


# The HTML/PDF lists this many references per finding; the JSON and SARIF reports carry all of them.
SHOWN_REFS = 12


def _ref(r: dict[str, Any]) -> str:
    target = r.get("path") or r.get("sha") or r.get("object") or r.get("url") or ""
    return f"{target}:{r['line']}" if r.get("line") else str(target)


def _groups(findings: list[dict[str, Any]], specs: dict[str, Any]) -> list[dict[str, Any]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        spec = specs.get(f["check_id"], {})
        grouped[spec.get("principle", "declarative")].append({
            **f, "title": spec.get("title", f["check_id"]), "stage": spec.get("stage"),
            "remediation": spec.get("remediation", ""), "refs": [_ref(r) for r in f.get("refs", [])[:SHOWN_REFS]],
            "more_refs": max(0, len(f.get("refs", [])) - SHOWN_REFS)})
    return [{"principle": PRINCIPLE_NAMES.get(p, p),
             "findings": sorted(items, key=lambda f: (f["stage"] or 9, OUTCOME_ORDER.get(f["outcome"], 9),
                                                      f["check_id"]))}
            for p, items in sorted(grouped.items(), key=lambda kv: list(PRINCIPLE_NAMES).index(kv[0])
                                   if kv[0] in PRINCIPLE_NAMES else 9)]


def _flags(r: dict[str, Any]) -> str:
    flags = [name for name, on in (("emergency", r.get("is_emergency")), ("hotfix", r.get("is_hotfix")),
                                   ("revert", r.get("is_revert")), ("rollback", r.get("is_rollback")),
                                   ("failed", r.get("failed")), ("bot", r.get("is_bot"))) if on]
    return ", ".join(flags)


def _audit(trail: list[dict[str, Any]]) -> dict[str, Any]:
    total = len(trail)
    via_pr = [r for r in trail if r["change_path"].startswith("pr-")]
    known_reviews = [r for r in trail if r.get("self_approved") is not None]
    signed = [r for r in trail if r["signature"] not in ("none", "malformed")]
    attributable = [r for r in trail if r.get("pr_number") or r.get("ticket_refs") or r.get("is_bot")]
    emergencies = [r for r in trail if r.get("is_emergency")]

    def control(name: str, population: int, passing: int) -> dict[str, Any]:
        rate = f"{passing / population:.0%}" if population else "—"
        return {"name": name, "population": population, "exceptions": population - passing, "rate": rate}

    controls = [
        control("Changed through a pull request", total, len(via_pr)),
        control("Approved by someone other than the author (where reviews are known)", len(known_reviews),
                len([r for r in known_reviews if r.get("approvers")])),
        control("Attributable to a PR or ticket", total, len(attributable)),
        control("Signed", total, len(signed)),
        control("Emergency changes reviewed through a PR", len(emergencies),
                len([r for r in emergencies if r["change_path"].startswith("pr-")])),
    ]
    sod = [{"sha": r["sha"], "author": r["author_name"], "why": "merged without an independent approval"}
           for r in trail if r.get("self_approved")]
    sod += [{"sha": r["sha"], "author": r["author_name"], "why": "pushed directly, no review"}
            for r in trail if r["change_path"] in ("direct-push", "web-edit", "local-merge") and r.get("parents")
            and not r.get("is_bot")]
    emergency = [{"deployed_at": r["deployed_at"], "sha": r["sha"], "subject": r["subject"], "what": _flags(r)}
                 for r in trail if r.get("is_emergency") or r.get("is_hotfix") or r.get("is_revert")
                 or r.get("is_rollback") or r.get("failed")]
    rows = [{**r, "flags": _flags(r)} for r in trail[:MAX_AUDIT_ROWS]]
    return {"total": total, "controls": controls if total else [], "rows": rows,
            "truncated": max(total - MAX_AUDIT_ROWS, 0), "sod": sod, "emergency": emergency}


def _github(gh: dict[str, Any]) -> dict[str, Any] | None:
    if not gh:
        return None
    policy = gh.get("policy")
    rows = []
    if policy:
        rows = [("Protected", policy["protected"]), ("Rules from", ", ".join(policy["sources"]) or "—"),
                ("Pull request required", policy["requires_pull_request"]),
                ("Required approvals", policy["required_approvals"]),
                ("Code-owner review", policy["require_code_owner_reviews"]),
                ("Stale approvals dismissed", policy["dismiss_stale_reviews"]),
                ("Last-push approval", policy["require_last_push_approval"]),
                ("Required status checks", ", ".join(policy["required_status_checks"]) or "none"),
                ("Signed commits required", policy["required_signatures"]),
                ("Linear history", policy["linear_history"]),
                ("Force pushes blocked", policy["force_push_blocked"]),
                ("Deletion blocked", policy["deletion_blocked"]),
                ("Admins bound by the rules", "unknown" if policy["admins_enforced"] is None
                 else policy["admins_enforced"]),
                ("Bypass actors", ", ".join(policy["bypass_actors"]) or "none")]
    return {**gh, "policy_rows": rows}


def _not_observed(report: dict[str, Any], specs: dict[str, Any]) -> list[dict[str, str]]:
    out = [{"what": f"source: {name}", "reason": s.get("reason", ""), "fix": s.get("fix", "")}
           for name, s in sorted(report["sources"].items()) if not s["available"]]
    out += deployment_gaps(report)
    for f in report["findings"]:
        if (f["outcome"] == "unknown" and not f["message"].startswith("Not observable: ")) or (
                f["outcome"] == "unknown" and "cluster:" not in f["message"] and "github:" not in f["message"]
                and "gitlab:" not in f["message"]
                and "history:" not in f["message"]):
            title = specs.get(f["check_id"], {}).get("title", f["check_id"])
            reason, _, fix = f["message"].partition("(fix: ")
            out.append({"what": f"check: {title}", "reason": reason.strip(), "fix": fix.rstrip(")")})
    return out
