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


class Cause(StrEnum):
    """Why a source could not be read, as a closed set every format can act on without reading the sentence."""

    NOT_REQUESTED = "not-requested"  # left out by the user (--no-github, no cluster asked for, --no-history)
    NOT_CONFIGURED = "not-configured"  # nothing to read: no repository named, no origin on the forge
    NO_TOKEN = "no-token"
    UNAUTHORIZED = "unauthorized"  # the token was refused (401)
    FORBIDDEN = "forbidden"  # the token lacks a scope or role (403)
    NOT_FOUND = "not-found"  # absent, or not visible to this token (404)
    RATE_LIMITED = "rate-limited"
    UNREACHABLE = "unreachable"  # network, TLS, timeouts, server errors
    NOT_INSTALLED = "not-installed"  # a local tool the source needs is missing
    FAILED = "failed"  # the source was reached but could not be read (bad archive, tool failure, corrupt data)
    EMPTY = "empty"  # nothing there yet (a repository without commits)
    OUT_OF_SCOPE = "out-of-scope"  # this kind of scan does not read that source (organisation scans read no history)
    TODAY_ONLY = "today-only"  # the source describes today, not an earlier point of the timeline
    UNKNOWN = "unknown"  # not classified (reports and evidence written before causes were recorded)


@dataclass(frozen=True)
class Unavailable:
    """A source that could not be read: why (in words and as a cause), what would fix it, and the token scope or
    role that would, when a permission is what is missing."""

    source: Source
    reason: str
    fix: str
    cause: Cause = Cause.UNKNOWN
    scope: str | None = None
