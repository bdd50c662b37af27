"""Check specifications: the self-describing metadata declared next to each check."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from assess.model.finding import Confidence, Outcome, Ref, Severity
from assess.model.forge import forge_wording, terms_of


class Principle(StrEnum):
    """The four OpenGitOps principles."""

    DECLARATIVE = "declarative"
    VERSIONED = "versioned-and-immutable"
    PULLED = "pulled-automatically"
    RECONCILED = "continuously-reconciled"


class Signal(StrEnum):
    """The seed model's readiness signals, for check specs to name (names and rules are in the maturity model)."""

    RELIABLE_CI = "reliable-ci"
    IAC = "infrastructure-as-code"
    PR_GATE = "prs-are-a-real-gate"
    KUBERNETES = "kubernetes"
    TOOLING_OWNER = "tooling-owner"


class FailureMode(StrEnum):
    """The seed model's failure modes, for check specs to name (names are in the maturity model)."""

    FM1 = "FM1"
    FM2 = "FM2"
    FM3 = "FM3"
    FM4 = "FM4"


# A check's source that is the repository's forge (GitHub, GitLab): the check reads the forge-neutral evidence.
FORGE_SOURCE = "forge"

_ID_PATTERN = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@dataclass(frozen=True)
class CheckSpec:
    """What a check asserts, why it matters and how to fix it."""

    id: str
    title: str
    principle: Principle
    severity: Severity
    rationale: str
    remediation: str
    # Defaults for a check the maturity model does not name; where it names the check, the model wins (stage ids
    # and signal/failure-mode ids are those of the model: plain strings, the enums above are the seed's).
    stage: int | None = None
    gates_stage: bool = False
    signals: tuple[str, ...] = ()
    failure_modes: tuple[str, ...] = ()
    sources: tuple[str, ...] = ("git",)
    any_repository: bool = False  # CI, supply-chain and branch hygiene: judged on every kind of repository
    # Where a forge's own settings differ from GitHub's: (forge, remediation) pairs, e.g. ("gitlab", "Enable …").
    forge_remediation: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not _ID_PATTERN.match(self.id):
            raise ValueError(f"check id {self.id!r} is not kebab-case")
        if self.stage is not None and self.stage < 1:
            raise ValueError(f"check {self.id}: stage must be 1 or more")
        if self.gates_stage and self.stage is None:
            raise ValueError(f"check {self.id}: a gating check needs a stage")

    @property
    def docs_anchor(self) -> str:
        """Anchor of this check in the documentation."""
        return f"#check-{self.id}"

    def remediation_on(self, forge: str | None) -> str:
        """How to fix it on that forge: its own settings where the spec names them, else the remediation in its
        words."""
        own = dict(self.forge_remediation).get(forge or "")
        if own is not None:
            return own
        terms = terms_of(forge)
        return forge_wording(self.remediation, terms) if terms else self.remediation

    def to_json(self, forge: str | None = None) -> dict[str, Any]:
        """Serialise for `checks --format json` and reports; a report names the forge it read (github, gitlab)
        where the spec says "forge", and its title, rationale and remediation use that forge's words."""
        terms = terms_of(forge)

        def words(text: str) -> str:
            return forge_wording(text, terms) if terms else text
        return {
            "id": self.id,
            "title": words(self.title),
            "principle": self.principle.value,
            "severity": self.severity.value,
            "stage": self.stage,
            "gates_stage": self.gates_stage,
            "signals": [str(s) for s in self.signals],
            "failure_modes": [str(f) for f in self.failure_modes],
            "sources": [forge if s == FORGE_SOURCE and forge else s for s in self.sources],
            "any_repository": self.any_repository,
            "rationale": words(self.rationale),
            "remediation": self.remediation_on(forge),
            "docs_anchor": self.docs_anchor,
        }


@dataclass(frozen=True)
class CheckResult:
    """What a check function returns; the runner adds id and severity."""

    outcome: Outcome
    message: str
    confidence: Confidence = Confidence.DECLARED
    refs: tuple[Ref, ...] = field(default_factory=tuple)
    severity: Severity | None = None  # lower than the spec's when the evidence warrants (placeholders, examples)
    fix: str | None = None  # for an unknown: what would let the check see (a token scope, a role, an option)
