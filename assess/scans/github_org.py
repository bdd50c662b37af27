"""Organisation-wide scans: every repository's declared state (from its GitHub archive) and GitHub evidence,
assessed concurrently; one report per repository and a fleet summary."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path

from assess.collectors.archive_tree import ArchiveError, tree_from_tarball
from assess.collectors.github.api import ApiError, EtagCache, GitHubApi, WaitBudget
from assess.collectors.github.names import valid_full_name
from assess.collectors.github.repo import CAUSES, RepositoryUnavailableError, collect_github
from assess.engine import Settings, evaluate_bundle
from assess.model.evidence import Cause, EvidenceBundle, Source, Unavailable
from assess.model.forge import Forge
from assess.scans.org_scanner import OrgFilters, OwnerUnreadableError, RepoOutcome


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
    return filters.sharded(sorted(str(r.get("full_name")) for r in repos))


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


@dataclass(frozen=True)
class GitHubOrgScanner:
    """`--github-org`: the repositories of a GitHub organisation (a `ForgeOrgScanner`)."""

    forge: Forge = Forge.GITHUB

    def list_repos(self, settings: Settings, owner: str, filters: OrgFilters) -> list[str]:
        """The organisation's repositories that pass the filters."""
        try:
            return list_org_repos(settings, owner, filters)
        except ApiError as exc:
            raise OwnerUnreadableError(f"cannot list repositories of {owner}: {exc.kind.value} ({exc.message})"
                                       ) from exc

    def scan_one(self, settings: Settings, name: str, since: datetime, now: datetime) -> RepoOutcome:
        """Assess one repository of the organisation."""
        return _scan_one(settings, name, since, now)

    def report_dir(self, output: Path, name: str) -> Path:
        """Where the repository's report goes."""
        return report_dir(output, name)


__all__ = ["GitHubOrgScanner", "OrgFilters", "RepoOutcome", "list_org_repos", "report_dir"]
