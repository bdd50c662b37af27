"""Resolve the assessment periods from the command line, the config file and the end instant (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from assess.model.period import Period, PeriodDefaults, Periods, utc_iso

DAYS_PER_MONTH = 30.4375


def resolve_periods(end: datetime, since: datetime | None = None, since_all: bool = False,
                    audit_since: datetime | None = None, defaults: PeriodDefaults | None = None) -> Periods:
    """Both periods end at `end`. The practice period defaults to the last N days, the audit period to the last
    N months, never starting after the practice period; an explicit `since` alone sets both (one period, as asked);
    `since_all` makes both cover the whole history."""
    d = defaults or PeriodDefaults()
    end_text = utc_iso(end)
    if since_all:
        whole = Period(end_text, None, "all history")
        return Periods(whole, whole)
    if since is not None:
        practice = Period(end_text, utc_iso(since), f"since {utc_iso(since)[:10]}")
    else:
        practice = Period(end_text, utc_iso(end - timedelta(days=d.practice_days)), f"last {d.practice_days} days")
    if audit_since is not None:
        audit_start = audit_since
        label = f"since {utc_iso(audit_since)[:10]}"
    elif since is not None:
        return Periods(practice, practice)  # one period asked for: the change log covers exactly it
    else:
        audit_start = end - timedelta(days=round(d.audit_months * DAYS_PER_MONTH))
        label = f"last {d.audit_months} months"
    practice_start = practice.start_at
    if practice_start is not None and practice_start < audit_start:
        audit_start, label = practice_start, practice.label  # the change log covers at least the practice period
    return Periods(practice, Period(end_text, utc_iso(audit_start), label))


ALL = "all"
UNITS = {"d": 1, "w": 7, "m": 30, "y": 365}


def parse_when(text: str) -> datetime | timedelta | str:
    """Parse a --since/--until value: `all`, a duration back from the end (90d, 12w, 6m, 1y), an ISO date or
    date-time (a naive one is UTC; any offset is normalised to UTC). Raises ValueError with a plain message."""
    value = text.strip()
    if value.lower() == ALL:
        return ALL
    if value[:-1].isdigit() and value[-1:].lower() in UNITS:
        return timedelta(days=int(value[:-1]) * UNITS[value[-1].lower()])
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as exc:
        raise ValueError(f"{text!r} is not a date (YYYY-MM-DD), an ISO date-time, a duration (90d/12w/6m/1y) or "
                         "'all'") from exc
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def instant(value: datetime | timedelta | str | None, end: datetime) -> datetime | None:
    """A parsed --since value as an instant: durations count back from the end of the period."""
    if isinstance(value, timedelta):
        return end - value
    return value if isinstance(value, datetime) else None
