"""The interface every forge's organisation scan offers (`--github-org`, `--gitlab-group`): list the repositories of
an owner, assess one of them, and place its report; and the one table that picks a forge's scanner.

Adding a forge's organisation scan: its module (a `ForgeOrgScanner`) and one entry in `ORG_SCANNERS`."""

from __future__ import annotations

import fnmatch
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from assess.model.forge import Forge
from assess.model.report import Report
from assess.settings import Settings

DEFAULT_WINDOW_DAYS = 90


@dataclass(frozen=True)
class OrgFilters:
    """Which repositories of the organisation to assess."""

    include_archived: bool = False
    include_forks: bool = False
    topics: tuple[str, ...] = ()
    name_pattern: str | None = None
    shard: tuple[int, int] | None = None

    def keep(self, repo: dict[str, Any]) -> bool:
        """Whether a repository (as listed by the API, in GitHub's shape) passes the filters."""
        if repo.get("archived") and not self.include_archived:
            return False
        if repo.get("fork") and not self.include_forks:
            return False
        if self.topics and not set(self.topics) <= set(repo.get("topics") or ()):
            return False
        return not (self.name_pattern and not fnmatch.fnmatch(str(repo.get("name")), self.name_pattern))

    def sharded(self, names: list[str]) -> list[str]:
        """The names of this shard (all of them without --shard)."""
        if self.shard is None:
            return names
        index, total = self.shard
        # by a hash of the name, not its position: a repository created between two matrix jobs
        # must not shift every other repository into a different shard (seen twice or never)
        return [n for n in names if zlib.crc32(n.encode()) % total == index - 1]


@dataclass(frozen=True)
class RepoOutcome:
    """One repository of an organisation scan: its report, or why there is none."""

    repo: str
    report: Report | None
    error: str | None = None


class OwnerUnreadableError(Exception):
    """The owner's repositories cannot be listed; the message says which owner and why."""


class ForgeOrgScanner(Protocol):
    """One forge's organisation scan: GET only; a repository it cannot assess becomes an outcome with the reason."""

    @property
    def forge(self) -> Forge:
        """The forge this scanner reads."""
        ...

    def list_repos(self, settings: Settings, owner: str, filters: OrgFilters) -> list[str]:
        """Names of the owner's repositories that pass the filters (sorted, sharded if asked); raises
        OwnerUnreadableError when they cannot be listed."""
        ...

    def scan_one(self, settings: Settings, name: str, since: datetime, now: datetime) -> RepoOutcome:
        """Assess one repository; failures become outcomes, never exceptions."""
        ...

    def report_dir(self, output: Path, name: str) -> Path:
        """Where one repository's report goes: always a direct child of `output`."""
        ...


ScanOne = Callable[[Settings, str, datetime, datetime], RepoOutcome]


def scan_each(settings: Settings, names: list[str], concurrency: int, scan_one: ScanOne,
              advance: Callable[[str], None] = lambda _: None) -> list[RepoOutcome]:
    """Assess each repository or project with `scan_one` (bounded concurrency), sorted by name; `scan_one` turns
    failures into outcomes, never exceptions."""
    now = settings.now or datetime.now(UTC)
    since = settings.since or now - timedelta(days=DEFAULT_WINDOW_DAYS)
    outcomes: list[RepoOutcome] = []
    with ThreadPoolExecutor(max_workers=max(concurrency, 1)) as pool:
        futures = {pool.submit(scan_one, settings, name, since, now): name for name in names}
        for future in as_completed(futures):
            outcomes.append(future.result())
            advance(futures[future])
    return sorted(outcomes, key=lambda o: o.repo)


def scan_owner(scanner: ForgeOrgScanner, settings: Settings, names: list[str], concurrency: int,
               advance: Callable[[str], None] = lambda _: None) -> list[RepoOutcome]:
    """Assess each listed repository of an owner on the scanner's forge; failures become outcomes."""
    return scan_each(settings, names, concurrency, scanner.scan_one, advance)
