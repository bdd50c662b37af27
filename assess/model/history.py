"""History evidence: the first-parent chain of the default branch, as read from Git, and the audit records built
from it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assess.model.provenance import Provenance


class SignatureType(StrEnum):
    """What the raw `gpgsig` header of a commit holds (presence and type only; not verification)."""

    NONE = "none"
    OPENPGP = "openpgp"
    SSH = "ssh"
    X509 = "x509"
    MALFORMED = "malformed"


class ChangePath(StrEnum):
    """How a change landed on the default branch."""

    PR_MERGE = "pr-merge"
    PR_SQUASH = "pr-squash"
    PR_REBASE = "pr-rebase"
    DIRECT_PUSH = "direct-push"
    WEB_EDIT = "web-edit"
    LOCAL_MERGE = "local-merge"


# How a revert's message reads: git's own `Revert "subject"` with `This reverts commit <sha>.`, or a conventional
# `revert(scope): …` that names no commit.
REVERTS_SHA = re.compile(r"(?m)^This reverts commit ([0-9a-f]{7,64})")
REVERT_TITLE = re.compile(r'^(Revert|Reapply) "(.+)"')
CONVENTIONAL_REVERT = re.compile(r"^revert(\(.+\))?:", re.IGNORECASE)
PR_PATHS = frozenset({ChangePath.PR_MERGE, ChangePath.PR_SQUASH, ChangePath.PR_REBASE})
DIRECT_PATHS = frozenset({ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT, ChangePath.LOCAL_MERGE})


@dataclass(frozen=True, slots=True)
class CommitRecord:
    """One first-parent commit of the default branch, as `git log` and `git cat-file` describe it."""

    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    authored_at: str
    committer_name: str
    committer_email: str
    committed_at: str
    subject: str
    body: str
    co_authors: tuple[str, ...] = ()
    files: tuple[tuple[str, str], ...] = ()
    files_truncated: int = 0
    signature: SignatureType = SignatureType.NONE
    branch_first_authored_at: str | None = None
    env_trees: tuple[tuple[str, str], ...] = ()
    branch_author_name: str | None = None
    branch_author_email: str | None = None
    pull_ref: int | None = None  # the pull request whose head (commit or tree) this commit is, from refs/pull
    undoes: str | None = None  # for a revert naming no commit: the change whose files it restores, by content


@dataclass(frozen=True)
class HistoryEvidence:
    """The mainline history in the window, newest first."""

    provenance: Provenance
    branch: str
    tip: str
    commits: tuple[CommitRecord, ...]
    since: str | None = None
    until: str | None = None
    shallow: bool = False
    total_commits: int = 0
    environments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    env_roots: dict[str, tuple[str, ...]] = field(default_factory=dict)
    base_trees: dict[str, str] = field(default_factory=dict)
    verification: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    as_of: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One production-relevant change: a first-parent commit touching an environment's paths."""

    sha: str
    parents: tuple[str, ...]
    deployed_at: str
    authored_at: str
    author_name: str
    author_email: str
    committer_name: str
    committer_email: str
    co_authors: tuple[str, ...]
    is_bot: bool
    bot_kind: str | None
    change_path: ChangePath
    change_path_confidence: str
    pr_number: int | None
    pr_title: str | None
    ticket_refs: tuple[str, ...]
    signature: SignatureType
    webflow_signed: bool
    signature_status: str | None
    environments: tuple[str, ...]
    files: tuple[str, ...]
    subject: str
    is_revert: bool = False
    reverts_sha: str | None = None
    reverts_pr: int | None = None
    reverted_by: str | None = None
    is_rollback: bool = False
    is_hotfix: bool = False
    is_emergency: bool = False
    failed: bool = False
    failure_detection: str | None = None
    remediated_by: str | None = None
    recovery_hours: float | None = None
    lead_time_hours: float | None = None
    lead_time_source: str = "unavailable-offline"
    confirmed_by: str | None = None
    approvers: tuple[str, ...] = ()
    self_approved: bool | None = None
    merged_by: str | None = None
    pushed_by: str | None = None
    review_hours: float | None = None  # pull request opened → first independent approval (GitHub)
    ci_result: str | None = None  # CI runs on the deployed commit (GitHub): success, failure, … or None if none ran
