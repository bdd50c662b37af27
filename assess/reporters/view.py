"""The report as the HTML/PDF templates see it (pure): grouped findings, tiles, audit tables, not-observed list."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import Any

from assess.derive.change_controls import approvers_text, change_controls, review_statement
from assess.model.finding import Finding
from assess.model.forge import ForgeTerms, terms_named
from assess.model.history import AuditRecord
from assess.model.provenance import Source
from assess.model.report import CheckSummary, Report, StageResult
from assess.model.sections import EnvironmentMetrics, ForgeSummary
from assess.model.wording import plural
from assess.reporters import charts
from assess.reporters.policy_text import policy_lines
from assess.reporters.presentation import Presentation
from assess.reporters.stage_names import in_words, stage_names, stages_above_zero
from assess.reports.figures import declared_production, deployment_gaps, environment_metrics, timeline_runs
from assess.reports.figures import tiers as dora_tiers

PRINCIPLE_NAMES = {"declarative": "Declarative", "versioned-and-immutable": "Versioned and immutable",
                   "pulled-automatically": "Pulled automatically", "continuously-reconciled": "Continuously reconciled"}
OUTCOME_ORDER = {"error": 0, "fail": 1, "warn": 2, "unknown": 3, "pass": 4, "not-applicable": 5}
MAX_AUDIT_ROWS = 400
SEVERITIES = ("critical", "high", "medium", "low", "info")
FAILING = ("fail", "error")


def build_view(report: Report, presentation: Presentation | None = None) -> dict[str, Any]:
    """Everything the template needs, derived from the report (and the title options) only."""
    presentation = presentation or Presentation()
    specs = {c.id: c for c in report.checks}
    by_id = {f.check_id: f for f in report.findings}
    envs = environment_metrics(report.metrics)
    prod = declared_production(report.metrics) or list(envs)
    stage = report.stage
    names = stage_names(report)
    failing = [f for f in report.findings if f.outcome in FAILING and not f.waived_by]
    counts = Counter(f.severity.value for f in failing)
    return {
        "title": presentation.title or f"GitOps assessment — {report.target.name}",
        "organisation": presentation.organisation,
        "verdict": _verdict(stage, failing, specs, names),
        "stage_note": _stage_note(stage, specs, names),
        "severity_counts": [(sev, counts.get(sev, 0)) for sev in SEVERITIES if sev != "info" or counts.get(sev)],
        "failing_total": len(failing),
        "target": report.target.name,
        "revision": report.target.revision,
        "generated_at": report.generated_at,
        "tool_version": report.tool_version,
        "window": report.window,
        "stage": stage,
        "premature": report.premature,
        "signals": report.signals,
        "failure_modes": [{**_fields(fm), "missing": [m.check_id for m in fm.mitigations
                                                      if m.outcome in ("fail", "warn", "error")]}
                          for fm in report.failure_modes],
        "tiles": _tiles(envs, prod),
        "next_steps": [{**_fields(step), "severity": _of(by_id.get(step.check_id), "severity"),
                        "outcome": _of(by_id.get(step.check_id), "outcome")}
                       for step in report.next_steps],
        "stages": _stages(stage, specs, by_id, names),
        "finding_groups": _groups([f for f in report.findings if f.outcome in ("fail", "error", "warn")
                                   or f.waived_by], specs),
        "settled": _settled(report.findings, specs),
        "dimensions": report.dimensions,
        "timeline": report.timeline,
        "timeline_runs": timeline_runs(report.timeline),
        "scope": {"kind": report.target.kind, "kind_reason": report.target.kind_reason},
        "delivery": [{"env": env, "monthly": envs[env].monthly, "chart": charts.dora_trends(envs[env].monthly, env)}
                     for env in prod if env in envs and envs[env].monthly],
        "history": report.metrics.history if report.metrics else None,
        "audit": _audit(report.audit_trail, report.forge_terms),
        "github": _forge_section(report.github),
        "forge_name": report.forge_terms.name,
        "change_abbrev": report.forge_terms.change_abbrev,
        "change_prefix": report.forge_terms.change_prefix,
        "not_observed": _not_observed(report, specs),
        "sources": sorted(report.sources.items()),
        "evidence_sha256": report.evidence_sha256,
        "policy": policy_lines(report.policy),
        "charts": {
            "ladder": charts.stage_ladder(stage.reached, stage.progress, names),
            "timeline": charts.timeline(report.timeline) if report.timeline else "",
        },
        "pct": lambda v: "—" if v is None else f"{v * 100:.0f}%",
    }


def _of(finding: Finding | None, name: str) -> str:
    """A finding's severity or outcome as text; "" for a check that did not run."""
    return str(getattr(finding, name)) if finding is not None else ""


