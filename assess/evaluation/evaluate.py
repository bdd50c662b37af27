"""Pure evaluation: an evidence bundle, the policy and the maturity model become a report.

The headline and every point of the maturity timeline are judged by one function (`judge`) over the same gates,
history gates over the period that ends at that point, so the timeline's last point is the headline."""

from __future__ import annotations

import hashlib
import json
import posixpath
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from assess import __version__
from assess.checks.catalog import Check, load_catalog
from assess.checks.runner import run_checks
from assess.derive.activity import activity, bootstrap, historical_direct_pushes
from assess.derive.audit_trail import build_audit_trail, change_path
from assess.derive.change_controls import change_management
from assess.derive.forge_confirmation import confirm_with_forge, forge_summary
from assess.derive.periods import resolve_periods
from assess.derive.view import TreeView, ViewOptions, tree_view
from assess.evaluation.scope import Scope
from assess.evaluation.scoring import Scores, not_an_estate, score, stage_result
from assess.metrics.dora import delivery_metrics
from assess.model.activity import Activity, Bootstrap, Historical
from assess.model.check import CheckSpec
from assess.model.cluster import AccessStatus
from assess.model.codec import from_plain, to_plain
from assess.model.context import CheckContext
from assess.model.evidence import (
    Cause,
    EvidenceBundle,
    FileProblem,
    Provenance,
    RepoEvidence,
    Snapshot,
    Source,
    Unavailable,
)
from assess.model.finding import Confidence, Finding, Outcome
from assess.model.forge import TERMS, ForgeEvidence, ForgeTerms, forge_wording
from assess.model.history import AuditRecord, ChangePath, CommitRecord, HistoryEvidence
from assess.model.period import Period, Periods, as_utc, utc_iso
from assess.model.report import CheckSummary, MaturitySummary, Report, SourceStatus, StageResult
from assess.model.sections import (
    ActivitySummary,
    DeploymentSummary,
    EnvironmentPaths,
    HistoricalSummary,
    Metrics,
    NotDeployed,
    PeriodSummary,
    Target,
    TimelinePoint,
    Window,
)
from assess.model.wording import plural
from assess.policy.config import Config
from assess.policy.maturity import MaturityModel, adapted, gated, seed_model
from assess.policy.source import policy_summary
from assess.policy.waivers import apply_waivers

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


def view_options(config: Config, scope: Scope, bundle: EvidenceBundle) -> ViewOptions:
    """What the user and the evidence say about the repository's identity, paths and kind."""
    names: list[str] = []
    if scope.forge_repo:
        names.append(scope.forge_repo.rsplit("/", 1)[-1])
    if bundle.git is not None:
        base = posixpath.basename(bundle.git.root.rstrip("/")).removesuffix(".git")
        names.append(base)
    return ViewOptions(config.exclude_paths, config.include_paths, config.environments or None,
                       config.repository_urls, tuple(dict.fromkeys(names)), scope.kind or config.kind)


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
        period=_period_summary(periods.practice, first), audit_period=_period_summary(periods.audit, first),
        environments=dict(view.deployment.environments),
        activity=ActivitySummary(**vars(facts.activity), summary=facts.activity.describe()),
        bootstrap=facts.bootstrap,
        historical=HistoricalSummary(**vars(historical), summary=historical.describe()) if historical else None,
        audit_records=len(audit),
        gate_period=_period_summary(gates.period, first) if gates is not facts else None,
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


def _period_summary(period: Period, first: datetime | None) -> PeriodSummary:
    return PeriodSummary(period.start, period.end, period.label, period.days(first))


def judge(bundle: EvidenceBundle, view: TreeView, facts: HistoryFacts | None, checks: Sequence[Check],
          config: Config, model: MaturityModel, production: Sequence[str]) -> tuple[tuple[Finding, ...], StageResult]:
    """The findings and the stage of one tree, with history judged over one period."""
    ctx = CheckContext(
        replace(bundle, git=view.estate), config.thresholds,
        facts.trail if facts else (), tuple(production), view.deployment,
        facts.period if facts else None, facts.commits if facts else None,
        frozenset(facts.bootstrap.shas) if facts else frozenset(), facts.historical if facts else None,
        view.deployed)
    runnable = [c for c in checks if view.is_estate or c.spec.any_repository]
    ran = {f.check_id: f for f in run_checks(runnable, ctx)}
    skipped = f"Not judged: not a GitOps estate ({view.kind.kind.value}: {view.kind.reason})."
    findings = tuple(ran.get(c.spec.id) or Finding(c.spec.id, Outcome.NOT_APPLICABLE, c.spec.severity, skipped,
                                                   Confidence.DECLARED) for c in checks)
    findings = apply_waivers(findings, config.waivers)
    stage = stage_result({f.check_id: f for f in findings}, [c.spec for c in checks], model)
    return findings, stage if view.is_estate else not_an_estate(stage, view.kind.kind.value, view.kind.reason)


