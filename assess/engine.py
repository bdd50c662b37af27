"""Run one assessment: collect evidence, run checks, score, and build the report."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime

from assess.checks.catalog import Check
from assess.collectors.cluster.snapshot import load_snapshot
from assess.collectors.forge_collector import ForgePeriod
from assess.collectors.forges import pick_collector
from assess.collectors.git_repo import RepositoryError, ensure_trusted, open_repository
from assess.collectors.history import commit_at, read_history, verify_signatures
from assess.collectors.repo_tree import collect_repo
from assess.collectors.snapshots import collect_snapshots
from assess.collectors.yaml_docs import NodeBudget
from assess.collectors.zizmor import audit_workflows
from assess.derive.audit_trail import change_path
from assess.derive.deployment import env_roots
from assess.derive.view import tree_view
from assess.evaluation.digest import evidence_digest, evidence_json
from assess.evaluation.evaluate import evaluate, has_errors, maturity_model, view_options
from assess.evaluation.facts import derive, periods_for
from assess.model.cluster import ClusterEvidence
from assess.model.evidence import Cause, EvidenceBundle, RepoEvidence, Snapshot, Source, Unavailable
from assess.model.forge import ForgeEvidence
from assess.model.history import ChangePath, HistoryEvidence
from assess.model.period import as_utc
from assess.model.report import Report
from assess.settings import DEFAULT_API_URL, Settings

Progress = Callable[[str], None]


def collect(settings: Settings, progress: Progress = lambda _: None) -> EvidenceBundle:
    """Gather every source's evidence; a source that cannot be read becomes Unavailable.

    Raises RepositoryError only when the repository itself cannot be read (the one required source)."""
    now = settings.now or datetime.now(UTC)
    ensure_trusted(settings.path, settings.trust_repo_config)  # before git reads anything of the repository
    revision = settings.revision
    if settings.until is not None and revision == "HEAD" and not settings.worktree:
        # Judged as it stood then: the tree of the last commit of the branch at --until, not today's.
        revision = commit_at(open_repository(settings.path), settings.branch, settings.until) or revision
    progress(f"reading repository tree at {revision}")
    budget = NodeBudget()  # one YAML node budget for every tree this run parses
    git_ev = collect_repo(settings.path, revision, settings.worktree, now, budget)
    unavailable: list[Unavailable] = []
    progress("auditing workflows with zizmor")
    workflow_audit, zizmor_gap = audit_workflows(settings.path, git_ev)
    if zizmor_gap is not None:
        unavailable.append(zizmor_gap)
    clusters, cluster_gap = _collect_clusters(settings, now, progress)
    if cluster_gap is not None:
        unavailable.append(cluster_gap)
    history: HistoryEvidence | None = None
    snapshots: tuple[Snapshot, ...] = ()
    if not settings.history:
        unavailable.append(Unavailable(Source.HISTORY, "history not read (--no-history)",
                                       "run without --no-history", Cause.NOT_REQUESTED))
    elif git_ev.empty:
        unavailable.append(Unavailable(Source.HISTORY, "the repository has no commits",
                                       "commit the declarations, then scan again", Cause.EMPTY))
    else:
        try:
            history, snapshots = _collect_history(settings, git_ev, now, progress, budget)
        except RepositoryError as exc:
            unavailable.append(Unavailable(Source.HISTORY, f"history could not be read: {exc}",
                                           "check the branch name (--branch) and that the clone is complete",
                                           Cause.FAILED))
    forge = pick_collector(settings).collect(settings, _forge_period(settings, history, now), now, progress)
    if isinstance(forge, Unavailable):
        unavailable.append(forge)
    return EvidenceBundle(git=git_ev, history=history, forge=forge if isinstance(forge, ForgeEvidence) else None,
                          clusters=clusters, snapshots=snapshots, unavailable=tuple(unavailable),
                          workflow_audit=workflow_audit)


NO_CLUSTER = Unavailable(Source.CLUSTER, "no cluster was requested",
                         "run with --cluster (current context), --kube-context NAME or --cluster-snapshot FILE",
                         Cause.NOT_REQUESTED)

def _collect_clusters(settings: Settings, now: datetime, progress: Progress
                      ) -> tuple[tuple[ClusterEvidence, ...], Unavailable | None]:
    """Snapshots and live contexts; SnapshotError propagates (a bad file the user named is a usage error)."""
    found: list[ClusterEvidence] = []
    for path in settings.cluster_snapshots:
        progress(f"reading cluster snapshot {path}")
        found += load_snapshot(path, now)
    if not (settings.kube_contexts or settings.all_contexts or settings.live_cluster):
        if found:
            return tuple(found), None
        return (), NO_CLUSTER
    # The kubernetes client takes ~0.15 s to import: only when a live cluster is read.
    from assess.collectors.cluster.live import IN_CLUSTER, ClusterUnreachableError, collect_cluster, in_cluster
    from assess.collectors.cluster.live import contexts as cluster_contexts
    names = list(settings.kube_contexts)
    failures: list[str] = []
    if settings.live_cluster and not names and not settings.kubeconfig and in_cluster() and not os.environ.get(
            "KUBECONFIG"):
        names = [IN_CLUSTER]  # running as a CronJob: the pod's service account
    if names == [IN_CLUSTER]:
        try:
            return (*found, collect_cluster(None, IN_CLUSTER, now)), None
        except ClusterUnreachableError as exc:
            return tuple(found), None if found else Unavailable(Source.CLUSTER, str(exc), "check the ServiceAccount",
                                                                Cause.UNREACHABLE)
    if settings.all_contexts or settings.live_cluster or names:
        try:
            all_names, current = cluster_contexts(settings.kubeconfig)
        except ClusterUnreachableError as exc:
            return tuple(found), None if found else Unavailable(Source.CLUSTER, str(exc),
                                                                "check --kubeconfig and the KUBECONFIG variable",
                                                                Cause.NOT_CONFIGURED)
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
                               "check that the API server is reachable and the kubeconfig credentials are valid",
                               Cause.UNREACHABLE)
    return (), NO_CLUSTER


def _forge_period(settings: Settings, history: HistoryEvidence | None, now: datetime) -> ForgePeriod:
    """Start of the audit period and the apparent direct pushes in it: change requests and the change request of
    each apparent direct push are read for the audit period only."""
    audit = periods_for(settings.config, settings.scope(), history, now).audit
    commits = [c for c in history.commits if audit.contains(c.committed_at)] if history else []
    suspects = [c.sha for c in commits if c.parents and change_path(c)[0] in
                (ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT)]
    return ForgePeriod(audit.start_at or (as_utc(commits[-1].committed_at) if commits else None), tuple(suspects))


def _collect_history(settings: Settings, git_ev: RepoEvidence, now: datetime,
                     progress: Progress, budget: NodeBudget) -> tuple[HistoryEvidence, tuple[Snapshot, ...]]:
    handle = open_repository(settings.path)
    view = tree_view(git_ev, view_options(settings.config, settings.scope(), EvidenceBundle(git=git_ev)))
    envs = view.deployment.environments
    progress("reading history")
    # The whole first-parent history up to the end: the periods are cut from it when evaluating, and older offences
    # and the bootstrap are reported apart.
    history = read_history(handle, settings.branch, None, settings.until, env_roots(envs), envs, now)
    if settings.verifiers.named():
        progress("verifying signatures")
        signed = [(c.sha, c.signature) for c in history.commits if c.signature.value != "none"]
        history = replace(history, verification=verify_signatures(handle, signed, settings.allowed_signers,
                                                                  settings.verifiers))
    elif settings.verify_signatures:
        history = replace(history, notes=(*history.notes, "signatures not verified: no verifier named (git runs no "
                                          "signature program the repository configures; name one with --verifier "
                                          "openpgp=gpg or --verifier ssh=ssh-keygen)"))
    snapshots: tuple[Snapshot, ...] = ()
    if settings.timeline_months > 0 and view.is_estate:  # a repository that is not graded has no stage to trace
        progress("reading month-end snapshots for the timeline")
        end = settings.until or now
        snapshots = collect_snapshots(handle, history.tip, end, settings.timeline_months, now, git_ev, budget)
    return history, snapshots


def run_assessment(settings: Settings, progress: Progress = lambda _: None) -> tuple[Report, EvidenceBundle]:
    """Collect then evaluate; raises RepositoryError when the repository itself cannot be read."""
    bundle = collect(settings, progress)
    progress("running checks")
    return evaluate_bundle(bundle, settings), bundle


def evaluate_bundle(bundle: EvidenceBundle, settings: Settings) -> Report:
    """Evaluate collected evidence by the settings' policy and maturity model; evaluation sees no credentials."""
    return evaluate(bundle, settings.config, maturity_model(settings.config), settings.scope())


__all__ = ["DEFAULT_API_URL", "Check", "RepositoryError", "Settings", "collect", "derive", "evaluate",
           "evaluate_bundle", "evidence_digest", "evidence_json", "has_errors", "run_assessment"]
