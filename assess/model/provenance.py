"""Where evidence comes from, how it was obtained, and why a source could not be read."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Source(StrEnum):
    """Where evidence comes from."""

    GIT = "git"
    HISTORY = "history"
    GITHUB = "github"
    GITLAB = "gitlab"
    CLUSTER = "cluster"
    ZIZMOR = "zizmor"


@dataclass(frozen=True)
class Provenance:
    """How and when an evidence item was obtained."""

    source: Source
    method: str
    obtained_at: str


@dataclass(frozen=True)
class Unavailable:
    """A source that could not be read: why, and what would fix it."""

    source: Source
    reason: str
    fix: str
