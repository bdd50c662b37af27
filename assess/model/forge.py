"""Forge-neutral evidence: branch policy, change requests with approvals, CI runs, deployments and access of one
repository on a forge (GitHub or GitLab). The forge is named by the evidence's provenance source."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Protocol

from assess.model.github import GitHubEvidence
from assess.model.provenance import Source

# The shape was GitHub's first and is forge-neutral: a GitLab collector fills the same fields (protected branch →
# BranchPolicy, merge request → PullRequest, approval → Review, pipeline → WorkflowRun, member → Collaborator), so the
# checks and the saved evidence stay one format.
ForgeEvidence = GitHubEvidence

FORGES = {Source.GITHUB: "GitHub", Source.GITLAB: "GitLab"}


class ForgeCollector(Protocol):
    """One forge's collector: reads one repository's evidence for the period, GET only."""

    def __call__(self, target: str, since: datetime | None, suspect_shas: Iterable[str],
                 now: datetime) -> ForgeEvidence:
        """The evidence of `target`; raises the collector's RepositoryUnavailableError when the project is unread."""
        ...


def forge_of(ev: ForgeEvidence) -> Source:
    """Which forge the evidence came from."""
    return ev.provenance.source


def forge_name(ev: ForgeEvidence) -> str:
    """The forge's display name (GitHub, GitLab)."""
    return FORGES.get(ev.provenance.source, ev.provenance.source.value)


def is_gitlab(ev: ForgeEvidence) -> bool:
    """Whether the evidence came from GitLab."""
    return ev.provenance.source is Source.GITLAB