def evaluate(bundle: EvidenceBundle, config: Config, model: MaturityModel, scope: Scope | None = None,
             catalog: tuple[Check, ...] | None = None) -> Report:
    """Pure evaluation of an evidence bundle into a report (apart from the timestamp), judged by the policy and the
    maturity model; `scope` names the target and the periods."""
    scope = scope or Scope()
    now = scope.now or datetime.now(UTC)
    runnable = [c for c in (catalog or load_catalog()) if config.runs(c.spec.id)]
    checks = tuple(replace(c, spec=spec) for c, spec in zip(runnable, gated([c.spec for c in runnable], model),
                                                            strict=True))
    git = bundle.git or _empty_tree(now)
    options = view_options(config, scope, bundle)
    view = tree_view(git, options)
    periods = periods_for(config, scope, bundle.history, now)
    derived = derive(bundle.history, config, bundle.forge, view, periods)
    findings, stage = judge(bundle, view, derived.facts, checks, config, model, derived.production_envs)
    specs = [c.spec for c in checks]
    scores = _in_forge_words(score(findings, specs, config.thresholds, derived.metrics, stage, model),
                             TERMS[bundle.forge_tried()])
    metrics = derived.metrics
    premature = scores.premature
    if not view.is_estate:
        premature = replace(premature, verdict=None, reasons=(),
                            unknowns=(f"not judged: the repository is not a GitOps estate ({view.kind.kind.value})",))
        metrics = _without_tiers(metrics)
    target = Target(
        name=scope.target_name or git.root,
        path=git.root,
        revision=git.revision or None,
        ref=git.ref,
        worktree=git.worktree,
        kind=view.kind.kind.value,
        kind_reason=view.kind.reason,
        kind_overridden=view.kind.overridden,
    )
    trail = derived.audit_trail
    if bundle.history is not None and metrics is not None:
        metrics = replace(metrics, change_management=change_management(trail, TERMS[bundle.forge_tried()]))
    headline = _point(stage)
    return Report(
        tool_version=__version__,
        target=target,
        generated_at=now.isoformat(timespec="seconds"),
        window=derived.window or Window(period=_period_summary(periods.practice, None),
                                        audit_period=_period_summary(periods.audit, None),
                                        environments=dict(view.deployment.environments)),
        stage=stage,
        findings=findings,
        sources=_sources(bundle),
        signals=scores.signals,
        premature=premature,
        failure_modes=scores.failure_modes,
        dimensions=scores.dimensions,
        next_steps=scores.next_steps,
        checks=tuple(from_plain(CheckSummary, c.spec.to_json(forge=bundle.forge_tried().value)) for c in checks),
        metrics=metrics,
        audit_trail=trail,
        timeline=timeline(bundle, config, model, checks, options, periods, headline,
                          {git.revision: view} if git.revision and not git.worktree else None),
        evidence_sha256=evidence_digest(bundle),
        github=forge_summary(bundle.forge) if bundle.forge else None,
        deployment=_deployment_summary(view),
        policy=policy_summary(config, _policy_source(config, scope), scope.policy_not_applied),
        maturity=from_plain(MaturitySummary, model.to_json()),
    )


def _in_forge_words(scores: Scores, terms: ForgeTerms) -> Scores:
    """The model's names (signals, failure modes, dimensions) and the checks' titles in the scores, in the words of the
    forge the scan read or tried (the model is written in GitHub's)."""
    def w(text: str) -> str:
        return forge_wording(text, terms)
    return replace(
        scores,
        signals=tuple(replace(s, name=w(s.name)) for s in scores.signals),
        failure_modes=tuple(replace(f, name=w(f.name), mitigations=tuple(replace(m, title=w(m.title))
                                                                        for m in f.mitigations))
                            for f in scores.failure_modes),
        dimensions=tuple(replace(d, name=w(d.name)) for d in scores.dimensions),
        next_steps=tuple(replace(n, title=w(n.title), remediation=w(n.remediation), gain=w(n.gain))
                         for n in scores.next_steps))


def maturity_model(config: Config, specs: Sequence[CheckSpec] | None = None) -> MaturityModel:
    """The packaged maturity model, with the defaults of the catalog's checks it does not name and the policy file's
    changes."""
    specs = specs if specs is not None else [c.spec for c in load_catalog()]
    return adapted(seed_model(tuple(specs)), config.maturity)


