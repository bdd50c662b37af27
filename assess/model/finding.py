"""Findings: the outcome of one check, with the evidence it rests on."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Outcome(StrEnum):
    """What a check concluded."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    UNKNOWN = "unknown"
    NOT_APPLICABLE = "not-applicable"
    ERROR = "error"


class Severity(StrEnum):
    """How much a failing check matters; ordered from least to most."""

    INFO = "info"
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        """Position in the order info < low < medium < high < critical."""
        return list(Severity).index(self)


class Confidence(StrEnum):
    """How a finding knows what it says."""

    OBSERVED = "observed"
    DECLARED = "declared"
    INFERRED = "inferred"

    @property
    def strength(self) -> int:
        """Observed beats declared beats inferred."""
        return {"inferred": 0, "declared": 1, "observed": 2}[self.value]


class RefKind(StrEnum):
    """What an evidence reference points at."""

    FILE = "file"
    COMMIT = "commit"
    OBJECT = "object"
    URL = "url"


# The report contract names the target of each kind of reference differently.
_REF_KEY = {RefKind.FILE: "path", RefKind.COMMIT: "sha", RefKind.OBJECT: "object", RefKind.URL: "url"}


@dataclass(frozen=True)
class Ref:
    """A pointer to evidence: `path:line`, a commit, a cluster object or an API URL."""

    kind: RefKind
    target: str
    line: int | None = None

    @classmethod
    def file(cls, path: str, line: int | None = None) -> Ref:
        """Reference a file in the repository, optionally at a line."""
        return cls(RefKind.FILE, path, line)

    def __str__(self) -> str:
        return f"{self.target}:{self.line}" if self.line else self.target

    def to_json(self) -> dict[str, Any]:
        """Render in the report contract: {kind, path|sha|object|url, line?}."""
        out: dict[str, Any] = {"kind": self.kind.value, _REF_KEY[self.kind]: self.target}
        if self.line is not None:
            out["line"] = self.line
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Ref:
        """Inverse of to_json."""
        kind = RefKind(data["kind"])
        return cls(kind, str(data[_REF_KEY[kind]]), data.get("line"))


@dataclass(frozen=True)
class Finding:
    """One check's result on one subject."""

    check_id: str
    outcome: Outcome
    severity: Severity
    message: str
    confidence: Confidence
    refs: tuple[Ref, ...] = field(default_factory=tuple)
    waived_by: str | None = None
    # The sources whose absence made this finding unknown (their reason and fix are in the report's `sources`).
    unobserved: tuple[str, ...] = ()
    # What would let the check see what it could not (a token scope, a role, a snapshot option): a field, so no
    # format has to find it in the message.
    fix: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Render in the report contract."""
        out: dict[str, Any] = {
            "check_id": self.check_id,
            "outcome": self.outcome.value,
            "severity": self.severity.value,
            "message": self.message,
            "confidence": self.confidence.value,
            "refs": [r.to_json() for r in self.refs],
        }
        if self.waived_by is not None:
            out["waived_by"] = self.waived_by
        if self.unobserved:
            out["unobserved"] = list(self.unobserved)
        if self.fix is not None:
            out["fix"] = self.fix
        return out

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Finding:
        """Inverse of to_json."""
        return cls(
            check_id=data["check_id"],
            outcome=Outcome(data["outcome"]),
            severity=Severity(data["severity"]),
            message=data["message"],
            confidence=Confidence(data["confidence"]),
            refs=tuple(Ref.from_json(r) for r in data.get("refs", [])),
            waived_by=data.get("waived_by"),
            unobserved=tuple(data.get("unobserved") or ()),
            fix=data.get("fix"),
        )
