"""The interface every forge collector offers: how strongly a scan points at the forge, and its evidence or why
not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Protocol

from assess.model.forge import Forge, ForgeEvidence
from assess.model.provenance import Unavailable
from assess.settings import Settings


class Claim(IntEnum):
    """How strongly a scan's settings point at a forge."""

    NONE = 0
    ORIGIN = 1  # the origin remote is on the forge's host
    NAMED = 2  # named on the command line, or a sample's recording of it


@dataclass(frozen=True)
class ForgePeriod:
    """What to read: change requests merged since `since`, and the change requests of apparent direct pushes."""

    since: datetime | None
    suspect_shas: tuple[str, ...] = ()


class ForgeCollector(Protocol):
    """One forge's collector: GET only; a repository it cannot read becomes an Unavailable (with the fix), a part of
    it a section whose status says why and which permission would fix it."""

    @property
    def forge(self) -> Forge:
        """The forge this collector reads."""
        ...

    @property
    def recording(self) -> str:
        """File name of a sample's recorded answers of this forge (read offline instead of the network)."""
        ...

    def claims(self, settings: Settings) -> Claim:
        """How strongly the settings point at this forge."""
        ...

    def collect(self, settings: Settings, period: ForgePeriod, now: datetime,
                progress: Callable[[str], None]) -> ForgeEvidence | Unavailable:
        """The repository's evidence, or why it could not be read (never raises for an API or network failure)."""
        ...
