"""The fleet report as one self-contained HTML page and as PDF (loads matplotlib and WeasyPrint)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from assess.reporters import charts, html, pdf
from assess.reporters.fleet_report import fleet_names


def render_html(fleet: dict[str, Any]) -> str:
    """One self-contained HTML page (autoescaped; only our own SVG chart is not)."""
    names = fleet_names(fleet)
    chart = Markup(charts.distribution(fleet["stage_distribution"], names))
    failure_modes = list(dict.fromkeys(fm for r in fleet["rows"] for fm in r["failure_modes"]))
    return html.render_template("fleet.html.j2", fleet=fleet, chart=chart, stage_names=names,
                                failure_modes=failure_modes)


def render_pdf(fleet: dict[str, Any]) -> bytes:
    """The HTML page as PDF, fetching nothing."""
    return pdf.from_html(render_html(fleet))
