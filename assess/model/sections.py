"""The typed sections of the report: target, window, delivery metrics, forge summary, timeline, deployment, policy.

Field order is the key order of the report JSON. Every field has a default so that older reports (schema 1.x, early
2.0), which lack some keys, still load; fields marked OMIT_NONE (or OMIT_WITHOUT) are left out of the JSON when unset,
as the keys were before these sections were typed."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assess.model.activity import Activity, Bootstrap, Historical
from assess.model.codec import OMIT_NONE, omit_without, to_plain
from assess.model.deployment import EntryPoint, ExternalSource
from assess.model.forge import BranchPolicy, Collaborator, Deployment


@dataclass(frozen=True)
class Target:
    """What was assessed: the repository, its revision, and what kind of repository it was judged to be."""

    name: str = ""
    path: str = ""
    revision: str | None = None
    ref: str | None = None
    worktree: bool = False
    kind: str | None = field(default=None, metadata=OMIT_NONE)
    kind_reason: str | None = field(default=None, metadata=OMIT_NONE)
    kind_overridden: bool | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class PeriodSummary:
    """One period of the report (practice, audit or gate): its bounds, label and length in days."""

    start: str | None = None
    end: str = ""
    label: str = ""
    days: float | None = None


@dataclass(frozen=True)
class ActivitySummary(Activity):
    """Activity in the period, with its sentence."""

    summary: str = ""


@dataclass(frozen=True)
class HistoricalSummary(Historical):
    """Offences older than the period, with their sentence."""

    summary: str = ""


@dataclass(frozen=True)
class Window:
    """The assessment period every figure refers to; the history keys are absent when no history was read."""

    branch: str | None = field(default=None, metadata=OMIT_NONE)
    tip: str | None = field(default=None, metadata=OMIT_NONE)
    start: str | None = field(default=None, metadata=OMIT_NONE)
    end: str | None = field(default=None, metadata=OMIT_NONE)
    period: PeriodSummary | None = field(default=None, metadata=OMIT_NONE)
    audit_period: PeriodSummary | None = field(default=None, metadata=OMIT_NONE)
    environments: dict[str, tuple[str, ...]] | None = field(default=None, metadata=OMIT_NONE)
    activity: ActivitySummary | None = field(default=None, metadata=OMIT_NONE)
    bootstrap: Bootstrap | None = field(default=None, metadata=OMIT_NONE)
    # null when history was read and had no older offence; absent when no history was read
    historical: HistoricalSummary | None = field(default=None, metadata=omit_without("activity"))
    audit_records: int | None = field(default=None, metadata=OMIT_NONE)
    gate_period: PeriodSummary | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class MetricsWindow:
    """The interval the delivery figures cover."""

    start: str = ""
    end: str = ""
    days: float = 0


@dataclass(frozen=True)
class LeadTime:
    """Lead time for changes, in hours; `unavailable` counts deployments whose lead time is unknown."""

    median: float | None = None
    p90: float | None = None
    count: int = 0
    unavailable: int | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class Recovery:
    """Time to restore after a failed deployment, in hours."""

    median: float | None = None
    count: int = 0


@dataclass(frozen=True)
class MonthlyMetrics:
    """The DORA figures of one environment in one month."""

    month: str = ""
    deployments: int = 0
    deployment_days: int = 0
    lead_time_median_hours: float | None = None
    lead_time_p90_hours: float | None = None
    change_failure_rate: float | None = None
    recovery_median_hours: float | None = None
    rework_rate: float | None = None


@dataclass(frozen=True)
class EnvironmentMetrics:
    """DORA figures of one environment over the period, with tiers per table ({table: {metric: level}})."""

    deployments: int = 0
    deployment_days: int = 0
    deploys_per_week: float = 0.0
    frequency_bucket: str | None = None
    lead_time_hours: LeadTime = field(default_factory=LeadTime)
    failed: int = 0
    change_failure_rate: float | None = None
    rework_rate: float | None = None
    recovery_hours: Recovery = field(default_factory=Recovery)
    tiers: dict[str, dict[str, str | None]] | None = None
    monthly: tuple[MonthlyMetrics, ...] = ()
    activity: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class HistoryFigures:
    """Shares and people over the period's first-parent commits."""

    commits: int = 0
    human_authors: int | None = field(default=None, metadata=OMIT_NONE)  # None in reports before schema 2.0
    mergers: int = 0
    direct_push_share: float | None = None
    human_direct_pushes: int = 0
    pr_merge_share: float | None = None
    signed_share: float | None = None
    bot_share: float | None = None
    signature_types: dict[str, int] = field(default_factory=dict)
    deployments: int = 0
    deployments_signed_share: float | None = None
    reverts: int = 0
    rollbacks: int = 0
    hotfixes: int = 0
    emergency_changes: int = 0
    shallow: bool = False
    deploys_per_week: float | None = None
    production_environments: tuple[str, ...] = ()
    human_committers: int | None = field(default=None, metadata=OMIT_NONE)  # what 1.x reports counted instead


