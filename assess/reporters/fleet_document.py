"""The fleet report as one self-contained HTML page and as PDF (loads matplotlib and WeasyPrint)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup

from assess.model.check import STAGE_NAMES
from assess.reporters import charts, html, pdf


def render_html(fleet: dict[str, Any]) -> str:
    """One self-contained HTML page (autoescaped; only our own SVG chart is not)."""
    chart = Markup(charts.distribution(fleet["stage_distribution"]))
    return html.render_template("fleet.html.j2", fleet=fleet, chart=chart, stage_names=STAGE_NAMES)


def render_pdf(fleet: dict[str, Any]) -> bytes:
    """The HTML page as PDF, fetching nothing."""
    return pdf.from_html(render_html(fleet))
