"""Organisation-wide scans: every repository's declared state (from its GitHub archive) and GitHub evidence,
assessed concurrently; one report per repository and a fleet summary."""

from __future__ import annotations

import fnmatch
import zlib
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from assess.collectors.archive_tree import ArchiveError, tree_from_tarball
from assess.collectors.github.api import ApiError, EtagCache, GitHubApi, WaitBudget
from assess.collectors.github.names import valid_full_name
from assess.collectors.github.repo import CAUSES, RepositoryUnavailableError, collect_github
from assess.engine import Settings, evaluate_bundle
from assess.model.evidence import Cause, EvidenceBundle, Source, Unavailable
from assess.model.report import Report

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
        """Whether a repository (as listed by the API) passes the filters."""
        if repo.get("archived") and not self.include_archived:
            return False
        if repo.get("fork") and not self.include_forks:
            return False
        if self.topics and not set(self.topics) <= set(repo.get("topics") or ()):
            return False
        return not (self.name_pattern and not fnmatch.fnmatch(str(repo.get("name")), self.name_pattern))


@dataclass(frozen=True)
class RepoOutcome:
    """One repository of an organisation scan: its report, or why there is none."""

    repo: str
    report: Report | None
    error: str | None = None


def _api(settings: Settings, budget: WaitBudget) -> GitHubApi:
    cache = EtagCache(settings.cache_dir, settings.github_token) if settings.cache_dir else None
    return GitHubApi(settings.github_url, settings.github_token, cache, budget, timeout=settings.github_timeout)


def list_org_repos(settings: Settings, org: str, filters: OrgFilters) -> list[str]:
    """`owner/name` of the organisation's repositories that pass the filters (sorted, sharded if asked)."""
    api = _api(settings, WaitBudget(settings.max_wait))
    try:
        repos = [r for r in api.paginate(f"/orgs/{org}/repos", {"type": "all", "sort": "full_name"}, max_pages=100)
                 if isinstance(r, dict) and filters.keep(r)]
    finally:
        api.close()
    names = sorted(str(r.get("full_name")) for r in repos)
    if filters.shard is not None:
        index, total = filters.shard
        # by a hash of the name, not its position: a repository created between two matrix jobs
        # must not shift every other repository into a different shard (seen twice or never)
        names = [n for n in names if zlib.crc32(n.encode()) % total == index - 1]
    return names


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


def scan_org(settings: Settings, names: list[str], concurrency: int,
             advance: Callable[[str], None] = lambda _: None) -> list[RepoOutcome]:
    """Assess each repository of a GitHub organisation; failures become outcomes, never exceptions."""
    return scan_each(settings, names, concurrency, _scan_one, advance)


def _scan_one(settings: Settings, name: str, since: datetime, now: datetime) -> RepoOutcome:
    if not valid_full_name(name):
        # the name becomes a directory under -o: '..', '/' or anything GitHub would not allow is refused outright
        return RepoOutcome(name, None, "refused: the API listed a name that is not a GitHub owner/repository name; "
                           "nothing was read or written for it")
    # one client per repository (PyGithub's requester is not shared across threads), and one --max-wait deadline
    # per repository's GitHub source, started when its turn comes
    api = _api(settings, WaitBudget(settings.max_wait))
    try:
        try:
            github = collect_github(api, name, None, since, (), now)
        except RepositoryUnavailableError as exc:
            return RepoOutcome(name, None, f"{exc.error.kind.value}: {exc.error.message} ({exc.fix})")
        unavailable = [
            Unavailable(Source.HISTORY, "organisation scans read no local history",
                        "clone the repository and scan it to assess its history", Cause.OUT_OF_SCOPE),
            Unavailable(Source.CLUSTER, "no cluster was requested", "run with --kube-context or --cluster-snapshot",
                        Cause.NOT_REQUESTED),
        ]
        tree = None
        try:
            tree = tree_from_tarball(api.get_bytes(f"/repos/{name}/tarball/{github.default_branch}"), name,
                                     github.default_branch, now)
        except ApiError as exc:
            unavailable.append(Unavailable(Source.GIT, f"archive not readable: {exc.message}",
                                           "use a token with Contents: read",
                                           CAUSES.get(exc.kind, Cause.FAILED), "Contents: read"))
        except ArchiveError as exc:
            unavailable.append(Unavailable(Source.GIT, str(exc), "check that the repository's archive downloads",
                                           Cause.FAILED))
        bundle = EvidenceBundle(git=tree, forge=github, unavailable=tuple(unavailable))
        report = evaluate_bundle(bundle, replace(settings, target_name=name, now=now))
        return RepoOutcome(name, report)
    except Exception as exc:  # one broken repository must not stop the organisation scan
        return RepoOutcome(name, None, f"internal error: {type(exc).__name__}: {exc}")
    finally:
        api.close()


def report_dir(output: Path, repo: str) -> Path:
    """Where one repository's report goes: always a direct child of `output`."""
    if not valid_full_name(repo):
        raise ValueError(f"{repo!r} is not a GitHub owner/repository name")
    return output / repo.replace("/", "__")
