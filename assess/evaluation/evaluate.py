"""Pure evaluation: an evidence bundle, the policy and the maturity model become a report.

The headline and every point of the maturity timeline are judged by one function (`judge`) over the same gates,
history gates over the period that ends at that point, so the timeline's last point is the headline."""

from __future__ import annotations

import posixpath
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from assess import __version__
from assess.checks.catalog import Check, load_catalog
from assess.derive.change_controls import change_management
from assess.derive.forge_confirmation import forge_summary
from assess.derive.view import TreeView, ViewOptions, tree_view
from assess.evaluation.digest import evidence_digest
from assess.evaluation.facts import derive, period_summary, periods_for
from assess.evaluation.judge import judge
from assess.evaluation.scope import Scope
from assess.evaluation.scoring import Scores, score
from assess.evaluation.sources import source_statuses
from assess.evaluation.timeline import timeline, timeline_point
from assess.model.check import CheckSpec
from assess.model.codec import from_plain
from assess.model.evidence import (
    EvidenceBundle,
    Provenance,
    RepoEvidence,
    Source,
)
from assess.model.finding import Outcome
from assess.model.forge import TERMS, Forge, forge_wording
from assess.model.report import CheckSummary, MaturitySummary, NextStep, Report
from assess.model.sections import (
    DeploymentSummary,
    EnvironmentPaths,
    Metrics,
    NotDeployed,
    Target,
    Window,
)
from assess.policy.config import Config
from assess.policy.maturity import MaturityModel, adapted, gated, seed_model
from assess.policy.source import policy_summary


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
                             bundle.forge_tried(), specs)
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
    headline = timeline_point(stage)
    return Report(
        tool_version=__version__,
        target=target,
        generated_at=now.isoformat(timespec="seconds"),
        window=derived.window or Window(period=period_summary(periods.practice, None),
                                        audit_period=period_summary(periods.audit, None),
                                        environments=dict(view.deployment.environments)),
        stage=stage,
        findings=findings,
        sources=source_statuses(bundle),
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


def _in_forge_words(scores: Scores, forge: Forge, specs: Sequence[CheckSpec]) -> Scores:
    """The model's names (signals, failure modes, dimensions) and the checks' titles in the scores, in the words of the
    forge the scan read or tried (the model is written in GitHub's); a next step's fix in that forge's settings."""
    terms = TERMS[forge]
    spec_of = {s.id: s for s in specs}

    def w(text: str) -> str:
        return forge_wording(text, terms)

    def fix(step: NextStep) -> str:
        spec = spec_of.get(step.check_id)
        return spec.remediation_on(forge.value) if spec else w(step.remediation)
    return replace(
        scores,
        signals=tuple(replace(s, name=w(s.name)) for s in scores.signals),
        failure_modes=tuple(replace(f, name=w(f.name), mitigations=tuple(replace(m, title=w(m.title))
                                                                        for m in f.mitigations))
                            for f in scores.failure_modes),
        dimensions=tuple(replace(d, name=w(d.name)) for d in scores.dimensions),
        next_steps=tuple(replace(n, title=w(n.title), remediation=fix(n), gain=w(n.gain))
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


def has_errors(report: Report) -> bool:
    """Whether any check raised."""
    return any(f.outcome is Outcome.ERROR for f in report.findings)
