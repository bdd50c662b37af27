"""Charts as inline SVG (matplotlib, object API only, no global state): deterministic from run to run."""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from assess.model.codec import from_plain
from assess.model.sections import MonthlyMetrics, TimelinePoint
from assess.policy.maturity import packaged

GREEN, AMBER, RED, GREY, BLUE, INK = "#2e7d32", "#f9a825", "#c62828", "#9e9e9e", "#1565c0", "#263238"
STYLE = {
    "svg.hashsalt": "gitops-assess",  # stable ids inside the SVG
    "svg.fonttype": "none",           # real text (escaped by matplotlib): small, fast to render, searchable
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}


@contextmanager
def _style() -> Iterator[None]:
    with matplotlib.rc_context(cast(Any, STYLE)):
        yield


def _svg(fig: Figure, prefix: str) -> str:
    buffer = io.StringIO()
    fig.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None}, bbox_inches="tight")
    text = buffer.getvalue()
    # Drop the XML prolog and doctype: the SVG is inlined in HTML.
    text = re.sub(r"^.*?(<svg)", r"\1", text, count=1, flags=re.S)
    text = re.sub(r"<metadata>.*?</metadata>", "", text, flags=re.S)
    # Several charts share one HTML document: give every id (and every reference to it) a per-chart prefix.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{prefix}-\1"', text)
    text = re.sub(r'(xlink:href|href)="#([^"]+)"', rf'\1="#{prefix}-\2"', text)
    return re.sub(r"url\(#([^)]+)\)", rf"url(#{prefix}-\1)", text)


def no_data(prefix: str, what: str) -> str:
    """A small chart-sized note instead of an empty chart."""
    with _style():
        fig = Figure(figsize=(6.4, 0.5))
        ax = fig.add_subplot()
        ax.axis("off")
        ax.text(0, 0.5, f"{what}: no data", va="center", color=GREY)
        return _svg(fig, prefix)


def stage_ladder(reached: int, progress: dict[str, int], names: Mapping[int, str] | None = None) -> str:
    """The stages above 0 with the same progress figures as the tables (a reached stage may be below 100%)."""
    names = names or packaged().stage_names
    stages = range(1, max(names) + 1)
    with _style():
        fig = Figure(figsize=(6.4, 2.3 if len(stages) <= 4 else 0.5 * len(stages) + 0.3))
        ax = fig.add_subplot()
        for n in stages:
            pct = progress.get(str(n), 0)
            color = GREEN if n <= reached else (AMBER if n == reached + 1 else GREY)
            ax.barh(n, 100, color="#eceff1", height=0.62)
            ax.barh(n, pct, color=color, height=0.62)
            state = "reached" if n <= reached else "not reached"
            ax.text(102, n, f"{pct}% · {state}", va="center", color=INK)
        ax.set_yticks(stages, [f"{n} {names[n]}" for n in stages])
        ax.invert_yaxis()
        ax.set_xlim(0, 140)
        ax.set_xticks([0, 50, 100], ["0%", "50%", "100%"])
        ax.set_xlabel("checks passing, severity-weighted")
        ax.set_title(f"Stage reached: {reached} — {names[reached]}", loc="left", color=INK)
        return _svg(fig, "ladder")


def timeline(points: Sequence[TimelinePoint]) -> str:
    """The stage reached at each month end."""
    with _style():
        fig = Figure(figsize=(6.4, 2.2))
        ax = fig.add_subplot()
        months = [p.month for p in points]
        stages = [p.stage for p in points]
        ax.step(range(len(months)), stages, where="post", color=BLUE, linewidth=2)
        ax.scatter(range(len(months)), stages, color=BLUE, s=14, zorder=3)
        ax.set_xticks(range(len(months)), months, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(0, 5))
        ax.set_ylim(-0.2, 4.3)
        ax.set_ylabel("stage reached")
        ax.set_xlabel("month end")
        ax.grid(axis="y", color="#eceff1")
        return _svg(fig, "timeline")


def _month_index(month: str) -> int:
    year, _, mon = month.partition("-")
    return int(year) * 12 + int(mon) - 1


def dora_trends(given: Sequence[MonthlyMetrics | Mapping[str, Any]], env: str) -> str:
    """Deployments per month and median lead time for one environment, on a real calendar axis (months without
    a deployment are gaps, not neighbours). Months may also be given as in the report JSON."""
    monthly = [m if isinstance(m, MonthlyMetrics) else from_plain(MonthlyMetrics, m) for m in given]
    prefix = "dora-" + re.sub(r"[^a-z0-9]+", "-", env.lower())
    if not monthly:
        return no_data(prefix, f"{env}: deployments per month")
    with _style():
        fig = Figure(figsize=(6.4, 2.4))
        ax = fig.add_subplot()
        xs = [_month_index(m.month) for m in monthly]
        counts = [m.deployments for m in monthly]
        ax.bar(xs, counts, width=0.8, color="#90caf9", label="deployments")
        ax.set_ylabel("deployments per month")
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # deployments come whole
        ax.set_ylim(0, max([*counts, 1]) * 1.15)
        first, last = min(xs), max(xs)
        step = max(1, (last - first + 1) // 12)
        ticks = list(range(first, last + 1, step))
        ax.set_xticks(ticks, [f"{t // 12}-{t % 12 + 1:02d}" for t in ticks], rotation=45, ha="right", fontsize=7)
        ax.set_xlim(first - 0.6, last + 0.6)
        ax.set_xlabel("month (calendar axis: gaps are months without a deployment)")
        lead = [(x, m.lead_time_median_hours) for x, m in zip(xs, monthly, strict=True)
                if m.lead_time_median_hours is not None]
        twin = ax.twinx()
        if lead:
            twin.plot([x for x, _ in lead], [v for _, v in lead], color=AMBER, marker="o", markersize=3,
                      linestyle="none" if len(lead) == 1 else "-", label="median lead time (h)")
        twin.set_ylabel("median lead time (hours)")
        twin.set_ylim(bottom=0)
        twin.spines["top"].set_visible(False)
        ax.set_title(f"{env}: deployments (bars) and median lead time (line) per month", loc="left", color=INK)
        return _svg(fig, prefix)


def distribution(counts: dict[str, int], names: Mapping[int, str] | None = None) -> str:
    """How many repositories sit at each stage."""
    names = names or packaged().stage_names
    stages = range(max(names) + 1)
    with _style():
        fig = Figure(figsize=(6.4, 2.6))
        ax = fig.add_subplot()
        values = [counts.get(str(n), 0) for n in stages]
        # the last stage blue, the first grey, stage 1 amber, the rest green (the seed's five: grey amber green green
        # blue)
        ax.bar(stages, values, color=[GREY if n == 0 else BLUE if n == stages[-1] else AMBER if n == 1 else GREEN
                                      for n in stages])
        for n, v in enumerate(values):
            ax.text(n, v, str(v), ha="center", va="bottom", color=INK)
        # names wrapped onto two lines so that five of them fit under the bars without overlapping
        ax.set_xticks(stages, [f"{n}\n{textwrap.fill(names[n], 16)}" for n in stages], fontsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # repositories come whole
        ax.set_ylim(0, max([*values, 1]) * 1.2)
        ax.set_ylabel("repositories")
        return _svg(fig, "distribution")
