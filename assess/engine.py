"""Run one assessment: collect evidence, run checks, score, and build the report."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assess import __version__
from assess.audit_trail import build_audit_trail, change_path
from assess.checks.catalog import Check, load_catalog
from assess.checks.runner import run_checks
from assess.collectors.cluster.live import IN_CLUSTER, ClusterUnreachableError, collect_cluster, in_cluster
from assess.collectors.cluster.live import contexts as cluster_contexts
from assess.collectors.cluster.snapshot import load_snapshot
from assess.collectors.git_repo import RepositoryError, open_repository
from assess.collectors.github.api import EtagCache, GitHubApi, WaitBudget
from assess.collectors.github.remote import api_host, origin_repository
from assess.collectors.github.repo import RepositoryUnavailableError, collect_github
from assess.collectors.history import read_history, verify_signatures
from assess.collectors.repo_tree import collect_repo
from assess.collectors.snapshots import collect_snapshots
from assess.config import Config
from assess.environments import detect_environments, env_roots, production_envs
from assess.github_confirmation import confirm_with_github, github_summary
from assess.metrics.dora import delivery_metrics
from assess.model.cluster import AccessStatus, ClusterEvidence
from assess.model.codec import from_plain, to_plain
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle, RepoEvidence, Snapshot, Source, Unavailable
from assess.model.finding import Outcome
from assess.model.github import GitHubEvidence
from assess.model.history import AuditRecord, ChangePath, HistoryEvidence
from assess.model.report import Report, SourceStatus
from assess.scoring import score, stage_result
from assess.waivers import apply_waivers

Progress = Callable[[str], None]
DEFAULT_API_URL = "https://api.github.com"


@dataclass(frozen=True)
class Settings:
    """What to assess and how."""

    path: str
    revision: str = "HEAD"
    worktree: bool = False
    config: Config = field(default_factory=Config)
    target_name: str | None = None
    history: bool = True
    branch: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    timeline_months: int = 12
    verify_signatures: bool = False
    allowed_signers: Path | None = None
    now: datetime | None = None
    github: bool = True
    github_repo: str | None = None
    github_url: str = DEFAULT_API_URL
    github_token: str | None = field(default=None, repr=False)
    github_recorded: Path | None = None
    cache_dir: Path | None = None
    max_wait: float = 60.0
    github_timeout: int = 15
    cluster_snapshots: tuple[Path, ...] = ()
    kube_contexts: tuple[str, ...] = ()
    all_contexts: bool = False
    live_cluster: bool = False
    kubeconfig: str | None = None


def collect(settings: Settings, progress: Progress = lambda _: None) -> EvidenceBundle:
    """Gather every source's evidence; a source that cannot be read becomes Unavailable.

    Raises RepositoryError only when the repository itself cannot be read (the one required source)."""
    now = settings.now or datetime.now(UTC)
    progress(f"reading repository tree at {settings.revision}")
    git_ev = collect_repo(settings.path, settings.revision, settings.worktree, now)
    unavailable: list[Unavailable] = []
    clusters, cluster_gap = _collect_clusters(settings, now, progress)
    if cluster_gap is not None:
        unavailable.append(cluster_gap)
    history: HistoryEvidence | None = None
    snapshots: tuple[Snapshot, ...] = ()
    if not settings.history:
        unavailable.append(Unavailable(Source.HISTORY, "history not read (--no-history)",
                                       "run without --no-history"))
    elif git_ev.empty:
        unavailable.append(Unavailable(Source.HISTORY, "the repository has no commits",
                                       "commit the declarations, then scan again"))
    else:
        try:
            history, snapshots = _collect_history(settings, git_ev, now, progress)
        except RepositoryError as exc:
            unavailable.append(Unavailable(Source.HISTORY, f"history could not be read: {exc}",
                                           "check the branch name (--branch) and that the clone is complete"))
    github, missing = _collect_github(settings, history, now, progress)
    if missing is not None:
        unavailable.append(missing)
    return EvidenceBundle(git=git_ev, history=history, github=github, clusters=clusters, snapshots=snapshots,
                          unavailable=tuple(unavailable))


def _collect_clusters(settings: Settings, now: datetime, progress: Progress
                      ) -> tuple[tuple[ClusterEvidence, ...], Unavailable | None]:
    """Snapshots and live contexts; SnapshotError propagates (a bad file the user named is a usage error)."""
    found: list[ClusterEvidence] = []
    for path in settings.cluster_snapshots:
        progress(f"reading cluster snapshot {path}")
        found += load_snapshot(path, now)
    names = list(settings.kube_contexts)
    failures: list[str] = []
    if settings.live_cluster and not names and not settings.kubeconfig and in_cluster() and not os.environ.get(
            "KUBECONFIG"):
        names = [IN_CLUSTER]  # running as a CronJob: the pod's service account
    if names == [IN_CLUSTER]:
        try:
            return (*found, collect_cluster(None, IN_CLUSTER, now)), None
        except ClusterUnreachableError as exc:
            return tuple(found), None if found else Unavailable(Source.CLUSTER, str(exc), "check the ServiceAccount")
    if settings.all_contexts or settings.live_cluster or names:
        try:
            all_names, current = cluster_contexts(settings.kubeconfig)
        except ClusterUnreachableError as exc:
            return tuple(found), None if found else Unavailable(Source.CLUSTER, str(exc),
                                                                "check --kubeconfig and the KUBECONFIG variable")
        if settings.all_contexts:
            names = all_names
        elif not names:
            names = [current] if current else []
        for name in names:
            progress(f"reading cluster {name}")
            try:
                found.append(collect_cluster(settings.kubeconfig, name, now))
            except ClusterUnreachableError as exc:
                failures.append(f"{name}: {exc}")
    if found:
        return tuple(found), None
    if failures:
        return (), Unavailable(Source.CLUSTER, "; ".join(failures),
                               "check that the API server is reachable and the kubeconfig credentials are valid")
    return (), Unavailable(Source.CLUSTER, "no cluster was requested",
                           "run with --cluster (current context), --kube-context NAME or --cluster-snapshot FILE")


def _collect_github(settings: Settings, history: HistoryEvidence | None, now: datetime,
                    progress: Progress) -> tuple[GitHubEvidence | None, Unavailable | None]:
    """GitHub evidence for the repository: recorded (samples), live through the API, or a stated reason why not."""
    if not settings.github:
        return None, Unavailable(Source.GITHUB, "GitHub evidence not requested (--no-github)",
                                 "run without --no-github")
    if settings.github_recorded is not None:
        return from_plain(GitHubEvidence, json.loads(settings.github_recorded.read_text(encoding="utf-8"))), None
    target = settings.github_repo or origin_repository(settings.path, api_host(settings.github_url))
    if target is None:
        return None, Unavailable(Source.GITHUB, "no GitHub repository to read (no --github and no GitHub origin "
                                 "remote)", "run with --github owner/repo")
    if settings.github_repo is None and not settings.github_token:
        return None, Unavailable(Source.GITHUB, f"origin is {target} on GitHub, but no token is set",
                                 f"set GITHUB_TOKEN (or GH_TOKEN), or pass --github {target} to read public data")
    progress(f"reading GitHub evidence for {target}")
    cache = EtagCache(settings.cache_dir, settings.github_token) if settings.cache_dir else None
    api = GitHubApi(settings.github_url, settings.github_token, cache, WaitBudget(settings.max_wait),
                    timeout=settings.github_timeout)
    suspects = [c.sha for c in history.commits if c.parents and change_path(c)[0] in
                (ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT)] if history else []
    since = datetime.fromisoformat(history.since) if history and history.since else None
    if since is None and history and history.commits:
        since = datetime.fromisoformat(history.commits[-1].committed_at)
    try:
        return collect_github(api, target, None, since, suspects, now), None
    except RepositoryUnavailableError as exc:
        return None, Unavailable(Source.GITHUB, f"{target}: {exc.error.kind.value} ({exc.error.message})", exc.fix)
    finally:
        api.close()


def _collect_history(settings: Settings, git_ev: RepoEvidence, now: datetime,
                     progress: Progress) -> tuple[HistoryEvidence, tuple[Snapshot, ...]]:
    handle = open_repository(settings.path)
    envs = detect_environments(git_ev, settings.config.environments)
    progress("reading history")
    history = read_history(handle, settings.branch, settings.since, settings.until, env_roots(envs), envs, now)
    if settings.verify_signatures:
        progress("verifying signatures")
        signed = [c.sha for c in history.commits if c.signature.value != "none"]
        history = replace(history, verification=verify_signatures(handle, signed, settings.allowed_signers))
    snapshots: tuple[Snapshot, ...] = ()
    if settings.timeline_months > 0:
        progress("reading month-end snapshots for the timeline")
        end = settings.until or now
        snapshots = collect_snapshots(handle, history.tip, end, settings.timeline_months, now)
    return history, snapshots


@dataclass(frozen=True)
class Derived:
    """What the engine derives from history before the checks run."""

    audit_trail: tuple[AuditRecord, ...] = ()
    production_envs: tuple[str, ...] = ()
    metrics: dict[str, Any] = field(default_factory=dict)
    window: dict[str, Any] = field(default_factory=dict)


def derive(history: HistoryEvidence | None, config: Config, github: GitHubEvidence | None = None) -> Derived:
    """Audit trail, production environments, delivery metrics and the window, from history evidence (pure).

    With GitHub evidence, how each change landed is confirmed (or corrected: rebase merges) and approvers added."""
    if history is None:
        return Derived()
    audit = build_audit_trail(history, config.bots)
    if github is not None:
        audit = confirm_with_github(audit, github)
    prod = production_envs(history.environments)
    end = datetime.fromisoformat(history.as_of) if history.as_of else datetime.now(UTC)
    if history.since:
        start = datetime.fromisoformat(history.since)
    elif history.commits:
        start = datetime.fromisoformat(history.commits[-1].committed_at)
    else:
        start = end
    metrics = delivery_metrics(audit, history, start, end, prod)
    window = {"branch": history.branch, "tip": history.tip, "since": history.since, "until": history.until,
              "start": start.isoformat(), "end": end.isoformat(), "environments": history.environments}
    return Derived(audit, prod, metrics, window)


def evaluate(bundle: EvidenceBundle, settings: Settings, catalog: tuple[Check, ...] | None = None) -> Report:
    """Pure evaluation of an evidence bundle into a report (apart from the timestamp)."""
    now = settings.now or datetime.now(UTC)
    checks = tuple(c for c in (catalog or load_catalog()) if settings.config.runs(c.spec.id))
    derived = derive(bundle.history, settings.config, bundle.github)
    ctx = CheckContext(bundle, settings.config.thresholds, derived.audit_trail, derived.production_envs)
    findings = apply_waivers(run_checks(checks, ctx), settings.config.waivers)
    specs = [c.spec for c in checks]
    scores = score(findings, specs, settings.config.thresholds, derived.metrics)
    git = bundle.git
    target = {
        "name": settings.target_name or (git.root if git else settings.path),
        "path": git.root if git else settings.path,
        "revision": git.revision if git else None,
        "ref": git.ref if git else None,
        "worktree": git.worktree if git else False,
    }
    return Report(
        tool_version=__version__,
        target=target,
        generated_at=now.isoformat(timespec="seconds"),
        window=derived.window,
        stage=scores.stage,
        findings=findings,
        sources=_sources(bundle),
        signals=scores.signals,
        premature=scores.premature,
        failure_modes=scores.failure_modes,
        dimensions=scores.dimensions,
        next_steps=scores.next_steps,
        checks=tuple(c.spec.to_json() for c in checks),
        metrics=derived.metrics,
        audit_trail=tuple(to_plain(r) for r in derived.audit_trail),
        timeline=timeline(bundle.snapshots, checks, settings),
        evidence_sha256=evidence_digest(bundle),
        github=github_summary(bundle.github) if bundle.github else {},
    )


def timeline(snapshots: tuple[Snapshot, ...], checks: tuple[Check, ...],
             settings: Settings) -> tuple[dict[str, Any], ...]:
    """The stage reached at each month end, from the declared state alone (tree checks only)."""
    tree_checks = tuple(c for c in checks if c.spec.sources == ("git",))
    specs = [c.spec for c in tree_checks]
    out: list[dict[str, Any]] = []
    memo: dict[str, dict[str, Any]] = {}
    for snap in snapshots:
        entry: dict[str, Any] = {"at": snap.at, "month": snap.at[:7], "commit": snap.commit}
        if snap.tree is None or snap.commit is None:
            entry.update({"stage": 0, "basis": "declared", "progress": {}, "note": "no commits yet"})
        else:
            if snap.commit not in memo:
                findings = run_checks(tree_checks, CheckContext(EvidenceBundle(git=snap.tree),
                                                                settings.config.thresholds))
                result = stage_result({f.check_id: f for f in findings}, specs)
                memo[snap.commit] = {"stage": result.reached, "basis": result.basis.value,
                                     "progress": result.progress, "blockers": list(result.blockers)}
            entry.update(memo[snap.commit])
        out.append(entry)
    return tuple(out)


def run_assessment(settings: Settings, progress: Progress = lambda _: None) -> tuple[Report, EvidenceBundle]:
    """Collect then evaluate; raises RepositoryError when the repository itself cannot be read."""
    bundle = collect(settings, progress)
    progress("running checks")
    return evaluate(bundle, settings), bundle


def evidence_json(bundle: EvidenceBundle) -> str:
    """The evidence bundle as canonical JSON (sorted keys), as saved with --save-evidence."""
    return json.dumps(to_plain(bundle), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def evidence_digest(bundle: EvidenceBundle) -> str:
    """SHA-256 of the canonical evidence JSON, so an audit can prove which evidence a report rests on."""
    return hashlib.sha256(evidence_json(bundle).encode("utf-8")).hexdigest()


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
        out["git"] = SourceStatus(True, detail="; ".join(notes) or None)
    if bundle.github is not None:
        gh = bundle.github
        hidden = [name for name, s in gh.sections.items() if not s.available]
        detail = f"{gh.repo} via {gh.provenance.method}; {gh.requests} requests ({gh.conditional_hits} cached)"
        if not gh.authenticated:
            detail += "; no token: public data only"
        if hidden:
            detail += f"; not visible: {', '.join(hidden)}"
        out["github"] = SourceStatus(True, detail=detail)
    if bundle.clusters:
        parts = []
        for c in bundle.clusters:
            refused = [a.resource for a in c.access if a.status in (AccessStatus.FORBIDDEN, AccessStatus.ERROR)]
            absent = [a.resource for a in c.access if a.status is AccessStatus.NOT_IN_SNAPSHOT]
            text = f"{c.name} ({'snapshot' if c.from_snapshot else 'live'}, {len(c.objects)} objects"
            text += "" if c.managed_fields_present else ", no managedFields"
            text += f"; forbidden: {', '.join(refused)}" if refused else ""
            text += f"; not in snapshot: {len(absent)} types" if absent else ""
            parts.append(text + ")")
        out["cluster"] = SourceStatus(True, detail="; ".join(parts))
    if bundle.history is not None:
        h = bundle.history
        detail = f"{h.total_commits} first-parent commits on {h.branch}"
        out["history"] = SourceStatus(True, detail="; ".join([detail, *h.notes]))
    for item in bundle.unavailable:
        out[item.source.value] = SourceStatus(False, item.reason, item.fix)
    return out


def has_errors(report: Report) -> bool:
    """Whether any check raised."""
    return any(f.outcome is Outcome.ERROR for f in report.findings)


__all__ = ["RepositoryError", "Settings", "collect", "evaluate", "has_errors", "run_assessment"]
