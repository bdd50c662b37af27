"""Scoring is pure: stage gates, unknown-is-not-fail, premature verdict, failure-mode risk, next steps."""

from __future__ import annotations

from assess.checks.catalog import load_catalog
from assess.evaluation.scoring import score
from assess.model.context import Thresholds
from assess.model.finding import Confidence, Finding, Outcome, Severity
from assess.model.report import Placement, Risk, SignalStatus
from assess.model.sections import HistoryFigures, Metrics

SPECS = [c.spec for c in load_catalog()]
GATING = {s.stage: [x.id for x in SPECS if x.stage == s.stage and x.gates_stage] for s in SPECS if s.stage}


def findings(outcomes: dict[str, Outcome], default: Outcome = Outcome.PASS,
             confidence: Confidence = Confidence.DECLARED) -> list[Finding]:
    return [Finding(s.id, outcomes.get(s.id, default), s.severity, "m", confidence) for s in SPECS]


def test_all_passing_reaches_stage_4_with_full_progress() -> None:
    result = score(findings({}), SPECS, Thresholds())
    assert result.stage.reached == 4 and result.stage.blockers == ()
    assert result.stage.progress == {"1": 100, "2": 100, "3": 100, "4": 100}
    assert result.stage.basis is Confidence.DECLARED
    assert all(fm.risk is Risk.LOW for fm in result.failure_modes)
    assert all(d.placement is Placement.GITOPS for d in result.dimensions)


def test_a_stage_needs_every_stage_below_it() -> None:
    # Stage-3 evidence without a reconciler does not make stage 3.
    result = score(findings({"reconciler-declared": Outcome.FAIL}), SPECS, Thresholds())
    assert result.stage.reached == 1
    assert result.stage.blockers == ("reconciler-declared",)
    assert result.next_steps[0].check_id == "reconciler-declared"
    assert "unblocks stage 2" in result.next_steps[0].gain


def test_unknown_does_not_block_but_is_listed_as_unverified() -> None:
    result = score(findings({"no-push-deploy-from-ci": Outcome.UNKNOWN}), SPECS, Thresholds())
    assert result.stage.reached == 4
    assert "no-push-deploy-from-ci" in result.stage.unverified
    assert result.stage.provisional and "Provisional: not verified" in result.stage.explanation


def test_a_stage_with_no_passing_gate_is_not_reached() -> None:
    unknown_stage2 = {cid: Outcome.UNKNOWN for cid in GATING[2]}
    assert score(findings(unknown_stage2), SPECS, Thresholds()).stage.reached == 1


def test_waived_failure_no_longer_blocks() -> None:
    fs = [f if f.check_id != "policy-as-code-declared" else
          Finding(f.check_id, Outcome.FAIL, f.severity, "m", f.confidence, waived_by="policy waiver W-1")
          for f in findings({})]
    assert score(fs, SPECS, Thresholds()).stage.reached == 4


def test_basis_is_observed_only_when_the_gates_were_observed() -> None:
    assert score(findings({}, confidence=Confidence.OBSERVED), SPECS, Thresholds()).stage.basis is Confidence.OBSERVED


def test_progress_is_partial_credit_inside_a_stage() -> None:
    result = score(findings({"fleet-scale": Outcome.FAIL}), SPECS, Thresholds())
    assert result.stage.reached == 3
    assert 0 < result.stage.progress["4"] < 100


def test_premature_verdict_from_history_and_from_missing_containers() -> None:
    metrics = Metrics(history=HistoryFigures(human_authors=3, deploys_per_week=0.5))
    result = score(findings({"kubernetes-declared": Outcome.FAIL}), SPECS, Thresholds(), metrics)
    assert result.premature.verdict is True
    assert any("only 3 people authored changes in the period" in r for r in result.premature.reasons)
    assert any("weekly or less" in r for r in result.premature.reasons)
    assert any("no containers" in r for r in result.premature.reasons)
    healthy = Metrics(history=HistoryFigures(human_authors=12, deploys_per_week=9))
    assert score(findings({}), SPECS, Thresholds(), healthy).premature.verdict is False
    assert score(findings({}), SPECS, Thresholds()).premature.verdict is None
    dormant = score(findings({}), SPECS, Thresholds(), Metrics(dormant=True, activity="no activity since 2024-10-10",
                                                               history=HistoryFigures(human_authors=0)))
    assert dormant.premature.verdict is None and not dormant.premature.reasons
    assert "no activity since 2024-10-10" in dormant.premature.unknowns[0]


