"""The same report as PDF through WeasyPrint, fetching nothing beyond the bundled templates."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from assess.model.report import Report
from assess.reporters import html
from assess.reporters.presentation import Presentation
from assess.reporters.templates import templates_dir


class BundledOnlyFetcher(URLFetcher):  # type: ignore[misc]
    """Refuses every URL except files inside the template directory and inline data URLs."""

    def __init__(self, root: Path) -> None:
        super().__init__(allowed_protocols=("file", "data"), allow_redirects=False)
        self.root = root.resolve()

    def fetch(self, url: str, headers: Any = None) -> Any:
        """Fetch a bundled asset; anything else is refused (WeasyPrint then skips the resource)."""
        if url.startswith("data:"):
            return super().fetch(url, headers)
        if url.startswith("file://"):
            path = Path(url[len("file://"):].split("?")[0]).resolve()
            if path == self.root or self.root in path.parents:
                return super().fetch(url, headers)
        raise ValueError(f"refused to fetch {url}: the report uses bundled assets only")


def from_html(page: str) -> bytes:
    """PDF bytes for one of our HTML pages, fetching nothing but the bundled assets."""
    root = templates_dir()
    data: bytes = HTML(string=page, base_url=str(root), url_fetcher=BundledOnlyFetcher(root)).write_pdf()
    return data


def render(report: Report, presentation: Presentation | None = None) -> bytes:
    """PDF bytes for a report (page numbers, running headers and a table of contents come from the CSS)."""
    return from_html(html.render(report, presentation))