def _title(specs: dict[str, CheckSummary], check_id: str) -> str:
    """A check's title, its id for a check the report does not list."""
    spec = specs.get(check_id)
    return spec.title if spec else check_id


def _verdict(stage: StageResult, failing: list[Finding], specs: dict[str, CheckSummary],
             names: dict[int, str]) -> str:
    """One plain-English sentence: the stage, how sure, how many failing findings and the most serious one."""
    name = stage.name or names[stage.reached]  # the model's name, in the stage itself
    last = max(names)
    head = (f"Stage {stage.reached} of {last} ({name}) reached" if stage.reached
            else f"No stage of the {in_words(last)} reached ({name})")
    head += ", provisionally" if stage.provisional else ""
    if not failing:
        return head + ", with no failing finding."
    worst = sorted(failing, key=lambda f: (SEVERITIES.index(f.severity) if f.severity in SEVERITIES else 9,
                                           f.check_id))[0]
    return (f"{head}, with {plural(len(failing), 'failing finding')}; the most serious ({worst.severity}): "
            f"{_title(specs, worst.check_id).rstrip('.')}.")


def _stage_note(stage: StageResult, specs: dict[str, CheckSummary], names: dict[int, str]) -> str:
    """What holds the next stage back and what is unverified, by check title (page 1 names no check ids)."""
    reached, parts = stage.reached, []
    if reached < max(names) and stage.blockers:
        parts.append(f"Stage {reached + 1} ({names[reached + 1]}) is blocked by: "
                     + "; ".join(_title(specs, c).rstrip(".") for c in stage.blockers) + ".")
    elif reached < max(names):
        parts.append(f"Stage {reached + 1} ({names[reached + 1]}) lacks passing evidence.")
    if stage.unverified:
        parts.append(f"Provisional: {plural(len(stage.unverified), 'gating check')} could not be verified for "
                     "lack of evidence (listed under Stages).")
    return " ".join(parts)


def _tiles(envs: dict[str, EnvironmentMetrics], prod: list[str]) -> list[dict[str, Any]]:
    tiles = []
    for env in prod:
        m = envs.get(env)
        if not m:
            continue
        t24, t23 = dora_tiers(m), dora_tiers(m, "dora_2023")
        lead, restore, cfr = m.lead_time_hours.median, m.recovery_hours.median, m.change_failure_rate
        tiles += [
            {"env": env, "label": "deployment frequency", "value": f"{m.deploys_per_week}/week",
             "tier": t24["deployment_frequency"], "tier_2023": t23["deployment_frequency"]},
            {"env": env, "label": "lead time (median)", "value": f"{lead} h" if lead is not None else "n/a",
             "tier": t24["lead_time"], "tier_2023": t23["lead_time"]},
            {"env": env, "label": "change failure rate", "value": f"{cfr:.0%}" if cfr is not None else "n/a",
             "tier": t24["change_failure_rate"], "tier_2023": t23["change_failure_rate"]},
            {"env": env, "label": "time to restore (median)", "value": f"{restore} h" if restore is not None
             else "n/a", "tier": t24["recovery_time"], "tier_2023": t23["recovery_time"]},
        ]
    return tiles


