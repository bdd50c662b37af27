"""The forge collectors behind one interface (forge_collector.ForgeCollector), and the one table that picks a
scan's collector.

Adding a forge: its collector module (a `ForgeCollector`) and one entry in `COLLECTORS`; the model's `Forge` and
`TERMS` say how it names and links things."""

from __future__ import annotations

from pathlib import Path

from assess.collectors.forge_collector import Claim, ForgeCollector
from assess.collectors.github.source import GitHubCollector
from assess.collectors.gitlab.source import GitLabCollector
from assess.model.forge import DEFAULT_FORGE
from assess.settings import Settings

COLLECTORS: tuple[ForgeCollector, ...] = (GitHubCollector(), GitLabCollector())


def pick_collector(settings: Settings) -> ForgeCollector:
    """The collector of the forge the settings point at most strongly; the default forge's when none does (it then
    says why nothing was read)."""
    claim, best = max(((c.claims(settings), -i) for i, c in enumerate(COLLECTORS)))
    if claim is Claim.NONE:
        return next(c for c in COLLECTORS if c.forge is DEFAULT_FORGE)
    return COLLECTORS[-best]


def sample_recording(directory: Path) -> Path | None:
    """A sample's recorded forge answers, if it has any (so `scan --sample` shows the forge's sections offline)."""
    return next((directory / c.recording for c in COLLECTORS if (directory / c.recording).is_file()), None)
