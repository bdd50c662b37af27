"""The report: the JSON that every other output format is rendered from."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, TypeVar

from assess.model.check import Principle
from assess.model.codec import OMIT_NONE, from_plain, to_plain
from assess.model.finding import Confidence, Finding, Severity
from assess.model.forge import ForgeTerms, report_terms
from assess.model.history import AuditRecord
from assess.model.provenance import Cause
from assess.model.sections import (
    DeploymentSummary,
    ForgeSummary,
    Metrics,
    PolicySummary,
    Target,
    TimelinePoint,
    Window,
    plain_or_empty,
)

SCHEMA_VERSION = "2.0"
T = TypeVar("T")


class SignalStatus(StrEnum):
    """Whether a readiness signal is present."""

    MET = "met"
    NOT_MET = "not-met"
    UNKNOWN = "unknown"


class Risk(StrEnum):
    """Risk level of a failure mode."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    UNKNOWN = "unknown"


class Placement(StrEnum):
    """Where the team sits on a DevOps-vs-GitOps dimension."""

    DEVOPS = "devops"
    MIXED = "mixed"
    GITOPS = "gitops"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class StageResult:
    """The stage reached, how it is known, and what blocks the next one."""

    reached: int
    name: str
    basis: Confidence
    progress: dict[str, int]
    blockers: tuple[str, ...]
    unverified: tuple[str, ...] = ()
    explanation: str = ""
    provisional: bool = False


@dataclass(frozen=True)
class SignalResult:
    """One readiness signal and the checks behind it."""

    id: str
    name: str
    status: SignalStatus
    reason: str
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class Premature:
    """The 'GitOps is premature here' verdict; verdict is None when it cannot be judged."""

    verdict: bool | None
    reasons: tuple[str, ...] = ()
    unknowns: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mitigation:
    """A failure-mode mitigation and the outcome of the check that tests it."""

    check_id: str
    title: str
    outcome: str


@dataclass(frozen=True)
class FailureModeRisk:
    """Risk of one failure mode, from the mitigations in place."""

    id: str
    name: str
    risk: Risk
    score: int
    mitigations: tuple[Mitigation, ...] = ()


@dataclass(frozen=True)
class DimensionPlacement:
    """Placement on one DevOps-vs-GitOps dimension."""

    id: str
    name: str
    placement: Placement
    reason: str
    checks: tuple[str, ...] = ()


@dataclass(frozen=True)
class NextStep:
    """A recommended action, from a failing check."""

    check_id: str
    title: str
    remediation: str
    gain: str


@dataclass(frozen=True)
class SourceStatus:
    """Whether a source could be read; if not, why (in words and as a cause), how to fix it, and the token scope or
    role that would. `cause` is None in reports written before causes were recorded."""

    available: bool
    reason: str | None = None
    fix: str | None = None
    cause: Cause | None = None
    scope: str | None = None
    detail: str | None = None

    def remedy(self) -> str:
        """The fix, with the token scope or role that would help when the fix does not already name it."""
        fix = self.fix or ""
        if self.scope and self.scope not in fix:
            return f"{fix} (needs {self.scope})" if fix else f"needs {self.scope}"
        return fix


@dataclass(frozen=True)
class CheckSummary:
    """A check as the report lists it: the keys of `CheckSpec.to_json`, with the forge the report read named in
    `sources`. Reports written before `any_repository` existed lack it (None: the key stays out)."""

    id: str
    title: str
    principle: Principle = Principle.DECLARATIVE
    severity: Severity = Severity.MEDIUM
    stage: int | None = None
    gates_stage: bool = False
    signals: tuple[str, ...] = ()
    failure_modes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    any_repository: bool | None = field(default=None, metadata=OMIT_NONE)
    rationale: str = ""
    remediation: str = ""
    docs_anchor: str = ""


@dataclass(frozen=True)
class ModelSignal:
    """A readiness signal of the model a report was judged by (carried only where it differs from the packaged
    model's)."""

    id: str
    name: str
    checks: tuple[str, ...]
    evidence: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)
    caveat_only: tuple[str, ...] | None = field(default=None, metadata=OMIT_NONE)
    unknown: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class ModelFailureMode:
    """A failure mode of a maturity model, with the checks that mitigate it."""

    id: str
    name: str
    mitigations: tuple[str, ...]


@dataclass(frozen=True)
class ModelDimension:
    """A DevOps-vs-GitOps dimension of a maturity model and the checks that speak to it (the first decides
    "devops")."""

    id: str
    name: str
    checks: tuple[str, ...]


