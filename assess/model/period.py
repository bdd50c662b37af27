"""Assessment periods: the span of history a figure or a verdict covers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import lru_cache


@dataclass(frozen=True)
class Period:
    """A half-open span of time [start, end] in UTC; start None means "from the first commit"."""

    end: str
    start: str | None = None
    label: str = ""

    @property
    def end_at(self) -> datetime:
        """The end as an aware UTC datetime."""
        return as_utc(self.end)

    @property
    def start_at(self) -> datetime | None:
        """The start as an aware UTC datetime, or None for "all history"."""
        return as_utc(self.start) if self.start else None

    def contains(self, instant: str | datetime) -> bool:
        """Whether an instant (ISO text or datetime) falls inside the period."""
        when = as_utc(instant) if isinstance(instant, str) else instant.astimezone(UTC)
        start = self.start_at
        return (start is None or when >= start) and when <= self.end_at

    def before(self, instant: str | datetime) -> bool:
        """Whether an instant is older than the period's start."""
        start = self.start_at
        when = as_utc(instant) if isinstance(instant, str) else instant.astimezone(UTC)
        return start is not None and when < start

    def days(self, first: datetime | None = None) -> float | None:
        """Length in days; an open start counts from `first` (the first commit), else None."""
        start = self.start_at or first
        return None if start is None else round((self.end_at - start).total_seconds() / 86400, 1)


@lru_cache(maxsize=65536)  # periods and commits compare the same timestamps over and over
def as_utc(text: str) -> datetime:
    """Parse an ISO 8601 timestamp (any offset) into an aware UTC datetime; naive means UTC."""
    parsed = datetime.fromisoformat(text)
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def utc_iso(when: datetime) -> str:
    """An aware datetime as ISO 8601 text in UTC, to the second."""
    aware = when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)
    return aware.isoformat(timespec="seconds")


@dataclass(frozen=True)
class PeriodDefaults:
    """Default lengths of the two periods, overridable in the config file (`window:`)."""

    practice_days: int = 90
    audit_months: int = 12


@dataclass(frozen=True)
class Periods:
    """The practice period (gates and delivery metrics) and the audit period (change log), ending together."""

    practice: Period
    audit: Period
