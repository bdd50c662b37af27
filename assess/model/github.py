"""GitHub evidence: the effective branch policy, reviews, CI runs, deployments and access, as the API showed them."""

from __future__ import annotations

from dataclasses import dataclass, field

from assess.model.provenance import Provenance

SECTIONS = ("repository", "protection", "rulesets", "codeowners", "pulls", "reviews", "commit_pulls", "actions",
            "deployments", "collaborators", "activity")


@dataclass(frozen=True)
class SectionStatus:
    """Whether one part of the GitHub evidence could be read; if not, why and which permission would fix it."""

    available: bool
    reason: str | None = None
    permission: str | None = None


@dataclass(frozen=True)
class BranchPolicy:
    """Classic branch protection and active rulesets on the default branch, merged into one effective policy."""

    protected: bool
    sources: tuple[str, ...] = ()
    requires_pull_request: bool = False
    required_approvals: int = 0
    dismiss_stale_reviews: bool = False
    require_code_owner_reviews: bool = False
    require_last_push_approval: bool = False
    required_status_checks: tuple[str, ...] = ()
    strict_status_checks: bool = False
    required_signatures: bool = False
    linear_history: bool = False
    force_push_blocked: bool = False
    deletion_blocked: bool = False
    admins_enforced: bool | None = None
    bypass_actors: tuple[str, ...] = ()


@dataclass(frozen=True)
class Review:
    """One pull-request review."""

    user: str
    state: str
    submitted_at: str | None
    commit_id: str | None


@dataclass(frozen=True)
class PullRequest:
    """A pull request merged into the default branch in the window."""

    number: int
    title: str
    author: str
    author_is_bot: bool
    created_at: str
    merged_at: str
    merged_by: str | None
    merge_commit_sha: str | None
    head_sha: str | None
    head_ref: str
    labels: tuple[str, ...] = ()
    reviews: tuple[Review, ...] = ()
    reviews_read: bool = False


@dataclass(frozen=True)
class WorkflowRun:
    """One GitHub Actions run on the default branch."""

    id: int
    name: str
    event: str
    status: str
    conclusion: str | None
    created_at: str
    head_sha: str


@dataclass(frozen=True)
class Deployment:
    """A GitHub deployment and its latest status."""

    id: int
    environment: str
    sha: str
    created_at: str
    state: str | None


@dataclass(frozen=True)
class ForcePush:
    """A force push to the default branch, from the repository activity API."""

    actor: str
    timestamp: str
    before: str
    after: str


@dataclass(frozen=True)
class Collaborator:
    """A person or app with write access or more."""

    login: str
    permission: str
    is_bot: bool = False


@dataclass(frozen=True)
class GitHubEvidence:
    """What the GitHub API showed about one repository."""

    provenance: Provenance
    repo: str
    api_url: str
    html_url: str
    authenticated: bool
    default_branch: str
    visibility: str | None = None
    archived: bool = False
    fork: bool = False
    topics: tuple[str, ...] = ()
    token_permissions: dict[str, bool] = field(default_factory=dict)
    policy: BranchPolicy | None = None
    sections: dict[str, SectionStatus] = field(default_factory=dict)
    codeowners_found: bool = False
    codeowners_errors: tuple[str, ...] = ()
    pulls: tuple[PullRequest, ...] = ()
    commit_pulls: dict[str, tuple[int, ...]] = field(default_factory=dict)
    runs: tuple[WorkflowRun, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    collaborators: tuple[Collaborator, ...] = ()
    force_pushes: tuple[ForcePush, ...] = ()
    since: str | None = None
    # Forge settings with no GitHub counterpart, as the forge names them (GitLab: merge_requests_author_approval …).
    forge_settings: dict[str, bool] = field(default_factory=dict)
    requests: int = 0
    conditional_hits: int = 0

    def section(self, name: str) -> SectionStatus:
        """Status of one section (unknown sections count as unavailable)."""
        return self.sections.get(name, SectionStatus(False, "not collected"))