@dataclass(frozen=True)
class ChangeManagement:
    """Change-management figures of the audit trail and the sentence every format states them with."""

    population: int = 0
    through_pr: int = 0
    direct: int = 0
    root_commits: int = 0
    approval_known: int = 0
    approval_unknown: int = 0
    independently_approved: int = 0
    exceptions: int = 0
    statement: str = ""
    outcome: str = ""


@dataclass(frozen=True)
class Metrics:
    """Delivery (DORA) figures per environment and the period's history figures."""

    window: MetricsWindow = field(default_factory=MetricsWindow)
    dormant: bool = False
    activity: str = ""
    tier_tables: tuple[str, ...] = ()
    environments: dict[str, EnvironmentMetrics] = field(default_factory=dict)
    history: HistoryFigures | None = field(default=None, metadata=OMIT_NONE)
    tiers_withheld: str | None = field(default=None, metadata=OMIT_NONE)
    change_management: ChangeManagement | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class SectionGap:
    """A part of the forge API the token could not read, and the permission that fixes it."""

    reason: str | None = None
    fix: str | None = None


@dataclass(frozen=True)
class ForgeSummary:
    """The forge section of the report (the `github` key): effective branch policy, review and CI figures, access."""

    forge: str | None = field(default=None, metadata=OMIT_NONE)  # absent for GitHub, whose section predates it
    repo: str = ""
    read_at: str = ""
    html_url: str = ""
    default_branch: str = ""
    authenticated: bool = False
    policy: BranchPolicy | None = None
    not_visible: dict[str, SectionGap] = field(default_factory=dict)
    merged_pull_requests: int = 0
    independently_approved: int | None = None
    ci_runs: int = 0
    ci_success_rate: float | None = None
    deployments: tuple[Deployment, ...] = ()
    access: tuple[Collaborator, ...] = ()
    codeowners_errors: tuple[str, ...] = ()
    requests: int = 0
    conditional_hits: int = 0


@dataclass(frozen=True)
class TimelinePoint:
    """The stage at one month end, judged like the headline."""

    at: str = ""
    month: str = ""
    commit: str | None = None
    stage: int = 0
    basis: str = "declared"
    provisional: bool = False
    progress: dict[str, int] = field(default_factory=dict)
    blockers: tuple[str, ...] = ()
    dormant: bool = False
    note: str | None = field(default=None, metadata=OMIT_NONE)


@dataclass(frozen=True)
class EnvironmentPaths:
    """The paths of one environment and how they were found."""

    paths: tuple[str, ...] = ()
    how: str = ""


@dataclass(frozen=True)
class NotDeployed:
    """A directory of manifests that no reconciler applies, and how many files it holds."""

    path: str = ""
    files: int = 0


@dataclass(frozen=True)
class DeploymentSummary:
    """What the reconcilers apply: environments, entry points, external sources and what nothing applies."""

    basis: str = "none"
    environments: dict[str, EnvironmentPaths] = field(default_factory=dict)
    production: tuple[str, ...] = ()
    entry_points: tuple[EntryPoint, ...] = ()
    external: tuple[ExternalSource, ...] = ()
    not_deployed: tuple[NotDeployed, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class WaiverSummary:
    """One waiver of the policy."""

    check: str = ""
    scope: str | None = None
    owner: str = ""
    expires: str = ""
    reason: str = ""


@dataclass(frozen=True)
class NotApplied:
    """One way the reviewed tree's policy would have weakened the trusted one, not applied."""

    what: str = ""
    check: str = ""
    detail: str = ""


@dataclass(frozen=True)
class PolicySummary:
    """The policy the scan was judged with: its source, every disabled check and waiver, and what was not applied."""

    source: str = ""
    file: str | None = None
    disabled: tuple[str, ...] = ()
    enabled_only: tuple[str, ...] | None = None
    waivers: tuple[WaiverSummary, ...] = ()
    not_applied: tuple[NotApplied, ...] = ()


def plain_or_empty(value: Any) -> Any:
    """A section as JSON, `{}` when the report has none (the key is always present)."""
    return to_plain(value) if value is not None else {}
