"""Delivery metrics from the audit trail (pandas): DORA per environment and per month, and history shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from assess.derive.activity import human_direct_pushes
from assess.derive.audit_trail import change_path
from assess.derive.identity import bot_kind, change_author, count_people, merger, person_key
from assess.metrics.tiers import classify_all
from assess.model.activity import Activity
from assess.model.history import DIRECT_PATHS, PR_PATHS, AuditRecord, CommitRecord, HistoryEvidence, SignatureType
from assess.model.sections import (
    EnvironmentMetrics,
    HistoryFigures,
    LeadTime,
    Metrics,
    MetricsWindow,
    MonthlyMetrics,
    Recovery,
)

if TYPE_CHECKING:  # pandas loads in ~0.3 s: only when delivery metrics are computed
    import pandas as pd


def delivery_metrics(records: Sequence[AuditRecord], commits: Sequence[CommitRecord], history: HistoryEvidence,
                     start: datetime, end: datetime, production: Sequence[str],
                     environments: Mapping[str, tuple[str, ...]], activity: Activity | None = None,
                     confirmed_pr: frozenset[str] = frozenset()) -> Metrics:
    """DORA figures per environment over the period (overall and monthly) with tiers, plus the period's history
    shares. A dormant repository, or an environment with no deployment in the period, gets no tier."""
    start, end = start.astimezone(UTC), end.astimezone(UTC)
    frame = audit_frame(records)
    envs: dict[str, EnvironmentMetrics] = {}
    for env in environments:
        rows = frame[frame["environments"].apply(lambda e, env=env: env in e)] if len(frame) else frame
        envs[env] = _env_metrics(rows, start, end)
    prod_rows = frame[frame["environments"].apply(lambda e: any(p in e for p in production))] if len(frame) else frame
    weeks = max((end - start).total_seconds() / (7 * 86400), 1.0)
    summary = replace(_history_summary(commits, records, history.shallow, confirmed_pr),
                      deploys_per_week=round(len(prod_rows) / weeks, 2) if environments else None,
                      production_environments=tuple(production))
    dormant = activity.dormant if activity else not commits
    return Metrics(
        window=MetricsWindow(start.isoformat(), end.isoformat(), round((end - start).days, 1)),
        dormant=dormant,
        activity=activity.describe() if activity else ("no activity" if dormant else ""),
        tier_tables=("dora_2023", "dora_2024"),
        environments=envs,
        history=summary,
    )


def audit_frame(records: Sequence[AuditRecord]) -> pd.DataFrame:
    """The audit trail as a DataFrame with UTC timestamps."""
    import pandas as pd
    columns = ["sha", "deployed_at", "environments", "failed", "is_revert", "is_rollback", "is_hotfix",
               "recovery_hours", "lead_time_hours", "is_bot", "change_path", "signature"]
    data = [{
        "sha": r.sha, "deployed_at": r.deployed_at, "environments": r.environments, "failed": r.failed,
        "is_revert": r.is_revert, "is_rollback": r.is_rollback, "is_hotfix": r.is_hotfix,
        "recovery_hours": r.recovery_hours, "lead_time_hours": r.lead_time_hours, "is_bot": r.is_bot,
        "change_path": r.change_path.value, "signature": r.signature.value,
    } for r in records]
    frame = pd.DataFrame(data, columns=columns)
    frame["deployed_at"] = pd.to_datetime(frame["deployed_at"], utc=True, format="ISO8601")
    return frame


def _env_metrics(rows: pd.DataFrame, start: datetime, end: datetime) -> EnvironmentMetrics:
    n = len(rows)
    if n == 0:
        # No deployment in the period: nothing to place on a tier table ("low" would claim a measurement).
        return EnvironmentMetrics(activity="no deployment in the period")
    days = rows["deployed_at"].dt.floor("D")
    lead = rows["lead_time_hours"].dropna()
    recovery = rows.loc[rows["failed"], "recovery_hours"].dropna()
    remediations = rows["is_revert"] | rows["is_rollback"] | rows["is_hotfix"]
    weeks = max((end - start).total_seconds() / (7 * 86400), 1.0)
    bucket = frequency_bucket(rows["deployed_at"], start, end)
    lead_time = LeadTime(_round(lead.median()), _round(lead.quantile(0.9)), len(lead), int(n - len(lead)))
    restore = Recovery(_round(recovery.median()), len(recovery))
    failure_rate = round(float(rows["failed"].mean()), 3)
    return EnvironmentMetrics(
        deployments=n,
        deployment_days=int(days.nunique()),
        deploys_per_week=round(n / weeks, 2),
        frequency_bucket=bucket,
        lead_time_hours=lead_time,
        failed=int(rows["failed"].sum()),
        change_failure_rate=failure_rate,
        rework_rate=round(float(remediations.mean()), 3),
        recovery_hours=restore,
        tiers=classify_all({"deployment_frequency": bucket, "lead_time": lead_time.median,
                            "change_failure_rate": failure_rate, "recovery_time": restore.median}),
        monthly=_monthly(rows),
    )


def _monthly(rows: pd.DataFrame) -> tuple[MonthlyMetrics, ...]:
    month = rows["deployed_at"].dt.tz_convert("UTC").dt.strftime("%Y-%m")
    remediations = rows["is_revert"] | rows["is_rollback"] | rows["is_hotfix"]
    frame = rows.assign(month=month, day=rows["deployed_at"].dt.floor("D"), rework=remediations)
    out: list[MonthlyMetrics] = []
    for key, group in frame.groupby("month", sort=True):
        lead = group["lead_time_hours"].dropna()
        recovery = group.loc[group["failed"], "recovery_hours"].dropna()
        out.append(MonthlyMetrics(
            month=str(key),
            deployments=len(group),
            deployment_days=int(group["day"].nunique()),
            lead_time_median_hours=_round(lead.median()),
            lead_time_p90_hours=_round(lead.quantile(0.9)),
            change_failure_rate=round(float(group["failed"].mean()), 3),
            recovery_median_hours=_round(recovery.median()),
            rework_rate=round(float(group["rework"].mean()), 3),
        ))
    return tuple(out)


def frequency_bucket(times: pd.Series, start: datetime, end: datetime) -> str:
    """Four Keys' deployment-frequency bucket over a calendar of every day in the window (zero days included)."""
    import pandas as pd
    if times.empty:
        return "yearly"
    # Both ends in UTC: pandas refuses a range between two aware instants of different offsets.
    first, last = pd.Timestamp(start).tz_convert("UTC"), pd.Timestamp(end).tz_convert("UTC")
    calendar = pd.date_range(first.floor("D"), last.floor("D"), freq="D")
    per_day = times.dt.floor("D").value_counts().reindex(calendar, fill_value=0)
    weekly = per_day.resample("W")
    days_deployed = weekly.apply(lambda s: int((s > 0).sum()))
    if days_deployed.median() >= 3:
        per_deploy_day = per_day[per_day > 0].median()
        return "on_demand" if per_deploy_day >= 2 else "daily"
    if (days_deployed > 0).astype(int).median() >= 1:
        return "weekly"
    weeks_with = (days_deployed > 0).astype(int)
    if weeks_with.resample("ME").sum().median() >= 1:
        return "monthly"
    return "yearly"


