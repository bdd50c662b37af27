"""What every check receives: the evidence bundle and the configured thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field

from assess.model.evidence import EvidenceBundle
from assess.model.history import AuditRecord


@dataclass(frozen=True)
class Thresholds:
    """Tunable limits, overridable in the config file."""

    fleet_clusters: int = 20
    fleet_clouds: int = 2
    min_environments: int = 2
    min_engineers: int = 5
    min_signed_share: float = 1.0
    ci_success_rate: float = 0.9


@dataclass(frozen=True)
class CheckContext:
    """The input of a check function."""

    evidence: EvidenceBundle
    thresholds: Thresholds = field(default_factory=Thresholds)
    audit_trail: tuple[AuditRecord, ...] = ()
    production_envs: tuple[str, ...] = ()

    def production_changes(self) -> tuple[AuditRecord, ...]:
        """Audit records that reached a production environment."""
        return tuple(r for r in self.audit_trail if set(r.environments) & set(self.production_envs))