def _stages(stage: StageResult, specs: dict[str, CheckSummary], by_id: dict[str, Finding],
            names: dict[int, str]) -> list[dict[str, Any]]:
    out = []
    for n in stages_above_zero(names):
        checks = sorted((s for s in specs.values() if s.stage == n), key=lambda s: (not s.gates_stage, s.id))
        out.append({"number": n, "name": names[n], "reached": n <= stage.reached,
                    "progress": stage.progress.get(str(n), 0),
                    "checks": [{"id": s.id, "title": s.title, "gates": s.gates_stage,
                                "outcome": _of(by_id.get(s.id), "outcome") or "not run",
                                "message": _of(by_id.get(s.id), "message")} for s in checks]})
    return out


# The HTML/PDF lists this many references per finding; the JSON and SARIF reports carry all of them.
SHOWN_REFS = 12


def _groups(findings: list[Finding], specs: dict[str, CheckSummary]) -> list[dict[str, Any]]:
    grouped: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for f in findings:
        spec = specs.get(f.check_id)
        grouped[spec.principle.value if spec else "declarative"].append({
            **_fields(f), "title": _title(specs, f.check_id), "stage": spec.stage if spec else None,
            "remediation": spec.remediation if spec else "", "refs": [str(r) for r in f.refs[:SHOWN_REFS]],
            "more_refs": max(0, len(f.refs) - SHOWN_REFS)})
    return [{"principle": PRINCIPLE_NAMES.get(p, p),
             "findings": sorted(items, key=lambda f: (f["stage"] or 9, OUTCOME_ORDER.get(f["outcome"], 9),
                                                      f["check_id"]))}
            for p, items in sorted(grouped.items(), key=lambda kv: list(PRINCIPLE_NAMES).index(kv[0])
                                   if kv[0] in PRINCIPLE_NAMES else 9)]


def _settled(findings: Sequence[Finding], specs: dict[str, CheckSummary]) -> list[dict[str, Any]]:
    """Passing, not applicable and unobserved checks as one compact table (a missing source is named once, in
    "What could not be observed", not on every check it hides)."""
    rows = []
    for f in findings:
        if f.outcome in ("fail", "error", "warn") or f.waived_by:
            continue
        spec = specs.get(f.check_id)
        note = f.message
        if f.outcome == "unknown":
            note = _source_gap(f) or f.message
        rows.append({"title": _title(specs, f.check_id), "stage": spec.stage if spec else None,
                     "outcome": f.outcome, "severity": f.severity, "note": note})
    return sorted(rows, key=lambda r: (OUTCOME_ORDER.get(r["outcome"], 9), r["stage"] or 9, r["title"]))


def _missing_source(finding: Finding) -> str | None:
    """The source whose absence made a finding unknown: the finding's `unobserved` field; reports written before
    that field existed name it only at the head of the message."""
    if finding.unobserved:
        return finding.unobserved[0]
    if finding.outcome != "unknown" or not finding.message.startswith("Not observable: "):
        return None
    source = finding.message[len("Not observable: "):].split(":", 1)[0].strip()
    return source if source in SOURCE_NAMES else None


def _source_gap(finding: Finding) -> str | None:
    """'needs cluster evidence' for a finding that is unknown only because a whole source is missing."""
    source = _missing_source(finding)
    return f"needs {source} evidence (see What could not be observed)" if source else None


SOURCE_NAMES = tuple(s.value for s in Source)  # every forge included: a new one needs no entry here


def _flags(r: AuditRecord) -> str:
    flags = [name for name, on in (("emergency", r.is_emergency), ("hotfix", r.is_hotfix), ("revert", r.is_revert),
                                   ("rollback", r.is_rollback), ("failed", r.failed), ("bot", r.is_bot)) if on]
    return ", ".join(flags)


def _fields(value: Any) -> dict[str, Any]:
    """A dataclass's fields by name, shallow (the template adds its own keys beside them)."""
    return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}