DIRECT = DIRECT_PATHS
VIA_PR = PR_PATHS
UNSIGNED = SignatureType.NONE


def _history_summary(commits: Sequence[CommitRecord], records: Sequence[AuditRecord], shallow: bool,
                     confirmed_pr: frozenset[str] = frozenset()) -> HistoryFigures:
    """Shares and people over the period's first-parent commits. People are authors (and human co-authors); who
    merged is counted apart; a bot's change counts for the bot, whoever merged it."""
    n = len(commits)
    direct = via_pr = bots = signed = 0
    authors: list[tuple[str, str]] = []
    mergers: set[str] = set()
    types: dict[str, int] = {t.value: 0 for t in SignatureType}
    for c in commits:
        path = change_path(c)[0]
        author = change_author(c)
        bot = bot_kind(*author) is not None
        if path in DIRECT:
            direct += 1
        elif path in VIA_PR:
            via_pr += 1
        bots += bot
        if not bot:
            authors.append(author)
        for trailer in c.co_authors:
            email = _email(trailer)
            if bot_kind(trailer, email) is None:
                authors.append((trailer.rsplit("<", 1)[0].strip(), email))
        merged_by = merger(c)
        if merged_by and bot_kind("", merged_by) is None:
            mergers.add(person_key(merged_by))
        types[c.signature.value] += 1
        signed += c.signature is not UNSIGNED
    return HistoryFigures(
        commits=n,
        human_authors=count_people(authors),
        mergers=len(mergers),
        direct_push_share=_share(direct, n),
        # The commits are the period's without the bootstrap: the same count as the no-human-direct-pushes check.
        human_direct_pushes=len(human_direct_pushes(commits, frozenset(), confirmed_pr)),
        pr_merge_share=_share(via_pr, n),
        signed_share=_share(signed, n),
        bot_share=_share(bots, n),
        signature_types=types,
        deployments=len(records),
        deployments_signed_share=_share(sum(r.signature is not UNSIGNED for r in records), len(records)),
        reverts=sum(r.is_revert for r in records),
        rollbacks=sum(r.is_rollback for r in records),
        hotfixes=sum(r.is_hotfix for r in records),
        emergency_changes=sum(r.is_emergency for r in records),
        shallow=shallow,
    )


def _email(trailer: str) -> str:
    return trailer.rsplit("<", 1)[-1].rstrip(">").strip().lower() if "<" in trailer else trailer.lower()


def _share(part: int, whole: int) -> float | None:
    return round(part / whole, 3) if whole else None


def _round(value: float) -> float | None:
    return None if value != value else round(float(value), 2)  # NaN is the only value unequal to itself
