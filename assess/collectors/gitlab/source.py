"""GitLab as the forge of one scan: which project, read it within the deadline, or say why not."""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from datetime import datetime

from assess.collectors.git_repo import origin_url
from assess.collectors.github.api import WaitBudget
from assess.collectors.gitlab.collect import GitLabAccess, RepositoryUnavailableError, client, collect_gitlab
from assess.collectors.gitlab.remote import parse_remote, web_host
from assess.model.forge import ForgeEvidence
from assess.model.provenance import Cause, Source, Unavailable
from assess.settings import Settings


def gitlab_target(settings: Settings) -> str | None:
    """The GitLab project to read: --gitlab, else an origin remote on gitlab.com or the --gitlab-url host
    (never when GitHub was named with --github, or when a recorded GitHub sample is used)."""
    if settings.gitlab_repo:
        return settings.gitlab_repo
    if settings.github_repo or settings.github_recorded is not None or not settings.github:
        return None
    url = origin_url(settings.path)  # None when there is no repository or no origin
    return parse_remote(url, web_host(settings.gitlab_url)) if url else None


def read_gitlab(settings: Settings, period: tuple[datetime | None, list[str]], now: datetime,
                progress: Callable[[str], None]) -> tuple[ForgeEvidence | None, Unavailable | None]:
    """The project's GitLab evidence, or why it could not be read (unavailable, never a crash)."""
    target = gitlab_target(settings)
    if target is None:
        return None, Unavailable(Source.GITLAB, "no GitLab project to read", "run with --gitlab group/project",
                                 Cause.NOT_CONFIGURED)
    if not settings.gitlab_repo and not settings.gitlab_token:
        return None, Unavailable(Source.GITLAB, f"origin is {target} on GitLab, but no token is set",
                                 f"set GITLAB_TOKEN to a token with read_api, or pass --gitlab {target} to read "
                                 "public data", Cause.NO_TOKEN, "read_api")
    progress(f"reading GitLab evidence for {target}")
    access = GitLabAccess(settings.gitlab_url.rstrip("/"), settings.gitlab_token, settings.gitlab_job_token,
                          float(settings.github_timeout))
    gl, counter = client(access, WaitBudget(settings.max_wait))
    since, suspects = period
    try:
        return collect_gitlab(gl, counter, access, target, since, suspects, now), None
    except RepositoryUnavailableError as exc:
        return None, Unavailable(Source.GITLAB, f"GitLab project {target} at {_host(access.url)}: {exc.reason}",
                                 exc.fix, exc.cause, exc.scope)
    finally:
        gl.session.close()


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url