@dataclass(frozen=True)
class ModelPrematureRule:
    """A "GitOps is premature" rule of a maturity model: team size, deploy cadence, or a failing check."""

    rule: str  # team-size | deploy-cadence | check
    check: str | None = field(default=None, metadata=OMIT_NONE)
    reason: str | None = field(default=None, metadata=OMIT_NONE)
    at_most_per_week: float | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class MaturitySummary:
    """The maturity model a report was judged by, as `MaturityModel.to_json` gives it: name, version, digest, stage
    names and gates always; the other parts only where they differ from the packaged model's (None: left out)."""

    name: str = ""
    version: int = 0
    adapted: bool = False
    digest: str = ""
    stages: dict[str, str] = field(default_factory=dict)
    gates: dict[str, int] = field(default_factory=dict)
    progress: dict[str, int] | None = field(default=None, metadata=OMIT_NONE)
    signals: tuple[ModelSignal, ...] | None = field(default=None, metadata=OMIT_NONE)
    failure_modes: tuple[ModelFailureMode, ...] | None = field(default=None, metadata=OMIT_NONE)
    dimensions: tuple[ModelDimension, ...] | None = field(default=None, metadata=OMIT_NONE)
    premature: tuple[ModelPrematureRule, ...] | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class Report:
    """One assessment, as published in the report JSON contract."""

    tool_version: str
    target: Target
    generated_at: str
    stage: StageResult
    findings: tuple[Finding, ...]
    sources: dict[str, SourceStatus]
    signals: tuple[SignalResult, ...]
    premature: Premature
    failure_modes: tuple[FailureModeRisk, ...]
    dimensions: tuple[DimensionPlacement, ...]
    next_steps: tuple[NextStep, ...]
    checks: tuple[CheckSummary, ...] = ()
    metrics: Metrics | None = None
    audit_trail: tuple[AuditRecord, ...] = ()
    timeline: tuple[TimelinePoint, ...] = ()
    window: Window = field(default_factory=Window)
    evidence_sha256: str | None = None
    github: ForgeSummary | None = None
    deployment: DeploymentSummary | None = None
    policy: PolicySummary | None = None
    maturity: MaturitySummary | None = None  # None in reports written before the model was data
    schema_version: str = SCHEMA_VERSION

    @property
    def forge_terms(self) -> ForgeTerms:
        """The words of the forge the report read or tried (GitHub's when it did neither)."""
        return report_terms(self.github is not None, self.github.forge if self.github else None, self.sources)

    def to_json(self) -> dict[str, Any]:
        """Render as the public report JSON."""
        out: dict[str, Any] = {
            "schema_version": self.schema_version,
            "tool_version": self.tool_version,
            "target": to_plain(self.target),
            "generated_at": self.generated_at,
            "window": to_plain(self.window),
            "stage": to_plain(self.stage),
            "findings": [f.to_json() for f in self.findings],
            "sources": {k: _source_json(v) for k, v in self.sources.items()},
            "signals": to_plain(self.signals),
            "premature": to_plain(self.premature),
            "failure_modes": to_plain(self.failure_modes),
            "dimensions": to_plain(self.dimensions),
            "next_steps": to_plain(self.next_steps),
            "checks": to_plain(self.checks),
            "metrics": plain_or_empty(self.metrics),
            "audit_trail": to_plain(self.audit_trail),
            "timeline": to_plain(self.timeline),
            "evidence_sha256": self.evidence_sha256,
            "github": plain_or_empty(self.github),
            "deployment": plain_or_empty(self.deployment),
            "policy": plain_or_empty(self.policy),
            "maturity": plain_or_empty(self.maturity),
        }
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Report:
        """Rebuild a report from its JSON form."""
        return cls(
            schema_version=data["schema_version"],
            tool_version=data["tool_version"],
            target=from_plain(Target, data["target"]),
            generated_at=data["generated_at"],
            window=from_plain(Window, data.get("window") or {}),
            stage=from_plain(StageResult, data["stage"]),
            findings=tuple(Finding.from_json(f) for f in data["findings"]),
            sources={k: from_plain(SourceStatus, v) for k, v in data["sources"].items()},
            signals=tuple(from_plain(SignalResult, s) for s in data["signals"]),
            premature=from_plain(Premature, data["premature"]),
            failure_modes=tuple(from_plain(FailureModeRisk, f) for f in data["failure_modes"]),
            dimensions=tuple(from_plain(DimensionPlacement, d) for d in data["dimensions"]),
            next_steps=tuple(from_plain(NextStep, n) for n in data["next_steps"]),
            checks=tuple(from_plain(CheckSummary, c) for c in data.get("checks") or ()),
            metrics=_section(Metrics, data.get("metrics")),
            audit_trail=tuple(from_plain(AuditRecord, r) for r in data.get("audit_trail") or ()),
            timeline=tuple(from_plain(TimelinePoint, p) for p in data.get("timeline") or ()),
            evidence_sha256=data.get("evidence_sha256"),
            github=_section(ForgeSummary, data.get("github")),
            policy=_section(PolicySummary, data.get("policy")),
            maturity=_section(MaturitySummary, data.get("maturity")),
            deployment=_section(DeploymentSummary, data.get("deployment")),
        )

    def check(self, check_id: str) -> CheckSummary | None:
        """The listed check of that id, if the report lists it."""
        for c in self.checks:
            if c.id == check_id:
                return c
        return None

    def finding(self, check_id: str) -> Finding | None:
        """The finding of a check, if it ran."""
        for f in self.findings:
            if f.check_id == check_id:
                return f
        return None


def _section(cls: type[T], data: dict[str, Any] | None) -> T | None:
    """A typed section from the report JSON; None when the report has none (`{}` or absent)."""
    return from_plain(cls, data) if data else None


def _source_json(status: SourceStatus) -> dict[str, Any]:
    out: dict[str, Any] = {"available": status.available}
    for key in ("reason", "fix", "cause", "scope", "detail"):
        value = getattr(status, key)
        if value is not None:
            out[key] = to_plain(value)
    return out
