"""How the HTML/PDF document is titled (light: the CLI imports it without the chart libraries)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Presentation:
    """The report title and the organisation it is for (from --title/--organisation or the config file)."""

    title: str | None = None
    organisation: str | None = None
