"""Compare two reports (pure): what improved and what regressed — stage, findings, signals, failure-mode risks and
delivery metrics."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

from assess.model.finding import Finding
from assess.model.report import Report
from assess.model.sections import Metrics
from assess.model.wording import plural
from assess.reporters.stage_names import stage_names
from assess.reports.figures import DORA_FIGURES, declared_production, environment_metrics, figure

# How bad an outcome is; a waived failure counts as accepted (0).
RANK = {"pass": 0, "not-applicable": 0, "unknown": 1, "warn": 2, "fail": 3, "error": 3}
SIGNAL_RANK = {"met": 0, "unknown": 1, "not-met": 2}
RISK_RANK = {"low": 0, "unknown": 1, "medium": 2, "high": 3}
TIER_RANK = {"elite": 0, "high": 1, "medium": 2, "low": 3}
TIER_LABELS = {"deployment_frequency": "deployment frequency tier", "lead_time": "lead time tier",
               "change_failure_rate": "change failure rate tier", "recovery_time": "time to restore tier"}


@dataclass(frozen=True)
class Change:
    """One difference between the reports."""

    kind: str
    subject: str
    before: Any
    after: Any
    note: str = ""


@dataclass(frozen=True)
class ReportDiff:
    """Everything that changed, split into improvements, regressions and neutral notes."""

    old_target: str
    new_target: str
    improved: list[Change] = field(default_factory=list)
    regressed: list[Change] = field(default_factory=list)
    notes: list[Change] = field(default_factory=list)

    @property
    def has_regressions(self) -> bool:
        """Whether anything got worse (the gate of --fail-on-regression)."""
        return bool(self.regressed)

    def to_json(self) -> dict[str, Any]:
        """Plain data for `diff -f json`."""
        return {"old": self.old_target, "new": self.new_target, "regressions": len(self.regressed),
                "improved": [asdict(c) for c in self.improved], "regressed": [asdict(c) for c in self.regressed],
                "notes": [asdict(c) for c in self.notes]}


def _rank(finding: Finding) -> int:
    return 0 if finding.waived_by else RANK.get(finding.outcome, 1)


def compare(old: Report, new: Report) -> ReportDiff:
    """Stage up/down, findings whose outcome got better or worse, metric moves on the production environments."""
    diff = ReportDiff(old.target.name, new.target.name)
    before, after = old.stage.reached, new.stage.reached
    names = f"{stage_names(old).get(before, '?')} → {stage_names(new).get(after, '?')}"
    if after < before:
        diff.regressed.append(Change("stage", "stage reached", before, after, names))
    elif after > before:
        diff.improved.append(Change("stage", "stage reached", before, after, names))
    models = (old.maturity, new.maturity)
    if models[0] and models[1] and models[0].digest and models[1].digest and models[0].digest != models[1].digest:
        was, now = (f"{m.name} ({m.digest[:12]})" for m in (models[0], models[1]))
        diff.notes.append(Change("maturity", "maturity model", was, now,
                                 "judged by different maturity models: stages and verdicts may not compare"))
    olds = {f.check_id: f for f in old.findings}
    for f in new.findings:
        prior = olds.get(f.check_id)
        if prior is None:
            if _rank(f) >= 2:
                diff.notes.append(Change("finding", f.check_id, None, f.outcome.value, "new check, failing"))
            continue
        a, b = _rank(prior), _rank(f)
        change = Change("finding", f.check_id, prior.outcome.value, f.outcome.value, f.message)
        if b > a and b >= 2:
            diff.regressed.append(change)
        elif b < a:
            diff.improved.append(change)
        elif prior.outcome != f.outcome:
            diff.notes.append(change)
    _ranked(diff, "signal", [(s.id, s.name, s.status.value) for s in old.signals],
            [(s.id, s.name, s.status.value) for s in new.signals], SIGNAL_RANK)
    _ranked(diff, "failure-mode", [(m.id, m.name, m.risk.value) for m in old.failure_modes],
            [(m.id, m.name, m.risk.value) for m in new.failure_modes], RISK_RANK)
    _tiers(diff, old.metrics, new.metrics)
    # raw metric moves are noisy from one window to the next: better is an improvement, worse only a note;
    # a drop of DORA tier (above) is what counts as a regression
    for env, label, value_before, value_after, higher_is_better in _metric_pairs(old.metrics, new.metrics):
        if value_before == value_after or value_before is None or value_after is None:
            continue
        better = (value_after > value_before) == higher_is_better
        (diff.improved if better else diff.notes).append(
            Change("metric", f"{env}: {label}", value_before, value_after))
    return diff


def _ranked(diff: ReportDiff, kind: str, olds: list[tuple[str, str, str]], news: list[tuple[str, str, str]],
            rank: dict[str, int]) -> None:
    """Items (id, name, status) whose status moved up or down a ranked scale (signals, failure-mode risks)."""
    before = {item_id: status for item_id, _, status in olds}
    for item_id, name, status in news:
        prior = before.get(item_id)
        if prior is None or prior == status:
            continue
        change = Change(kind, f"{item_id} {name}", prior, status)
        a, b = rank.get(prior, 1), rank.get(status, 1)
        (diff.regressed if b > a else diff.improved if b < a else diff.notes).append(change)


def _tiers(diff: ReportDiff, old: Metrics | None, new: Metrics | None) -> None:
    """DORA 2024 tiers of the production environments that moved."""
    envs_old, envs_new = environment_metrics(old), environment_metrics(new)
    for env in _production(new):
        if env not in envs_old or env not in envs_new:
            continue
        before = (envs_old[env].tiers or {}).get("dora_2024") or {}
        after = (envs_new[env].tiers or {}).get("dora_2024") or {}
        for key, label in TIER_LABELS.items():
            a, b = before.get(key), after.get(key)
            if a in TIER_RANK and b in TIER_RANK and a != b:
                change = Change("metric", f"{env}: {label}", a, b)
                (diff.regressed if TIER_RANK[b] > TIER_RANK[a] else diff.improved).append(change)


def _production(metrics: Metrics | None) -> list[str]:
    return declared_production(metrics) or list(environment_metrics(metrics))


def _metric_pairs(old: Metrics | None, new: Metrics | None) -> list[tuple[str, str, Any, Any, bool]]:
    out = []
    envs_old, envs_new = environment_metrics(old), environment_metrics(new)
    for env in _production(new):
        if env not in envs_old or env not in envs_new:
            continue
        for _, path, label, higher in DORA_FIGURES:
            out.append((env, label, figure(envs_old[env], path), figure(envs_new[env], path), higher))
    return out


def render_terminal(diff: ReportDiff) -> str:
    """Plain text for a terminal."""
    lines = [f"{diff.old_target} → {diff.new_target}"]
    for title, items, mark in (("Regressed", diff.regressed, "✘"), ("Improved", diff.improved, "✔"),
                               ("Other changes", diff.notes, "·")):
        lines.append(f"\n{title} ({len(items)})")
        lines += [f"  {mark} {c.subject}: {c.before} → {c.after}" + (f"  ({c.note[:100]})" if c.note else "")
                  for c in items]
    return "\n".join(lines) + "\n"


def render_markdown(diff: ReportDiff) -> str:
    """Markdown for a pull-request comment."""
    from assess.reporters.markdown import escape

    lines = [f"## GitOps assessment: {plural(len(diff.regressed), 'regression')}, "
             f"{plural(len(diff.improved), 'improvement')}", ""]
    for title, items in (("Regressed", diff.regressed), ("Improved", diff.improved), ("Other changes", diff.notes)):
        if items:
            lines += [f"### {title}", "", "| | Before | After |", "|---|---|---|"]
            lines += [f"| {escape(c.subject)} | {escape(c.before)} | {escape(c.after)} |" for c in items]
            lines.append("")
    return "\n".join(lines) + "\n"


def render_json(diff: ReportDiff) -> str:
    """JSON for machines."""
    return json.dumps(diff.to_json(), indent=2, default=str) + "\n"
