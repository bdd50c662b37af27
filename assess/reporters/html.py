"""The leadership and audit report as one self-contained HTML file (jinja2, autoescaped, no JavaScript)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from assess.model.report import Report
from assess.reporters.presentation import Presentation
from assess.reporters.templates import templates_dir
from assess.reporters.view import build_view


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(
        enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        trim_blocks=True, lstrip_blocks=True)


def render_template(name: str, **context: Any) -> str:
    """A bundled template rendered with the report stylesheet inlined (values autoescaped)."""
    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    return _environment().get_template(name).render(css=Markup(css), **context)


def render(report: Report, presentation: Presentation | None = None) -> str:
    """HTML for a report; every value from the report is escaped, only our own SVG charts are not."""
    view = build_view(report, presentation)
    view["charts"] = {k: Markup(v) for k, v in view["charts"].items()}
    for item in view["delivery"]:
        item["chart"] = Markup(item["chart"])
    return render_template("report.html.j2", **view)
