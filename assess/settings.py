"""What to assess and how: the settings a run is made with (collection options, the policy file, the periods)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assess.collectors.git_command import NO_VERIFIERS, Verifiers
from assess.evaluation.scope import Scope
from assess.policy.config import Config
from assess.policy.source import PolicyChange

DEFAULT_API_URL = "https://api.github.com"
DEFAULT_GITLAB_URL = "https://gitlab.com"


@dataclass(frozen=True)
class Settings:
    """What to assess and how."""

    path: str
    revision: str = "HEAD"
    worktree: bool = False
    config: Config = field(default_factory=Config)
    target_name: str | None = None
    history: bool = True
    branch: str | None = None
    since: datetime | None = None
    since_all: bool = False
    audit_since: datetime | None = None
    until: datetime | None = None
    timeline_months: int = 12
    kind: str | None = None
    verify_signatures: bool = False
    allowed_signers: Path | None = None
    verifiers: Verifiers = NO_VERIFIERS
    trust_repo_config: bool = False
    now: datetime | None = None
    github: bool = True
    github_repo: str | None = None
    github_url: str = DEFAULT_API_URL
    github_token: str | None = field(default=None, repr=False)
    forge_recording: Path | None = None  # a sample's recorded forge answers (github.json, gitlab-api.json)
    gitlab_repo: str | None = None
    gitlab_url: str = DEFAULT_GITLAB_URL
    gitlab_token: str | None = field(default=None, repr=False)
    gitlab_job_token: bool = False
    cache_dir: Path | None = None
    max_wait: float = 300.0
    github_timeout: int = 15
    cluster_snapshots: tuple[Path, ...] = ()
    kube_contexts: tuple[str, ...] = ()
    all_contexts: bool = False
    live_cluster: bool = False
    kubeconfig: str | None = None
    policy_ref: str | None = None  # --config-ref: the policy was read from Git objects at this revision
    policy_not_applied: tuple[PolicyChange, ...] = ()  # what the reviewed tree's own policy would have weakened

    def scope(self) -> Scope:
        """What evaluation may know of these settings: names and periods, never credentials or URLs."""
        return Scope(now=self.now, target_name=self.target_name, forge_repo=self.github_repo or self.gitlab_repo,
                     kind=self.kind, since=self.since, since_all=self.since_all, audit_since=self.audit_since,
                     until=self.until, policy_ref=self.policy_ref, policy_not_applied=self.policy_not_applied)