def _policy_source(config: Config, scope: Scope) -> str:
    """Where the policy came from: a Git revision (trusted base), a file, or the defaults."""
    if scope.policy_ref:
        return f"committed at {scope.policy_ref} (--config-ref)"
    return "file" if config.path else "defaults"


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
    out: list[TimelinePoint] = []
    last = len(bundle.snapshots) - 1
    for i, snap in enumerate(bundle.snapshots):
        if snap.tree is None or snap.commit is None:
            out.append(TimelinePoint(snap.at, snap.at[:7], snap.commit, dormant=True, note="no commits yet"))
            continue
        at = as_utc(snap.at)
        period = Period(utc_iso(at), utc_iso(at - length) if length is not None else None, periods.practice.label)
        facts = _point_facts(history, config, snap, period, options, views, records_cache) if history else None
        if i == last:
            point = headline
        else:
            view = _view(views, snap, options)
            point_bundle = EvidenceBundle(git=snap.tree, history=history, unavailable=today_only)
            point = _point(judge(point_bundle, view, facts, checks, config, model,
                                 view.deployment.production)[1])
        dormant = bool(facts and facts.activity.dormant)
        out.append(replace(point, at=snap.at, month=snap.at[:7], commit=snap.commit, dormant=dormant,
                           note=facts.activity.describe() if facts and dormant else None))
    return tuple(out)


def _point(stage: StageResult) -> TimelinePoint:
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
                 views: dict[str, TreeView], cache: dict[str, tuple[AuditRecord, ...]]) -> HistoryFacts:
    """History facts for one timeline point: commits and deployments of the period ending there, matched against
    the environments of the tree at that point."""
    assert snap.tree is not None and snap.commit is not None
    view = _view(views, snap, options)
    commits = tuple(c for c in history.commits if period.contains(c.committed_at))
    key = f"{snap.commit}:{period.start}"
    if key not in cache:
        cache[key] = build_audit_trail(history, config.bots, view.deployment.environments, commits)
    older = tuple(c for c in history.commits if not as_utc(c.committed_at) > period.end_at)
    pr_marked = frozenset(c.sha for c in older if change_path(c)[0] in PR_MARKED)
    boot = bootstrap(older, pr_marked)
    skip = frozenset(boot.shas)
    facts = HistoryFacts(period, tuple(c for c in commits if c.sha not in skip),
                         tuple(r for r in cache[key] if r.sha not in skip), boot, None, activity(older, period))
    if not facts.activity.dormant or not facts.activity.last_commit_at or period.start_at is None:
        return facts
    end = as_utc(facts.activity.last_commit_at)
    active = Period(utc_iso(end), utc_iso(end - (period.end_at - period.start_at)), f"last active {period.label}")
    active_commits = tuple(c for c in older if active.contains(c.committed_at) and c.sha not in skip)
    trail = build_audit_trail(history, config.bots, view.deployment.environments, active_commits)
    return replace(facts, period=active, commits=active_commits, trail=trail)


def _deployment_summary(view: TreeView) -> DeploymentSummary:
    d = view.deployment
    return DeploymentSummary(
        basis=d.basis.value,
        environments={env: EnvironmentPaths(globs, d.how.get(env, "")) for env, globs in d.environments.items()},
        production=d.production,
        entry_points=d.entry_points,
        external=d.external,
        not_deployed=tuple(NotDeployed(p, n) for p, n in d.not_deployed),
        warnings=d.warnings,
    )


def _without_tiers(metrics: Metrics | None) -> Metrics | None:
    """Delivery figures stay; tiers are not given for a repository that is not a GitOps estate."""
    if metrics is None:
        return None
    envs = {name: replace(m, tiers=None) for name, m in metrics.environments.items()}
    return replace(metrics, environments=envs, tiers_withheld="not a GitOps estate")


def _empty_tree(now: datetime) -> RepoEvidence:
    return RepoEvidence(Provenance(Source.GIT, "none", now.isoformat()), "", "", None, (), (), empty=True)