def _audit(trail: Sequence[AuditRecord], terms: ForgeTerms) -> dict[str, Any]:
    figures = change_controls(trail, terms)
    statement, tone = review_statement(figures, terms)
    controls = [{"name": c.name, "population": c.population, "exceptions": c.exceptions, "unknown": c.unknown,
                 "rate": c.rate, "clean": c.clean} for c in figures.controls if c.population]
    sod = [{"sha": e.sha, "author": e.author, "why": e.why} for e in figures.exceptions]
    emergency = [{"deployed_at": r.deployed_at, "sha": r.sha, "subject": r.subject, "what": _flags(r)}
                 for r in trail if r.is_emergency or r.is_hotfix or r.is_revert or r.is_rollback or r.failed]
    rows = [{**_fields(r), "flags": _flags(r), "approved_by": approvers_text(r)} for r in trail[:MAX_AUDIT_ROWS]]
    return {"total": figures.population, "controls": controls, "rows": rows,
            "truncated": max(figures.population - MAX_AUDIT_ROWS, 0), "sod": sod, "emergency": emergency,
            "statement": statement, "statement_tone": tone}


def _forge_section(gh: ForgeSummary | None) -> dict[str, Any] | None:
    if gh is None:
        return None
    terms = terms_named(gh.forge)
    policy = gh.policy
    rows: list[tuple[str, object]] = []
    if policy:
        rows = [("Protected", policy.protected), ("Rules from", ", ".join(policy.sources) or "—"),
                (f"{terms.change_request.capitalize()} required", policy.requires_pull_request),
                ("Required approvals", policy.required_approvals),
                ("Code-owner review", policy.require_code_owner_reviews),
                ("Stale approvals dismissed", policy.dismiss_stale_reviews),
                ("Last-push approval", policy.require_last_push_approval),
                ("Required status checks", ", ".join(policy.required_status_checks) or "none"),
                ("Signed commits required", policy.required_signatures),
                ("Linear history", policy.linear_history),
                ("Force pushes blocked", policy.force_push_blocked),
                ("Deletion blocked", policy.deletion_blocked),
                ("Admins bound by the rules", "unknown" if policy.admins_enforced is None else policy.admins_enforced),
                ("Bypass actors", ", ".join(policy.bypass_actors) or "none")]
    figures = []
    if gh.merged_pull_requests:
        approved = gh.independently_approved
        figures.append(f"{plural(gh.merged_pull_requests, 'merged ' + terms.change_request)}"
                       + (f", {approved} independently approved" if approved is not None else ""))
    if gh.ci_success_rate is not None:
        figures.append(f"CI: {gh.ci_success_rate:.0%} of {plural(gh.ci_runs, terms.ci_run)} succeeded")
    return {**_fields(gh), "name": terms.name, "policy_rows": rows, "figures": figures}


def _not_observed(report: Report, specs: dict[str, CheckSummary]) -> list[dict[str, str]]:
    out = []
    hidden = Counter(source for f in report.findings if f.outcome == "unknown" and (source := _missing_source(f)))
    for name, s in sorted(report.sources.items()):
        if not s.available:
            n = hidden.get(name, 0)
            what = f"source: {name}" + (f" ({plural(n, 'check')} could not be judged)" if n else "")
            out.append({"what": what, "reason": s.reason or "", "fix": s.remedy()})
    out += deployment_gaps(report.target, report.deployment, report.forge_terms)
    for f in report.findings:
        if f.outcome == "unknown" and not _missing_source(f):
            if f.fix is not None:  # the fix is a field; the message states it too, as its last clause
                clause = f" (fix: {f.fix})"
                reason, fix = f.message.removesuffix(".").removesuffix(clause), f.fix
            else:  # reports written before findings carried their fix
                reason, _, fix = f.message.partition("(fix: ")
                fix = fix.rstrip(")")
            out.append({"what": f"check: {_title(specs, f.check_id)}", "reason": reason.strip(), "fix": fix})
    return out
