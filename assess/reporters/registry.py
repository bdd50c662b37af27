"""The output formats, one entry each: name, file names, writers for a report and for a fleet.

`scan`, `render`, `merge` and organisation scans all read this table, so a format is added in one place. Formats
from other packages register through the `gitops_assess.formats` entry-point group: the entry point names a
callable returning an `OutputFormat`. Reporters that pull in matplotlib or WeasyPrint are imported only when their
format is asked for."""

from __future__ import annotations

import importlib
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from importlib.metadata import entry_points
from typing import Any

from assess.model.report import Report
from assess.reporters.presentation import Presentation

ENTRY_POINT_GROUP = "gitops_assess.formats"


@dataclass(frozen=True)
class ReportInput:
    """What every report writer receives: the typed report and how much detail to give (the JSON writer serialises
    the report itself)."""

    report: Report
    verbose: bool = False
    presentation: Presentation | None = None  # title and organisation of the documents

    def __post_init__(self) -> None:
        # Plugins are called from untyped code too: a report JSON dict here would fail deep inside a writer.
        if not isinstance(self.report, Report):
            raise TypeError(f"a writer takes a Report, not {type(self.report).__name__} "
                            "(a report JSON is read with Report.from_json)")


@dataclass(frozen=True)
class FleetInput:
    """What every fleet writer receives: the merged fleet summary and the typed repository reports it was made
    from."""

    fleet: dict[str, Any]
    reports: tuple[Report, ...]

    def __post_init__(self) -> None:
        wrong = [type(r).__name__ for r in self.reports if not isinstance(r, Report)]
        if wrong:
            raise TypeError(f"a fleet writer takes Reports, not {wrong[0]}")


@dataclass(frozen=True)
class OutputFormat:
    """One output format."""

    name: str
    file_name: str
    fleet_file_name: str
    write: Callable[[ReportInput], str | bytes]
    write_fleet: Callable[[FleetInput], str | bytes] | None = None
    binary: bool = False  # cannot go to stdout
    needs_charts: bool = False  # imports matplotlib or WeasyPrint when used


def _lazy(module: str, function: str) -> Callable[..., Any]:
    """A writer whose module is imported on first use (importing the chart and PDF stack costs seconds)."""
    def call(*args: Any) -> Any:
        return getattr(importlib.import_module(f"assess.reporters.{module}"), function)(*args)
    return call


def _report(module: str, function: str = "render", document: bool = False) -> Callable[[ReportInput], str | bytes]:
    """A writer of the report alone, or (a document) of the report with its title and organisation."""
    writer = _lazy(module, function)

    def write(given: ReportInput) -> str | bytes:
        if document:
            return writer(given.report, given.presentation)  # type: ignore[no-any-return]
        return writer(given.report)  # type: ignore[no-any-return]
    return write


def _fleet(module: str, function: str, of: str = "fleet") -> Callable[[FleetInput], str | bytes]:
    writer = _lazy(module, function)
    return lambda given: writer(given.fleet if of == "fleet" else given.reports)


def _terminal(given: ReportInput) -> str:
    from assess.reporters import terminal
    return terminal.render(given.report, given.verbose)


BUILT_IN: tuple[OutputFormat, ...] = (
    OutputFormat("terminal", "summary.txt", "fleet.txt", _terminal, _fleet("fleet_report", "render_terminal")),
    OutputFormat("json", "report.json", "fleet.json", _report("json_report"),
                 _fleet("fleet_report", "render_json")),
    OutputFormat("html", "report.html", "fleet.html", _report("html", document=True),
                 _fleet("fleet_document", "render_html"),
                 needs_charts=True),
    OutputFormat("pdf", "report.pdf", "fleet.pdf", _report("pdf", document=True),
                 _fleet("fleet_document", "render_pdf"),
                 binary=True, needs_charts=True),
    OutputFormat("sarif", "report.sarif", "fleet.sarif", _report("sarif"),
                 _fleet("fleet_report", "render_sarif", of="reports")),
    OutputFormat("junit", "junit.xml", "fleet-junit.xml", _report("junit"),
                 _fleet("fleet_report", "render_junit", of="reports")),
    OutputFormat("md", "summary.md", "fleet.md", _report("markdown"), _fleet("fleet_report", "render_markdown")),
)


def output_formats() -> Mapping[str, OutputFormat]:
    """The built-in formats, then those other installed packages register (a plugin cannot replace a built-in)."""
    table = {f.name: f for f in BUILT_IN}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        if point.name in table:
            continue
        try:
            made = point.load()()
        except Exception as exc:  # a broken plugin must not break the built-in formats
            logging.getLogger(__name__).warning("output format %s (%s) not loaded: %s: %s", point.name, point.value,
                                                type(exc).__name__, exc)
            continue
        if isinstance(made, OutputFormat) and made.name == point.name:
            table[made.name] = made
    return table
