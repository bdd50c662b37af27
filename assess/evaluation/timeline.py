"""The maturity timeline (pure): the stage at each month end, judged like the headline over the tree then and the
history of the period ending then."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assess.checks.catalog import Check
from assess.derive.activity import activity, bootstrap
from assess.derive.audit_trail import build_audit_trail, change_path
from assess.derive.view import TreeView, ViewOptions, tree_view
from assess.evaluation.facts import PR_MARKED, HistoryFacts
from assess.evaluation.judge import judge
from assess.model.evidence import (
    Cause,
    EvidenceBundle,
    Snapshot,
    Source,
    Unavailable,
)
from assess.model.forge import TERMS
from assess.model.history import AuditRecord, HistoryEvidence
from assess.model.period import Period, Periods, as_utc, utc_iso
from assess.model.report import StageResult
from assess.model.sections import (
    TimelinePoint,
)
from assess.policy.config import Config
from assess.policy.maturity import MaturityModel


def timeline(bundle: EvidenceBundle, config: Config, model: MaturityModel, checks: Sequence[Check],
             options: ViewOptions,
             periods: Periods, headline: TimelinePoint, known: dict[str, TreeView] | None = None
             ) -> tuple[TimelinePoint, ...]:
    """The stage at each month end, judged like the headline: the tree then, history over the period ending then.

    Forge settings and clusters describe today only, so earlier points judge their gates as unknown (provisional).
    The last point is the headline itself."""
    history = bundle.history
    if not bundle.snapshots:
        return ()
    length = (periods.practice.end_at - periods.practice.start_at) if periods.practice.start_at else None
    forge = bundle.forge_tried()
    today_only = (Unavailable(forge.source, f"{TERMS[forge].name} settings describe today, not this month", "—",
                              Cause.TODAY_ONLY),
                  Unavailable(Source.CLUSTER, "cluster state describes today, not this month", "—", Cause.TODAY_ONLY))
    views: dict[str, TreeView] = dict(known or {})
    records_cache: dict[str, tuple[AuditRecord, ...]] = {}
    # How each commit landed is a property of the commit: worked out once, not once per point.
    pr_marked = frozenset(c.sha for c in history.commits if change_path(c)[0] in PR_MARKED) if history else frozenset()
    out: list[TimelinePoint] = []
    last = len(bundle.snapshots) - 1
    for i, snap in enumerate(bundle.snapshots):
        if snap.tree is None or snap.commit is None:
            out.append(TimelinePoint(snap.at, snap.at[:7], snap.commit, dormant=True, note="no commits yet"))
            continue
        at = as_utc(snap.at)
        period = Period(utc_iso(at), utc_iso(at - length) if length is not None else None, periods.practice.label)
        facts = (_point_facts(history, config, snap, period, options, views, records_cache, pr_marked) if history
                 else None)
        if i == last:
            point = headline
        else:
            view = _view(views, snap, options)
            point_bundle = EvidenceBundle(git=snap.tree, history=history, unavailable=today_only)
            point = timeline_point(judge(point_bundle, view, facts, checks, config, model,
                                 view.deployment.production)[1])
        dormant = bool(facts and facts.activity.dormant)
        out.append(replace(point, at=snap.at, month=snap.at[:7], commit=snap.commit, dormant=dormant,
                           note=facts.activity.describe() if facts and dormant else None))
    return tuple(out)


def timeline_point(stage: StageResult) -> TimelinePoint:
    """A timeline point's judgement (where and when are filled in by the timeline)."""
    return TimelinePoint(stage=stage.reached, basis=stage.basis.value, provisional=stage.provisional,
                         progress=stage.progress, blockers=stage.blockers)


def _view(views: dict[str, TreeView], snap: Snapshot, options: ViewOptions) -> TreeView:
    """The view of a snapshot's tree, computed once per commit."""
    assert snap.tree is not None and snap.commit is not None
    if snap.commit not in views:
        views[snap.commit] = tree_view(snap.tree, options)
    return views[snap.commit]


def _point_facts(history: HistoryEvidence, config: Config, snap: Snapshot, period: Period, options: ViewOptions,
                 views: dict[str, TreeView], cache: dict[str, tuple[AuditRecord, ...]],
                 pr_shas: frozenset[str]) -> HistoryFacts:
    """History facts for one timeline point: commits and deployments of the period ending there, matched against
    the environments of the tree at that point."""
    assert snap.tree is not None and snap.commit is not None
    view = _view(views, snap, options)
    commits = tuple(c for c in history.commits if period.contains(c.committed_at))
    key = f"{snap.commit}:{period.start}"
    if key not in cache:
        cache[key] = build_audit_trail(history, config.bots, view.deployment.environments, commits)
    older = tuple(c for c in history.commits if not as_utc(c.committed_at) > period.end_at)
    boot = bootstrap(older, pr_shas)  # it asks only about the commits it is given
    skip = frozenset(boot.shas)
    facts = HistoryFacts(period, tuple(c for c in commits if c.sha not in skip),
                         tuple(r for r in cache[key] if r.sha not in skip), boot, None, activity(older, period))
    if not facts.activity.dormant or not facts.activity.last_commit_at or period.start_at is None:
        return facts
    end = as_utc(facts.activity.last_commit_at)
    active = Period(utc_iso(end), utc_iso(end - (period.end_at - period.start_at)), f"last active {period.label}")
    active_commits = tuple(c for c in older if active.contains(c.committed_at) and c.sha not in skip)
    # Every dormant month after the last commit looks back at the same active period from the same tree.
    active_key = f"{snap.commit}:active:{active.start}"
    if active_key not in cache:
        cache[active_key] = build_audit_trail(history, config.bots, view.deployment.environments, active_commits)
    return replace(facts, period=active, commits=active_commits, trail=cache[active_key])
