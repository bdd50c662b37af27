"""The leadership and audit report as one self-contained HTML file (jinja2, autoescaped, no JavaScript)."""

from __future__ import annotations

from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from assess.reporters.templates import templates_dir
from assess.reporters.view import build_view


def _environment() -> Environment:
    return Environment(loader=FileSystemLoader(str(templates_dir())), autoescape=select_autoescape(
        enabled_extensions=("html", "j2"), default_for_string=True, default=True),
        trim_blocks=True, lstrip_blocks=True)


def render(report: dict[str, Any]) -> str:
    """HTML for a report JSON; every value from the report is escaped, only our own SVG charts are not."""
    env = _environment()
    view = build_view(report)
    view["charts"] = {k: Markup(v) for k, v in view["charts"].items()}
    for item in view["delivery"]:
        item["chart"] = Markup(item["chart"])
    css = (templates_dir() / "report.css").read_text(encoding="utf-8")
    return env.get_template("report.html.j2").render(css=Markup(css), **view)
