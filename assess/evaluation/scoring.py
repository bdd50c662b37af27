"""Pure scoring: stage reached, readiness signals, premature verdict, failure-mode risk, dimensions, next steps."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from assess.model.check import CheckSpec
from assess.model.context import Thresholds
from assess.model.finding import Confidence, Finding, Outcome, Severity
from assess.model.report import (
    DimensionPlacement,
    FailureModeRisk,
    Mitigation,
    NextStep,
    Placement,
    Premature,
    Risk,
    SignalResult,
    SignalStatus,
    StageResult,
)
from assess.model.sections import Metrics
from assess.policy.maturity import GENERIC_UNKNOWN, MaturityModel, seed_model

EVALUATED = (Outcome.PASS, Outcome.FAIL, Outcome.WARN)
# A warning is a caveat on a gate, not a failure of it: the stage is reached and the caveat listed.
STAGE_OK = (Outcome.PASS, Outcome.WARN, Outcome.NOT_APPLICABLE, Outcome.UNKNOWN)
SEVERITY_WEIGHT = {Severity.CRITICAL: 10.0, Severity.HIGH: 7.5, Severity.MEDIUM: 5.0, Severity.LOW: 2.5,
                   Severity.INFO: 1.0}
BADNESS = {Outcome.FAIL: 1.0, Outcome.ERROR: 1.0, Outcome.WARN: 0.5, Outcome.PASS: 0.0}

@dataclass(frozen=True)
class Scores:
    """Everything scoring derives from the findings."""

    stage: StageResult
    signals: tuple[SignalResult, ...]
    premature: Premature
    failure_modes: tuple[FailureModeRisk, ...]
    dimensions: tuple[DimensionPlacement, ...]
    next_steps: tuple[NextStep, ...]


def score(findings: Sequence[Finding], specs: Sequence[CheckSpec], thresholds: Thresholds,
          metrics: Metrics | None = None, stage: StageResult | None = None,
          model: MaturityModel | None = None) -> Scores:
    """Derive stage (unless already judged), signals, premature verdict, risks, dimensions and next steps, by the
    maturity model given (the packaged one by default; `specs` carry its stages, signals and failure modes)."""
    model = model or seed_model()
    by_id = {f.check_id: f for f in findings}
    spec_by_id = {s.id: s for s in specs}
    stage = stage or stage_result(by_id, specs, model)
    return Scores(
        stage=stage,
        signals=signal_results(by_id, specs, model),
        premature=premature_verdict(by_id, thresholds, metrics, model),
        failure_modes=failure_mode_risks(by_id, specs, model),
        dimensions=dimension_placements(by_id, model),
        next_steps=next_steps(by_id, spec_by_id, stage.reached, model=model),
    )


def _effective(f: Finding | None) -> Outcome | None:
    """A waived finding no longer counts against the team."""
    if f is None:
        return None
    return Outcome.PASS if f.waived_by and f.outcome in (Outcome.FAIL, Outcome.WARN) else f.outcome


def stage_result(by_id: Mapping[str, Finding], specs: Sequence[CheckSpec],
                 model: MaturityModel | None = None) -> StageResult:
    """A stage is reached when every gating check of it and of the stages below passes (or cannot be observed);
    stages are numbered and named by the maturity model judged by."""
    model = model or seed_model()
    names = model.stage_names
    stages = range(1, model.last + 1)
    reached = 0
    unverified: list[str] = []
    caveats: list[str] = []
    for stage in stages:
        gating = [s for s in specs if s.stage == stage and s.gates_stage and s.id in by_id]
        outcomes = [_effective(by_id[s.id]) for s in gating]
        if not gating or any(o not in STAGE_OK for o in outcomes) or Outcome.PASS not in outcomes:
            break
        unverified += [s.id for s in gating if _effective(by_id[s.id]) is Outcome.UNKNOWN]
        caveats += [s.id for s in gating if _effective(by_id[s.id]) is Outcome.WARN]
        reached = stage
    progress: dict[str, int] = {}
    for stage in stages:
        evaluated = [(s, _effective(by_id[s.id])) for s in specs if s.stage == stage and s.id in by_id
                     and _effective(by_id[s.id]) in EVALUATED]
        if not evaluated:
            progress[str(stage)] = 0
            continue
        weight = sum(SEVERITY_WEIGHT[s.severity] for s, _ in evaluated)
        good = sum(SEVERITY_WEIGHT[s.severity] * (1.0 - BADNESS[o]) for s, o in evaluated if o is not None)
        progress[str(stage)] = round(100 * good / weight)
    for stage in range(1, reached + 1):
        progress[str(stage)] = max(progress[str(stage)], 0)
    blockers = tuple(
        s.id for s in specs
        if s.stage == reached + 1 and s.gates_stage and s.id in by_id and _effective(by_id[s.id]) not in STAGE_OK
    )
    basis = _basis(by_id, specs, reached)
    return StageResult(
        reached=reached,
        name=names[reached],
        basis=basis,
        progress=progress,
        blockers=blockers,
        unverified=tuple(unverified),
        explanation=_explain(reached, basis, blockers, unverified, caveats, names, model.last),
        provisional=bool(unverified),
    )


def not_an_estate(stage: StageResult, kind: str, reason: str) -> StageResult:
    """Stage 0 with the reason: a repository that is not a GitOps estate is not graded on the maturity ladder."""
    return StageResult(0, f"Not graded ({kind})", stage.basis, {k: 0 for k in stage.progress}, (), (),
                       f"Not a GitOps estate ({kind}): {reason}. Stage 0 here is not a grade: the maturity stages "
                       "judge repositories that declare what runs; CI and supply-chain checks still ran.", False)


def _basis(by_id: Mapping[str, Finding], specs: Sequence[CheckSpec], reached: int) -> Confidence:
    """How the stage reached is known: observed when live evidence (cluster, API) confirms one of its gates,
    declared when only files in Git do, inferred when only heuristics on history do."""
    passing = [by_id[s.id].confidence for s in specs
               if s.stage == reached and s.gates_stage and s.id in by_id and by_id[s.id].outcome is Outcome.PASS]
    if not passing:
        return Confidence.DECLARED
    return max(passing, key=lambda c: c.strength)


def _explain(reached: int, basis: Confidence, blockers: tuple[str, ...], unverified: list[str],
             caveats: list[str], names: Mapping[int, str], last: int) -> str:
    head = f"Stage {reached} ({names[reached]}) reached"
    head += f" on {basis.value} evidence" if reached else ""
    parts = [head + "."]
    if caveats:
        parts.append(f"With caveats: {', '.join(caveats)}.")
    if unverified:
        parts.append(f"Provisional: not verified for lack of evidence: {', '.join(unverified)}.")
    if reached < last:
        nxt = reached + 1
        if blockers:
            parts.append(f"Stage {nxt} ({names[nxt]}) is blocked by: {', '.join(blockers)}.")
        else:
            parts.append(f"Stage {nxt} ({names[nxt]}) lacks passing evidence.")
    return " ".join(parts)


def signal_results(by_id: Mapping[str, Finding], specs: Sequence[CheckSpec],
                   model: MaturityModel | None = None) -> tuple[SignalResult, ...]:
    """Each readiness signal of the model: met when its checks pass (a warning still counts as a path), not met on a
    failure, unknown when the evidence it needs was not observed."""
    out: list[SignalResult] = []
    for signal in (model or seed_model()).signals:
        feeding = [s for s in specs if signal.id in s.signals and s.id in by_id]
        outcomes = {s.id: _effective(by_id[s.id]) for s in feeding}
        caveat_ids = signal.caveat_only
        failed = [i for i, o in outcomes.items() if o in (Outcome.FAIL, Outcome.ERROR) and i not in caveat_ids]
        caveats = [i for i, o in outcomes.items() if o in (Outcome.FAIL, Outcome.ERROR, Outcome.WARN)
                   and i in caveat_ids]
        passed = [i for i, o in outcomes.items() if o in (Outcome.PASS, Outcome.WARN) and i not in caveat_ids]
        needed = signal.evidence
        observed = [i for i in needed if outcomes.get(i) in EVALUATED]
        if failed:
            status, reason = SignalStatus.NOT_MET, _join(by_id[i].message for i in failed)
        elif needed and not observed:
            status, reason = SignalStatus.UNKNOWN, signal.unknown
        elif passed:
            status, reason = SignalStatus.MET, _join(by_id[i].message for i in passed)
        else:
            status, reason = SignalStatus.UNKNOWN, GENERIC_UNKNOWN
        if caveats:
            reason += " Caveat: " + _join(by_id[i].message for i in caveats)
        out.append(SignalResult(signal.id, signal.name, status, reason, tuple(outcomes)))
    return tuple(out)


def _join(messages: Iterable[str]) -> str:
    return "; ".join(m.rstrip(". ") for m in messages) + "."


def premature_verdict(by_id: Mapping[str, Finding], thresholds: Thresholds, metrics: Metrics | None,
                      model: MaturityModel | None = None) -> Premature:
    """'GitOps is premature here' by the model's rules: the team is tiny, deploys rarely, or a check fails (no
    containers, no reliable CI)."""
    reasons: list[str] = []
    unknowns: list[str] = []
    history = metrics.history if metrics else None
    dormant = bool(metrics and metrics.dormant)
    for rule in (model or seed_model()).premature:
        if rule.rule in ("team-size", "deploy-cadence") and dormant:
            # Nobody committed in the period: team size and cadence cannot be told from it (the activity line says
            # so).
            activity = (metrics.activity if metrics else None) or "no activity in the period"
            unknown = f"team size and deploy frequency ({activity})"
            if unknown not in unknowns:
                unknowns.append(unknown)
        elif rule.rule == "team-size":
            if history and history.human_authors is not None:
                n = history.human_authors
                if n < thresholds.min_engineers:
                    reasons.append(f"only {n} {'person' if n == 1 else 'people'} authored changes in the period "
                                   f"(fewer than {thresholds.min_engineers})")
            else:
                unknowns.append("number of engineers (history not read)")
        elif rule.rule == "deploy-cadence":
            if history and history.deploys_per_week is not None:
                if float(history.deploys_per_week) <= (rule.at_most_per_week or 0.0):
                    reasons.append(f"deploys happen {_cadence(rule.at_most_per_week or 0.0)} "
                                   f"({float(history.deploys_per_week):.2f} per week)")
            elif history is not None:
                unknowns.append("deployment frequency (no environment identified)")
            else:
                unknowns.append("deployment frequency (history not read)")
        elif rule.check is not None:
            finding = by_id.get(rule.check)
            if finding is not None and finding.outcome is Outcome.FAIL:
                reasons.append(rule.reason or f"{rule.check} fails")
    verdict: bool | None = True if reasons else (None if unknowns else False)
    return Premature(verdict, tuple(reasons), tuple(unknowns))


def _cadence(per_week: float) -> str:
    return "weekly or less" if per_week == 1.0 else f"{per_week:g} times a week or less"


def failure_mode_risks(by_id: Mapping[str, Finding], specs: Sequence[CheckSpec],
                       model: MaturityModel | None = None) -> tuple[FailureModeRisk, ...]:
    """Risk per failure mode of the model: severity-weighted share of its mitigations that are missing."""
    out: list[FailureModeRisk] = []
    for fm in (model or seed_model()).failure_modes:
        feeding = [s for s in specs if fm.id in s.failure_modes and s.id in by_id]
        mitigations = tuple(Mitigation(s.id, s.title, by_id[s.id].outcome.value) for s in feeding)
        evaluated = [(s, _effective(by_id[s.id])) for s in feeding if _effective(by_id[s.id]) in BADNESS]
        if not evaluated:
            out.append(FailureModeRisk(fm.id, fm.name, Risk.UNKNOWN, -1, mitigations))
            continue
        weight = sum(SEVERITY_WEIGHT[s.severity] for s, _ in evaluated)
        bad = sum(SEVERITY_WEIGHT[s.severity] * BADNESS[o] for s, o in evaluated if o is not None)
        value = round(100 * bad / weight)
        risk = Risk.HIGH if value >= 50 else Risk.MEDIUM if value >= 20 else Risk.LOW
        unseen = sum(SEVERITY_WEIGHT[s.severity] for s in feeding if _effective(by_id[s.id]) is Outcome.UNKNOWN)
        if risk is not Risk.HIGH and unseen > weight:
            # Most mitigations could not be observed (no GitHub or cluster evidence): one pass says little.
            risk = Risk.UNKNOWN
        # A single missing critical mitigation is enough for high risk, a high one for medium (a FAIL is not
        # averaged away by many passes).
        failing = {s.severity for s, o in evaluated if o in (Outcome.FAIL, Outcome.ERROR)}
        if Severity.CRITICAL in failing:
            risk = Risk.HIGH
        elif Severity.HIGH in failing and risk in (Risk.LOW, Risk.UNKNOWN):
            risk = Risk.MEDIUM
        out.append(FailureModeRisk(fm.id, fm.name, risk, value, mitigations))
    return tuple(out)


def dimension_placements(by_id: Mapping[str, Finding],
                         model: MaturityModel | None = None) -> tuple[DimensionPlacement, ...]:
    """Place the team on each DevOps-vs-GitOps dimension of the model from the checks that speak to it."""
    out: list[DimensionPlacement] = []
    for dim in (model or seed_model()).dimensions:
        dim_id, name, check_ids = dim.id, dim.name, dim.checks
        present = [c for c in check_ids if c in by_id and _effective(by_id[c]) in EVALUATED]
        if not present:
            out.append(DimensionPlacement(dim_id, name, Placement.UNKNOWN, "No evidence observed.", check_ids))
            continue
        outcomes = [_effective(by_id[c]) for c in present]
        decisive = _effective(by_id[check_ids[0]]) if check_ids[0] in by_id else None
        if all(o is Outcome.PASS for o in outcomes):
            placement = Placement.GITOPS
        elif decisive is Outcome.FAIL or all(o is Outcome.FAIL for o in outcomes):
            placement = Placement.DEVOPS
        else:
            placement = Placement.MIXED
        lagging = [c for c in present if _effective(by_id[c]) is not Outcome.PASS]
        reason = (f"held back by {', '.join(lagging)}" if lagging else "all evidence points to GitOps practice")
        out.append(DimensionPlacement(dim_id, name, placement, reason, tuple(present)))
    return tuple(out)


def next_steps(by_id: Mapping[str, Finding], spec_by_id: Mapping[str, CheckSpec], reached: int,
               limit: int = 3, model: MaturityModel | None = None) -> tuple[NextStep, ...]:
    """The findings whose fix gains the most: critical/high failures first, then failing next-stage gates, then
    other failures, then warnings (a warning is a caveat: it never blocks a stage)."""
    candidates = [(spec_by_id[f.check_id], _effective(f)) for f in by_id.values()
                  if f.check_id in spec_by_id and _effective(f) in (Outcome.FAIL, Outcome.WARN, Outcome.ERROR)]

    def rank(item: tuple[CheckSpec, Outcome | None]) -> tuple[int, int, int, str]:
        spec, outcome = item
        failing = outcome in (Outcome.FAIL, Outcome.ERROR)
        serious = spec.severity.rank >= Severity.HIGH.rank
        blocks_next = failing and spec.stage == reached + 1 and spec.gates_stage
        tier = 0 if failing and serious else 1 if blocks_next else 2 if failing else 3
        return (tier, -spec.severity.rank, spec.stage or 9, spec.id)

    model = model or seed_model()
    names, fm_names, signal_names = model.stage_names, model.failure_mode_names(), model.signal_names()
    out: list[NextStep] = []
    for spec, outcome in sorted(candidates, key=rank)[:limit]:
        failing = outcome in (Outcome.FAIL, Outcome.ERROR)
        if failing and spec.stage == reached + 1 and spec.gates_stage:
            gain = f"unblocks stage {spec.stage} ({names[spec.stage]})"
        elif failing and spec.gates_stage and spec.stage is not None and spec.stage > reached:
            gain = f"needed for stage {spec.stage} ({names[spec.stage]})"
        elif not failing and spec.gates_stage and spec.stage is not None:
            gain = f"clears a caveat on stage {spec.stage} ({names[spec.stage]})"
        elif spec.failure_modes:
            gain = "lowers risk of " + ", ".join(f"{fm} ({fm_names.get(fm, fm)})" for fm in spec.failure_modes)
        elif spec.signals:
            gain = "strengthens readiness: " + ", ".join(signal_names.get(s, s) for s in spec.signals)
        else:
            gain = f"progress in stage {spec.stage}"
        out.append(NextStep(spec.id, spec.title, spec.remediation, gain))
    return tuple(out)
