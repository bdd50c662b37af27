"""One judgement (pure): the findings and the stage of one tree, with history judged over one period. The headline
and every point of the timeline are judged by it, so the timeline's last point is the headline."""


from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assess.checks.catalog import Check
from assess.checks.runner import run_checks
from assess.derive.view import TreeView
from assess.evaluation.facts import HistoryFacts
from assess.evaluation.scoring import not_an_estate, stage_result
from assess.model.context import CheckContext
from assess.model.evidence import (
    EvidenceBundle,
)
from assess.model.finding import Confidence, Finding, Outcome
from assess.model.report import StageResult
from assess.policy.config import Config
from assess.policy.maturity import MaturityModel
from assess.policy.waivers import apply_waivers


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
