"""GitLab as the forge of one scan: which project, read it within the deadline (or replay a sample's recorded
answers), or say why not."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from assess.collectors.forge_collector import Claim, ForgePeriod
from assess.collectors.git_repo import origin_url
from assess.collectors.github.api import WaitBudget
from assess.collectors.gitlab.collect import GitLabAccess, RepositoryUnavailableError, client, collect_gitlab
from assess.collectors.gitlab.remote import parse_remote, web_host
from assess.collectors.gitlab.replay import RECORDING, RecordingError, ReplayAdapter, load_recording
from assess.model.forge import Forge, ForgeEvidence
from assess.model.provenance import Cause, Provenance, Source, Unavailable
from assess.settings import Settings


def gitlab_target(settings: Settings) -> str | None:
    """The GitLab project to read: --gitlab, else an origin remote on gitlab.com or the --gitlab-url host (unless
    forge evidence is off: --no-github). A forge named otherwise wins by its stronger claim (collectors/forges.py)."""
    if settings.gitlab_repo:
        return settings.gitlab_repo
    if not settings.github:
        return None
    url = origin_url(settings.path)  # None when there is no repository or no origin
    return parse_remote(url, web_host(settings.gitlab_url)) if url else None


class GitLabCollector:
    """The GitLab REST API v4 through python-gitlab, or a sample's recording of its answers."""

    forge = Forge.GITLAB
    recording = RECORDING

    def claims(self, settings: Settings) -> Claim:
        """Named with --gitlab or by a sample's recording; else an origin remote on gitlab.com or the --gitlab-url
        host."""
        if settings.gitlab_repo or _recording(settings) is not None:
            return Claim.NAMED
        return Claim.ORIGIN if gitlab_target(settings) else Claim.NONE

    def collect(self, settings: Settings, period: ForgePeriod, now: datetime,
                progress: Callable[[str], None]) -> ForgeEvidence | Unavailable:
        """The project's GitLab evidence, or why it could not be read (unavailable, never a crash)."""
        recorded = _recording(settings)
        replay = None
        if recorded is not None:
            try:
                replay = load_recording(recorded)
            except RecordingError as exc:
                return Unavailable(Source.GITLAB, str(exc), "record the sample again (samples/build_samples.py)",
                                   Cause.FAILED)
        target = replay.project if replay else gitlab_target(settings)
        if target is None:
            return Unavailable(Source.GITLAB, "no GitLab project to read", "run with --gitlab group/project",
                               Cause.NOT_CONFIGURED)
        if replay is None and not settings.gitlab_repo and not settings.gitlab_token:
            return Unavailable(Source.GITLAB, f"origin is {target} on GitLab, but no token is set",
                               f"set GITLAB_TOKEN to a token with read_api, or pass --gitlab {target} to read "
                               "public data", Cause.NO_TOKEN, "read_api")
        progress(f"reading GitLab evidence for {target}" + (" (recorded answers)" if replay else ""))
        url = replay.url if replay else settings.gitlab_url.rstrip("/")
        # A recording was made with a token: replayed, the evidence says so, and no token is sent anywhere.
        access = GitLabAccess(url, "recorded" if replay else settings.gitlab_token,
                              False if replay else settings.gitlab_job_token, float(settings.github_timeout))
        gl, counter = client(access, WaitBudget(settings.max_wait), ReplayAdapter(replay) if replay else None)
        try:
            evidence = collect_gitlab(gl, counter, access, target, period.since, period.suspect_shas, now)
        except RepositoryUnavailableError as exc:
            return Unavailable(Source.GITLAB, f"GitLab project {target} at {_host(access.url)}: {exc.reason}",
                               exc.fix, exc.cause, exc.scope)
        finally:
            gl.session.close()
        if replay is None:
            return evidence
        return replace(evidence, provenance=Provenance(
            Source.GITLAB, f"recorded answers of the GitLab REST API at {url}/api/v4 (sample data)",
            evidence.provenance.obtained_at))


def _recording(settings: Settings) -> Path | None:
    """The sample's recorded GitLab answers, unless a project was named."""
    found = settings.forge_recording
    return found if found is not None and found.name == RECORDING and not settings.gitlab_repo else None


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url
