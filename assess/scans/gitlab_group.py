"""Group-wide GitLab scans (`--gitlab-group`), the mirror of `--github-org`: every project of a group and its
subgroups, its declared state from the repository archive and its GitLab evidence; one report per project."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

import requests
from gitlab.exceptions import GitlabError

from assess.collectors.archive_tree import ArchiveError, tree_from_tarball
from assess.collectors.github.api import MAX_ARCHIVE_BYTES, WaitBudget
from assess.collectors.gitlab.collect import (
    GitLabAccess,
    RateLimitDeadlineError,
    RepositoryUnavailableError,
    client,
    collect_gitlab,
)
from assess.collectors.gitlab.remote import valid_project_path
from assess.engine import Settings, evaluate_bundle
from assess.model.evidence import Cause, EvidenceBundle, Source, Unavailable
from assess.model.forge import Forge
from assess.scans.org_scanner import OrgFilters, OwnerUnreadableError, RepoOutcome

MAX_PROJECTS = 5000


class GroupUnreadableError(OwnerUnreadableError):
    """The group's projects cannot be listed."""


def _access(settings: Settings) -> GitLabAccess:
    return GitLabAccess(settings.gitlab_url.rstrip("/"), settings.gitlab_token, settings.gitlab_job_token,
                        float(settings.github_timeout))


def list_group_projects(settings: Settings, group: str, filters: OrgFilters) -> list[str]:
    """Full paths of the group's projects (subgroups included) that pass the filters, sorted, sharded if asked."""
    gl, _ = client(_access(settings), WaitBudget(settings.max_wait))
    try:
        listed = gl.groups.get(group, lazy=True).projects.list(
            iterator=True, include_subgroups=True, pagination="keyset", order_by="id", sort="asc", per_page=100)
        projects = [p.attributes for _, p in zip(range(MAX_PROJECTS), listed, strict=False)]
    except (GitlabError, RateLimitDeadlineError, requests.RequestException) as exc:
        code = getattr(exc, "response_code", None)
        raise GroupUnreadableError(f"cannot list projects of GitLab group {group}: {code or type(exc).__name__}: "
                                   f"{exc}") from exc
    finally:
        gl.session.close()
    return filters.sharded(sorted(str(p.get("path_with_namespace")) for p in projects if filters.keep(_as_repo(p))))


def _as_repo(project: dict[str, Any]) -> dict[str, Any]:
    """A GitLab project in the shape the organisation filters read."""
    return {"name": project.get("path"), "archived": project.get("archived"),
            "fork": project.get("forked_from_project") is not None, "topics": project.get("topics") or []}


def _scan_one(settings: Settings, name: str, since: datetime, now: datetime) -> RepoOutcome:
    if not valid_project_path(name):
        return RepoOutcome(name, None, "refused: the API listed a name that is not a GitLab project path; nothing "
                           "was read or written for it")
    access = _access(settings)
    gl, counter = client(access, WaitBudget(settings.max_wait))  # one client and one deadline per project
    try:
        try:
            forge = collect_gitlab(gl, counter, access, name, since, (), now)
        except RepositoryUnavailableError as exc:
            return RepoOutcome(name, None, f"{exc.reason} ({exc.fix})")
        unavailable = [
            Unavailable(Source.HISTORY, "group scans read no local history",
                        "clone the project and scan it to assess its history", Cause.OUT_OF_SCOPE),
            Unavailable(Source.CLUSTER, "no cluster was requested", "run with --kube-context or --cluster-snapshot",
                        Cause.NOT_REQUESTED),
        ]
        tree = None
        try:
            data = _archive(gl, name, forge.default_branch)
            tree = tree_from_tarball(data, name, forge.default_branch, now, forge_name=forge.forge_name)
        except (GitlabError, RateLimitDeadlineError, requests.RequestException, ValueError) as exc:
            unavailable.append(Unavailable(Source.GIT, f"archive not readable: {exc}",
                                           "use a token with read_api (read_repository for the archive)",
                                           Cause.UNREACHABLE if isinstance(exc, requests.RequestException)
                                           else Cause.FAILED, "read_api"))
        except ArchiveError as exc:
            unavailable.append(Unavailable(Source.GIT, str(exc), "check that the project's archive downloads",
                                           Cause.FAILED))
        bundle = EvidenceBundle(git=tree, forge=forge, unavailable=tuple(unavailable))
        return RepoOutcome(name, evaluate_bundle(bundle, replace(settings, target_name=name, now=now)))
    except Exception as exc:  # one broken project must not stop the group scan
        return RepoOutcome(name, None, f"internal error: {type(exc).__name__}: {exc}")
    finally:
        gl.session.close()


def _archive(gl: Any, name: str, ref: str) -> bytes:
    """The project's tar.gz archive of `ref`, at most MAX_ARCHIVE_BYTES."""
    quoted = name.replace("/", "%2F")
    response = gl.http_get(f"/projects/{quoted}/repository/archive.tar.gz", query_data={"sha": ref}, streamed=True,
                           raw=True)
    out = bytearray()
    for chunk in response.iter_content(2**16):
        out += chunk
        if len(out) > MAX_ARCHIVE_BYTES:
            response.close()
            raise ValueError(f"archive larger than {MAX_ARCHIVE_BYTES} bytes")
    return bytes(out)


def group_report_dir(output: Path, project: str) -> Path:
    """Where one project's report goes: always a direct child of `output` (group/sub/project → group__sub__project)."""
    if not valid_project_path(project):
        raise ValueError(f"{project!r} is not a GitLab project path")
    return output / project.replace("/", "__")


@dataclass(frozen=True)
class GitLabGroupScanner:
    """`--gitlab-group`: the projects of a GitLab group and its subgroups (a `ForgeOrgScanner`)."""

    forge: Forge = Forge.GITLAB

    def list_repos(self, settings: Settings, owner: str, filters: OrgFilters) -> list[str]:
        """The group's projects that pass the filters."""
        return list_group_projects(settings, owner, filters)

    def scan_one(self, settings: Settings, name: str, since: datetime, now: datetime) -> RepoOutcome:
        """Assess one project of the group."""
        return _scan_one(settings, name, since, now)

    def report_dir(self, output: Path, name: str) -> Path:
        """Where the project's report goes."""
        return group_report_dir(output, name)
