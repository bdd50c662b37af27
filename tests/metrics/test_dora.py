"""DORA metrics: tiers as data, frequency buckets, and figures that match plain `git` on the samples."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from assess.collectors.samples import get_sample, materialise
from assess.derive.deployment import glob_regex
from assess.engine import Settings, run_assessment
from assess.metrics.dora import frequency_bucket
from assess.metrics.tiers import classify, tier_tables


@pytest.mark.parametrize(("table", "metric", "value", "level"), [
    ("dora_2024", "lead_time", 6.2, "elite"),
    ("dora_2024", "lead_time", 30, "high"),
    ("dora_2024", "lead_time", 200, "medium"),
    ("dora_2024", "lead_time", 1000, "low"),
    ("dora_2023", "change_failure_rate", 0.05, "elite"),
    ("dora_2023", "change_failure_rate", 0.12, "medium"),
    ("dora_2023", "change_failure_rate", 0.3, "low"),
    ("dora_2024", "change_failure_rate", 0.09, "medium"),  # the 2024 table is not monotonic
    ("dora_2024", "change_failure_rate", 0.18, "high"),
    ("dora_2024", "change_failure_rate", 0.5, "low"),
    ("dora_2023", "recovery_time", 0.5, "elite"),
    ("dora_2023", "recovery_time", 100, "medium"),
    ("dora_2024", "deployment_frequency", "on_demand", "elite"),
    ("dora_2024", "deployment_frequency", "monthly", "medium"),
])
def test_tiers(table: str, metric: str, value: float | str, level: str) -> None:
    assert classify(table, metric, value) == level


def test_tier_tables_are_versioned_data() -> None:
    tables = tier_tables()
    assert {"dora_2023", "dora_2024"} <= set(tables)
    assert tables["dora_2024"]["cfr"]["values"]["high"] == 0.20


def _times(days: list[float]) -> pd.Series:
    start = datetime(2026, 1, 5, 10, tzinfo=UTC)
    return pd.Series(pd.to_datetime([start + timedelta(days=d) for d in days], utc=True))


def test_frequency_buckets_count_deployment_days_over_the_calendar() -> None:
    start, end = datetime(2026, 1, 5, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    every_weekday_twice = [w * 7 + d + h for w in range(8) for d in range(5) for h in (0, 0.1)]
    assert frequency_bucket(_times(every_weekday_twice), start, end) == "on_demand"
    assert frequency_bucket(_times([w * 7 + d for w in range(8) for d in range(4)]), start, end) == "daily"
    assert frequency_bucket(_times([w * 7 for w in range(8)]), start, end) == "weekly"
    assert frequency_bucket(_times([0, 30]), start, end) == "monthly"
    assert frequency_bucket(_times([0]), start, datetime(2026, 9, 1, tzinfo=UTC)) == "yearly"


def plain(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


def test_sample_metrics_match_plain_git(tmp_path: Path) -> None:
    sample = get_sample("stage3-platform")
    repo = materialise(sample, tmp_path / "r")
    report, _ = run_assessment(Settings(path=str(repo), until=sample.as_of, now=sample.as_of))
    metrics = report.metrics
    period = report.window.period
    assert metrics is not None and metrics.history is not None and period is not None
    assert period.label == "last 90 days" and period.days == 90.0
    span = [f"--since={period.start}", f"--until={period.end}"]
    # Distinct people among first-parent authors of the period (bots excluded), from plain git.
    emails = {e.lower() for e in plain(repo, "log", "--first-parent", "--format=%aE", *span).split()}
    people = {e for e in emails if "[bot]" not in e and "fluxcdbot" not in e}
    assert metrics.history.human_authors == len(people)
    # Deployments and deployment days of production: commits touching its paths.
    matcher = glob_regex(tuple((report.window.environments or {})["production"]))
    shas = []
    for block in plain(repo, "log", "--first-parent", "--name-only", "--format=@%H", *span, "main").split("@")[1:]:
        sha, *names = block.split()
        if any(matcher.match(n) for n in names):
            shas.append(sha)
    env = metrics.environments["production"]
    assert env.deployments == len(shas)
    days = {plain(repo, "show", "-s", "--format=%cI", s).strip()[:10] for s in shas}
    assert env.deployment_days == len(days)
    # Reverts: merge subjects of GitHub revert branches.
    reverts = [s for s in plain(repo, "log", "--first-parent", "--format=%s", *span).splitlines() if "/revert-" in s]
    assert metrics.history.reverts == len(reverts)
    assert env.failed >= len(reverts)
    assert env.change_failure_rate == pytest.approx(env.failed / env.deployments, abs=0.001)
    # Monthly rows add up to the total.
    assert sum(m.deployments for m in env.monthly) == env.deployments
    assert set(env.tiers or {}) == {"dora_2023", "dora_2024"}
    # Direct-push share: first-parent commits without PR markers, committed by a person.
    subjects = plain(repo, "log", "--first-parent", "--format=%s%x09%ce", *span).splitlines()
    direct = [s for s in subjects if "(#" not in s and not s.startswith("Merge pull request")]
    assert metrics.history.direct_push_share == round(len(direct) / len(subjects), 3)