def test_failure_mode_risk_rises_with_missing_mitigations() -> None:
    result = score(findings({"no-plaintext-secrets": Outcome.FAIL, "actions-pinned-to-sha": Outcome.FAIL,
                             "workflow-permissions-restricted": Outcome.FAIL}), SPECS, Thresholds())
    risks = {fm.id: fm for fm in result.failure_modes}
    assert risks["FM2"].risk in (Risk.MEDIUM, Risk.HIGH)
    assert risks["FM1"].risk in (Risk.MEDIUM, Risk.HIGH)
    assert risks["FM4"].risk is Risk.LOW
    unknown = score(findings({}, default=Outcome.UNKNOWN), SPECS, Thresholds())
    assert all(fm.risk is Risk.UNKNOWN for fm in unknown.failure_modes)


def test_signals_and_push_model_dimension() -> None:
    result = score(findings({"ci-pipeline-defined": Outcome.FAIL, "no-push-deploy-from-ci": Outcome.FAIL}),
                   SPECS, Thresholds())
    signals = {s.id: s.status for s in result.signals}
    assert signals["reliable-ci"] is SignalStatus.NOT_MET
    assert signals["infrastructure-as-code"] is SignalStatus.MET
    model = next(d for d in result.dimensions if d.id == "deployment-model")
    assert model.placement is Placement.MIXED


def test_severity_is_part_of_the_catalog_not_a_paywall() -> None:
    assert all(isinstance(s.severity, Severity) for s in SPECS)


def _signal(result: object, signal_id: str) -> object:
    return next(s for s in result.signals if s.id == signal_id)  # type: ignore[attr-defined]


def test_a_warning_never_unblocks_a_stage_and_critical_failures_rank_first() -> None:
    # A warning on a stage-2 gate is a caveat; the critical failure elsewhere comes before any stage progress.
    critical = next(s for s in SPECS if s.severity is Severity.CRITICAL and not s.gates_stage)
    warned = GATING[2][0]
    result = score(findings({warned: Outcome.WARN, critical.id: Outcome.FAIL, "policy-as-code-declared": Outcome.FAIL}),
                   SPECS, Thresholds())
    assert result.next_steps[0].check_id == critical.id
    assert all("unblocks" not in s.gain for s in result.next_steps if s.check_id == warned)
    step = next((s for s in score(findings({warned: Outcome.WARN}), SPECS, Thresholds()).next_steps), None)
    assert step is not None and step.check_id == warned and "unblocks" not in step.gain and "caveat" in step.gain


def test_pr_gate_needs_history_or_github_evidence_not_codeowners_alone() -> None:
    only_settings = findings({"changes-through-prs": Outcome.UNKNOWN, "no-self-approval": Outcome.UNKNOWN})
    gate = _signal(score(only_settings, SPECS, Thresholds()), "prs-are-a-real-gate")
    assert gate.status is SignalStatus.UNKNOWN and "CODEOWNERS alone" in gate.reason  # type: ignore[attr-defined]
    pushes = findings({"changes-through-prs": Outcome.FAIL})
    assert _signal(score(pushes, SPECS, Thresholds()), "prs-are-a-real-gate").status is SignalStatus.NOT_MET  # type: ignore[attr-defined]


def test_an_unknown_codeowners_team_is_a_caveat_not_a_veto() -> None:
    fs = [Finding(f.check_id, Outcome.FAIL, f.severity, "Unknown owner @org/ghost", f.confidence)
          if f.check_id == "codeowners-valid" else f for f in findings({})]
    gate = _signal(score(fs, SPECS, Thresholds()), "prs-are-a-real-gate")
    assert gate.status is SignalStatus.MET  # type: ignore[attr-defined]
    assert "Caveat: Unknown owner @org/ghost" in gate.reason  # type: ignore[attr-defined]
