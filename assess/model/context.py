"""What every check receives: the evidence bundle and the configured thresholds."""

from __future__ import annotations

from dataclasses import dataclass, field

from assess.model.evidence import EvidenceBundle


@dataclass(frozen=True)
class Thresholds:
    """Tunable limits, overridable in the config file."""

    fleet_clusters: int = 20
    fleet_clouds: int = 2
    min_environments: int = 2
    min_engineers: int = 5


@dataclass(frozen=True)
class CheckContext:
    """The input of a check function."""

    evidence: EvidenceBundle
    thresholds: Thresholds = field(default_factory=Thresholds)
