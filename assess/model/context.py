"""What every check receives: the evidence, the thresholds, and what was derived for the assessment period."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from assess.model.activity import Historical
from assess.model.deployment import DeploymentMap
from assess.model.evidence import EvidenceBundle, RepoEvidence
from assess.model.history import AuditRecord, CommitRecord
from assess.model.period import Period

T = TypeVar("T")


@dataclass(frozen=True)
class Thresholds:
    """Tunable limits, overridable in the config file."""

    fleet_clusters: int = 20
    fleet_clouds: int = 2
    min_environments: int = 2
    min_engineers: int = 5
    min_signed_share: float = 1.0
    ci_success_rate: float = 0.9
    pr_share_min: float = 0.95
    unit_share_min: float = 0.95


@dataclass(frozen=True)
class CheckContext:
    """The input of a check function.

    `evidence.git` is the estate (tests, fixtures, docs and examples left out); `deployed` narrows it to what
    reconcilers apply. `audit_trail` and `commits` cover the assessment period only (None: the whole history given);
    `bootstrap` holds the repository's initial commits, which no gate counts; `historical` summarises older
    offences."""

    evidence: EvidenceBundle
    thresholds: Thresholds = field(default_factory=Thresholds)
    audit_trail: tuple[AuditRecord, ...] = ()
    production_envs: tuple[str, ...] = ()
    deployment: DeploymentMap = field(default_factory=DeploymentMap)
    period: Period | None = None
    commits: tuple[CommitRecord, ...] | None = None
    bootstrap: frozenset[str] = frozenset()
    historical: Historical | None = None
    deployed: RepoEvidence | None = None
    # Derivations of this context's trees that several checks ask for, computed once per judgement (a context lives
    # for one judgement: the headline or one timeline point).
    _memo: dict[tuple[str, int], Any] = field(default_factory=dict, compare=False, repr=False)

    def memoised(self, name: str, of: object, compute: Callable[[], T]) -> T:
        """`compute()` once per context for `of` (an evidence object of this context), however many checks ask."""
        key = (name, id(of))
        if key not in self._memo:
            self._memo[key] = compute()
        found: T = self._memo[key]
        return found

    def production_changes(self) -> tuple[AuditRecord, ...]:
        """Audit records of the period that reached a production environment."""
        return tuple(r for r in self.audit_trail if set(r.environments) & set(self.production_envs))

    def period_commits(self) -> tuple[CommitRecord, ...]:
        """First-parent commits of the assessment period (all history read when no period is set)."""
        if self.commits is not None:
            return self.commits
        return self.evidence.history.commits if self.evidence.history else ()

    @property
    def period_label(self) -> str:
        """'the last 90 days', or 'the window' when no period is set."""
        return f"the {self.period.label}" if self.period and self.period.label.startswith("last") else (
            self.period.label if self.period else "the window")