def evidence_json(bundle: EvidenceBundle) -> str:
    """The evidence bundle as canonical JSON (sorted keys), as saved with --save-evidence."""
    return json.dumps(to_plain(bundle), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def evidence_digest(bundle: EvidenceBundle) -> str:
    """SHA-256 identifying the evidence a report rests on, in time linear in its identifiers: Git content by commit
    id (which fixes every tree and blob below it), history by its commit ids, and the API and cluster payloads by the
    digest of their canonical JSON. A work-tree scan has no commit to name its files, so its tree is hashed whole."""
    digest = hashlib.sha256()

    def add(label: str, value: object) -> None:
        digest.update(f"{label}\0".encode())
        digest.update(value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogateescape"))
        digest.update(b"\n")

    def payload(value: object) -> str:
        return hashlib.sha256(json.dumps(to_plain(value), sort_keys=True, separators=(",", ":"),
                                         ensure_ascii=False).encode("utf-8")).hexdigest()

    git = bundle.git
    if git is not None:
        add("git", payload(git) if git.worktree or not git.revision else git.revision)
    history = bundle.history
    if history is not None:
        add("history", f"{history.branch} {history.tip} {history.since} {history.until} {history.total_commits} "
                       f"{history.shallow}")
        add("commits", ",".join(c.sha for c in history.commits))
        add("history-derived", payload((history.environments, history.verification, history.notes,
                                        history.base_trees, history.env_roots)))
    for snap in bundle.snapshots:
        add("snapshot", f"{snap.at} {snap.commit}")
    for name, value in (("github", bundle.forge), ("workflow-audit", bundle.workflow_audit),
                        ("unavailable", bundle.unavailable)):
        if value:
            add(name, payload(value))
    for cluster in bundle.clusters:
        add("cluster", payload(cluster))
    return digest.hexdigest()


def _sources(bundle: EvidenceBundle) -> dict[str, SourceStatus]:
    out: dict[str, SourceStatus] = {}
    if bundle.git is not None:
        git = bundle.git
        notes = []
        if git.empty:
            notes.append("repository has no commits")
        if git.shallow:
            notes.append("shallow clone: history is limited")
        if git.bare:
            notes.append("bare repository")
        notes += [f"partially observed: {reason}" for reason in git.partial]
        over_budget = [f.path for f in git.files if f.problem and f.problem.kind in (FileProblem.ALIAS_BOMB,
                                                                                    FileProblem.NODE_BUDGET)]
        if over_budget:
            notes.append(f"partially observed: {plural(len(over_budget), 'file')} not fully read, over the YAML node "
                         f"budget ({', '.join(over_budget[:3])}{', …' if len(over_budget) > 3 else ''})")
        out["git"] = SourceStatus(True, detail="; ".join(notes) or None)
    if bundle.forge is not None:
        gh = bundle.forge
        hidden = [name for name, s in gh.sections.items() if not s.available]
        detail = f"{gh.repo} via {gh.provenance.method}; {gh.requests} requests ({gh.conditional_hits} cached)"
        if not gh.authenticated:
            detail += "; no token: public data only"
        if hidden:
            detail += f"; not visible: {', '.join(hidden)}"
        out[gh.forge.value] = SourceStatus(True, detail=detail)  # "github" or "gitlab"
    if bundle.clusters:
        parts = []
        for c in bundle.clusters:
            refused = [a.resource for a in c.access if a.status in (AccessStatus.FORBIDDEN, AccessStatus.ERROR)]
            absent = [a.resource for a in c.access if a.status is AccessStatus.NOT_IN_SNAPSHOT]
            text = f"{c.name} ({'snapshot' if c.from_snapshot else 'live'}, {len(c.objects)} objects"
            text += "" if c.managed_fields_present else ", no managedFields"
            text += f"; forbidden: {', '.join(refused)}" if refused else ""
            text += f"; not in snapshot: {len(absent)} types" if absent else ""
            partial = [f"{a.resource} ({a.message})" for a in c.access if a.status is AccessStatus.PARTIAL]
            text += f"; partially observed: {', '.join(partial)}" if partial else ""
            parts.append(text + ")")
        out["cluster"] = SourceStatus(True, detail="; ".join(parts))
    if bundle.workflow_audit is not None:
        audit = bundle.workflow_audit
        out["zizmor"] = SourceStatus(True, detail=f"{audit.tool} {audit.version} over "
                                     f"{plural(len(audit.files), 'workflow file')}, offline"
                                     + (f", with {audit.config}" if audit.config else ""))
    if bundle.history is not None:
        h = bundle.history
        detail = f"{h.total_commits} first-parent commits on {h.branch}"
        out["history"] = SourceStatus(True, detail="; ".join([detail, *h.notes]))
    for item in bundle.unavailable:
        out[item.source.value] = SourceStatus(False, item.reason, item.fix, item.cause, item.scope)
    return out



def has_errors(report: Report) -> bool:
    """Whether any check raised."""
    return any(f.outcome is Outcome.ERROR for f in report.findings)
