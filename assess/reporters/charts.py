"""Charts as inline SVG (matplotlib, object API only, no global state): deterministic from run to run."""

from __future__ import annotations

import io
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import matplotlib
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from assess.model.check import STAGE_NAMES

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


def stage_ladder(reached: int, progress: dict[str, int]) -> str:
    """The four stages as a ladder: reached stages full, the next one with its partial credit."""
    with _style():
        fig = Figure(figsize=(6.4, 2.3))
        ax = fig.add_subplot()
        for n in range(1, 5):
            pct = 100 if n <= reached else progress.get(str(n), 0)
            color = GREEN if n <= reached else (AMBER if n == reached + 1 else GREY)
            ax.barh(n, 100, color="#eceff1", height=0.62)
            ax.barh(n, pct, color=color, height=0.62)
            ax.text(102, n, f"{pct}%", va="center", color=INK)
        ax.set_yticks(range(1, 5), [f"{n} {STAGE_NAMES[n]}" for n in range(1, 5)])
        ax.set_xlim(0, 115)
        ax.set_xticks([])
        ax.spines["bottom"].set_visible(False)
        ax.set_title(f"Stage reached: {reached} — {STAGE_NAMES[reached]}", loc="left", color=INK)
        return _svg(fig, "ladder")


def signals(rows: list[dict[str, Any]]) -> str:
    """Readiness signals as a row of status markers."""
    colors = {"met": GREEN, "not-met": RED, "unknown": GREY}
    with _style():
        fig = Figure(figsize=(6.4, 1.6))
        ax = fig.add_subplot()
        for i, row in enumerate(rows):
            ax.scatter(i, 0, s=420, color=colors.get(row["status"], GREY))
            ax.text(i, -0.55, _wrap(row["name"]), ha="center", va="top", fontsize=8, color=INK)
        ax.set_xlim(-0.6, len(rows) - 0.4)
        ax.set_ylim(-1.5, 0.6)
        ax.axis("off")
        return _svg(fig, "signals")


def timeline(points: list[dict[str, Any]]) -> str:
    """The stage reached at each month end."""
    with _style():
        fig = Figure(figsize=(6.4, 2.2))
        ax = fig.add_subplot()
        months = [p["month"] for p in points]
        stages = [p.get("stage") or 0 for p in points]
        ax.step(range(len(months)), stages, where="post", color=BLUE, linewidth=2)
        ax.scatter(range(len(months)), stages, color=BLUE, s=14, zorder=3)
        ax.set_xticks(range(len(months)), months, rotation=45, ha="right", fontsize=7)
        ax.set_yticks(range(0, 5))
        ax.set_ylim(-0.2, 4.3)
        ax.set_ylabel("stage")
        ax.grid(axis="y", color="#eceff1")
        return _svg(fig, "timeline")


def dora_trends(monthly: list[dict[str, Any]], env: str) -> str:
    """Deployments per month and median lead time for one environment."""
    with _style():
        fig = Figure(figsize=(6.4, 2.2))
        ax = fig.add_subplot()
        months = [m["month"] for m in monthly]
        ax.bar(range(len(months)), [m["deployments"] for m in monthly], color="#90caf9", label="deployments")
        ax.set_ylabel("deployments")
        ax.set_xticks(range(len(months)), months, rotation=45, ha="right", fontsize=7)
        lead = ax.twinx()
        lead.plot(range(len(months)), [m.get("lead_time_median_hours") or 0 for m in monthly], color=AMBER,
                  marker="o", markersize=3, label="median lead time (h)")
        lead.set_ylabel("lead time (h)")
        lead.spines["top"].set_visible(False)
        ax.set_title(f"{env}: deployments and median lead time per month", loc="left", color=INK)
        return _svg(fig, "dora-" + re.sub(r"[^a-z0-9]+", "-", env.lower()))


def _wrap(text: str, width: int = 14) -> str:
    words, lines, line = text.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines)


def distribution(counts: dict[str, int]) -> str:
    """How many repositories sit at each stage."""
    with _style():
        fig = Figure(figsize=(6.4, 2.6))
        ax = fig.add_subplot()
        values = [counts.get(str(n), 0) for n in range(5)]
        ax.bar(range(5), values, color=[GREY, AMBER, GREEN, GREEN, BLUE])
        for n, v in enumerate(values):
            ax.text(n, v, str(v), ha="center", va="bottom", color=INK)
        # names wrapped onto two lines so that five of them fit under the bars without overlapping
        ax.set_xticks(range(5), [f"{n}\n{textwrap.fill(STAGE_NAMES[n], 16)}" for n in range(5)], fontsize=7)
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))  # repositories come whole
        ax.set_ylim(0, max([*values, 1]) * 1.2)
        ax.set_ylabel("repositories")
        return _svg(fig, "distribution")
