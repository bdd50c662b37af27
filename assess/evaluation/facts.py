"""What history contributes to a judgement (pure): the periods, the audit trail, the facts of the period the
practice gates are judged on, delivery metrics and the window the report states."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime

from assess.derive.activity import activity, bootstrap, historical_direct_pushes
from assess.derive.audit_trail import build_audit_trail, change_path
from assess.derive.forge_confirmation import confirm_with_forge
from assess.derive.periods import resolve_periods
from assess.derive.view import TreeView
from assess.evaluation.scope import Scope
from assess.metrics.dora import delivery_metrics
from assess.model.activity import Activity, Bootstrap, Historical
from assess.model.forge import ForgeEvidence
from assess.model.history import AuditRecord, ChangePath, CommitRecord, HistoryEvidence
from assess.model.period import Period, Periods, as_utc, utc_iso
from assess.model.sections import (
    ActivitySummary,
    HistoricalSummary,
    Metrics,
    PeriodSummary,
    Window,
)
from assess.policy.config import Config

PR_MARKED = frozenset({ChangePath.PR_MERGE, ChangePath.PR_SQUASH, ChangePath.PR_REBASE})


@dataclass(frozen=True)
class HistoryFacts:
    """What history contributes to one judgement: the period and what happened in it."""

    period: Period
    commits: tuple[CommitRecord, ...] = ()
    trail: tuple[AuditRecord, ...] = ()
    bootstrap: Bootstrap = field(default_factory=Bootstrap)
    historical: Historical | None = None
    activity: Activity = field(default_factory=Activity)


@dataclass(frozen=True)
class Derived:
    """What the evaluation derives from history before the checks run."""

    facts: HistoryFacts | None = None
    audit_trail: tuple[AuditRecord, ...] = ()
    production_envs: tuple[str, ...] = ()
    metrics: Metrics | None = None
    window: Window | None = None


def periods_for(config: Config, scope: Scope, history: HistoryEvidence | None, now: datetime) -> Periods:
    """The practice and audit periods, both ending at the history's end (the `--until` instant, else now)."""
    end = as_utc(history.as_of) if history and history.as_of else (scope.until or now)
    return resolve_periods(end, scope.since, scope.since_all, scope.audit_since, config.periods)


def derive(history: HistoryEvidence | None, config: Config, forge: ForgeEvidence | None, view: TreeView,
           periods: Periods) -> Derived:
    """Audit trail, the period's facts, delivery metrics and the window, from history (pure).

    With forge evidence, how each change landed is confirmed (or corrected: rebase merges) and approvers added."""
    if history is None:
        return Derived()
    production = view.deployment.production
    records = build_audit_trail(history, config.bots, view.deployment.environments)
    if forge is not None:
        records = confirm_with_forge(records, forge)
    facts = _facts(history, records, periods.practice, production)
    gates = _gate_facts(history, records, facts, production)
    audit = tuple(r for r in records if periods.audit.contains(r.deployed_at))
    first = as_utc(history.commits[-1].committed_at) if history.commits else None
    start = periods.practice.start_at or first or periods.practice.end_at
    confirmed_pr = frozenset(sha for sha, prs in forge.commit_pulls.items() if prs) if forge else frozenset()
    metrics = delivery_metrics(facts.trail, facts.commits, history, start, periods.practice.end_at, production,
                               view.deployment.environments, facts.activity, confirmed_pr)
    historical = facts.historical
    window = Window(
        branch=history.branch, tip=history.tip,
        start=utc_iso(start), end=periods.practice.end,
        period=period_summary(periods.practice, first), audit_period=period_summary(periods.audit, first),
        environments=dict(view.deployment.environments),
        activity=ActivitySummary(**vars(facts.activity), summary=facts.activity.describe()),
        bootstrap=facts.bootstrap,
        historical=HistoricalSummary(**vars(historical), summary=historical.describe()) if historical else None,
        audit_records=len(audit),
        gate_period=period_summary(gates.period, first) if gates is not facts else None,
    )
    return Derived(gates, audit, production, metrics, window)


def _gate_facts(history: HistoryEvidence, records: Sequence[AuditRecord], facts: HistoryFacts,
                production: Sequence[str]) -> HistoryFacts:
    """The facts practice gates are judged on: the period's own, or, when nothing happened in it, the last period
    of the same length that saw activity. Waiting out 90 days must not turn direct pushes into a passed gate;
    delivery figures still say "no activity"."""
    period, last = facts.period, facts.activity.last_commit_at
    if not facts.activity.dormant or last is None or period.start_at is None:
        return facts
    end = as_utc(last)
    length = period.end_at - period.start_at
    active = Period(utc_iso(end), utc_iso(end - length),
                    f"last active {round(length.days)} days ({utc_iso(end - length)[:10]} → {utc_iso(end)[:10]})")
    return replace(_facts(history, records, active, production), activity=facts.activity)


def _facts(history: HistoryEvidence, records: Sequence[AuditRecord], period: Period,
           production: Sequence[str]) -> HistoryFacts:
    pr_marked = frozenset(c.sha for c in history.commits if change_path(c)[0] in PR_MARKED)
    boot = bootstrap(history.commits, pr_marked | frozenset(r.sha for r in records if r.change_path in PR_MARKED))
    # The bootstrap is reported once (window.bootstrap) and left out of every count of the period, so gates,
    # signatures, DORA and people figures all speak of the same changes.
    skip = frozenset(boot.shas)
    commits = tuple(c for c in history.commits if period.contains(c.committed_at) and c.sha not in skip)
    trail = tuple(r for r in records if period.contains(r.deployed_at) and r.sha not in skip)
    hist = historical_direct_pushes(records, period, skip, production)
    return HistoryFacts(period, commits, trail, boot, hist, activity(history.commits, period))


def period_summary(period: Period, first: datetime | None) -> PeriodSummary:
    """A period as the report states it, with its length in days (from the first commit when it starts earlier)."""
    return PeriodSummary(period.start, period.end, period.label, period.days(first))
