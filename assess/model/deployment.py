"""What the reconcilers apply: entry points, deployed paths and the environments they form."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

PRODUCTION = re.compile(r"^(prod|production|prd|live)([-_].*)?$")


class EnvBasis(StrEnum):
    """How the environments of a repository were identified."""

    CONFIGURED = "configured"
    RECONCILER = "reconciler"
    LAYOUT = "layout"
    NONE = "none"


@dataclass(frozen=True)
class EntryPoint:
    """A reconciler object (or a CI deploy command) that applies a path of this repository."""

    tool: str
    kind: str
    name: str
    file: str
    line: int
    applies: str
    source: str
    environment: str | None = None
    inferred: bool = False
    outside_source: bool = False

    def describe(self) -> str:
        """'Flux Kustomization apps (clusters/prod/apps.yaml:3) applies ./apps'."""
        return f"{self.tool} {self.kind} {self.name} ({self.file}:{self.line}) applies ./{self.applies}".rstrip("/")


@dataclass(frozen=True)
class ExternalSource:
    """A reconciler object that applies content this repository does not hold (out of scope, and said so)."""

    kind: str
    name: str
    file: str
    line: int
    source: str
    reason: str


@dataclass(frozen=True)
class DeploymentMap:
    """Environments (name -> path globs), how they were found, and what no reconciler applies."""

    environments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    basis: EnvBasis = EnvBasis.NONE
    how: dict[str, str] = field(default_factory=dict)
    entry_points: tuple[EntryPoint, ...] = ()
    external: tuple[ExternalSource, ...] = ()
    not_deployed: tuple[tuple[str, int], ...] = ()
    warnings: tuple[str, ...] = ()
    reach: dict[str, tuple[str, ...]] = field(default_factory=dict)  # "file:line" of an entry point -> what it applies

    @property
    def identified(self) -> bool:
        """Whether at least one environment is known."""
        return bool(self.environments)

    @property
    def production(self) -> tuple[str, ...]:
        """Environments that are production by name; all of them when none is."""
        prod = tuple(e for e in self.environments if PRODUCTION.match(e.lower()))
        return prod or tuple(self.environments)
