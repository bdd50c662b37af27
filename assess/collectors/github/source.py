"""GitHub as the forge of one scan: which repository, read it (or its sample recording), or say why not."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime

from assess.collectors.forge_collector import Claim, ForgePeriod
from assess.collectors.github.api import EtagCache, GitHubApi, WaitBudget
from assess.collectors.github.remote import api_host, origin_repository
from assess.collectors.github.repo import PERMISSIONS, RepositoryUnavailableError, collect_github
from assess.model.codec import from_plain
from assess.model.forge import Forge, ForgeEvidence
from assess.model.provenance import Cause, Source, Unavailable
from assess.settings import Settings

RECORDING = "github.json"  # a sample's GitHub evidence as the collector saw it from the local fake server


class GitHubCollector:
    """The GitHub REST API (PyGithub-free client with ETag cache and rate-limit budget)."""

    forge = Forge.GITHUB
    recording = RECORDING

    def claims(self, settings: Settings) -> Claim:
        """Named with --github or by a sample's recording; else an origin remote on the API's web host."""
        if settings.github_repo or (settings.forge_recording is not None
                                    and settings.forge_recording.name == RECORDING):
            return Claim.NAMED
        if settings.github and origin_repository(settings.path, api_host(settings.github_url)):
            return Claim.ORIGIN
        return Claim.NONE

    def collect(self, settings: Settings, period: ForgePeriod, now: datetime,
                progress: Callable[[str], None]) -> ForgeEvidence | Unavailable:
        """GitHub evidence for the repository: recorded (samples), live through the API, or a stated reason why not."""
        if not settings.github:
            return Unavailable(Source.GITHUB, "GitHub evidence not requested (--no-github)", "run without --no-github",
                               Cause.NOT_REQUESTED)
        if settings.forge_recording is not None and settings.forge_recording.name == RECORDING \
                and not settings.github_repo:
            return from_plain(ForgeEvidence, json.loads(settings.forge_recording.read_text(encoding="utf-8")))
        target = settings.github_repo or origin_repository(settings.path, api_host(settings.github_url))
        if target is None:
            return Unavailable(Source.GITHUB, "no GitHub repository to read (no --github and no GitHub origin "
                               "remote)", "run with --github owner/repo", Cause.NOT_CONFIGURED)
        if settings.github_repo is None and not settings.github_token:
            return Unavailable(Source.GITHUB, f"origin is {target} on GitHub, but no token is set",
                               f"set GITHUB_TOKEN (or GH_TOKEN), or pass --github {target} to read public data",
                               Cause.NO_TOKEN, PERMISSIONS["repository"])
        progress(f"reading GitHub evidence for {target}")
        cache = EtagCache(settings.cache_dir, settings.github_token) if settings.cache_dir else None
        api = GitHubApi(settings.github_url, settings.github_token, cache, WaitBudget(settings.max_wait),
                        timeout=settings.github_timeout)
        try:
            return collect_github(api, target, None, period.since, list(period.suspect_shas), now)
        except RepositoryUnavailableError as exc:
            return Unavailable(Source.GITHUB, f"{target}: {exc.error.kind.value} ({exc.error.message})", exc.fix,
                               exc.cause, exc.scope)
        finally:
            api.close()
