"""Forge-neutral evidence: the effective branch policy, change requests with their approvals, CI runs,
deployments and access of one repository on a forge (GitHub, GitLab), as its API showed them; and how each forge
names and links these things, so checks and reporters never spell a forge's wording or URLs themselves."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

from assess.model.provenance import Provenance, Source


class Forge(StrEnum):
    """A code-hosting forge whose API the tool reads; the value is the evidence's provenance source."""

    GITHUB = "github"
    GITLAB = "gitlab"

    @property
    def source(self) -> Source:
        """The provenance source of this forge's evidence and of its unavailable record."""
        return Source(self.value)


# The forge assumed when none was read or tried (reports have always named it in their check sources).
DEFAULT_FORGE = Forge.GITHUB


@dataclass(frozen=True)
class ForgeTerms:
    """How one forge names and links its things: the wording of messages and the web pages findings point at.

    URL templates take `{web}` (the repository's page) and the named fields; an empty template means the forge has no
    such page."""

    name: str
    change_request: str  # what one change request is called: pull request, merge request
    change_prefix: str  # how its number is written: #12, !12
    change_abbrev: str  # its abbreviation: PR, MR
    ci_run: str  # one CI run: Actions run, GitLab pipeline
    ci_runs_counted: str  # the noun counted in the success rate
    ci_runs_short: str  # CI runs in short summaries: runs, pipelines
    changes_short: str  # merged change requests in short summaries: PRs, merge requests
    merged_changes: str  # the noun counted in the approval figures
    rule_subject: str  # who states a branch rule in messages ({name}, {branch}); empty: messages start with the rule
    not_protected: str  # the failing message when the branch has no rule ({branch})
    policy_parts: tuple[tuple[str, str], ...]  # (label, section) read to see the whole branch policy
    direct_push_is_bypass: bool  # push access to the branch, not rule exemptions, is how rules are bypassed
    approvals_name_commit: bool  # an approval records the commit it was given on
    codeowners_errors_read: bool  # the API reports CODEOWNERS errors
    merge_commits_unmarked: bool  # offline its merge commits read as local merges (no "Merge pull request #N")
    webflow_merges: bool  # its web merges are signed by GitHub's web-flow key (what history reads as web-flow signed)
    confirm_tag: str  # how an audit record names the change request that confirmed it: github:pr#12, gitlab:mr!12
    settings_url: str
    change_url: str
    run_url: str
    commit_url: str
    file_url: str
    force_push_url: str


TERMS: MappingProxyType[Forge, ForgeTerms] = MappingProxyType({
    Forge.GITHUB: ForgeTerms(
        name="GitHub", change_request="pull request", change_prefix="#", change_abbrev="PR",
        ci_run="Actions run", ci_runs_counted="completed run", ci_runs_short="runs", changes_short="PRs",
        merged_changes="merged pull request", rule_subject="",
        not_protected="{branch} has no branch protection and no active ruleset.",
        policy_parts=(("branch protection", "protection"), ("rulesets", "rulesets")),
        direct_push_is_bypass=False, approvals_name_commit=True, codeowners_errors_read=True,
        merge_commits_unmarked=False, webflow_merges=True, confirm_tag="pr",
        settings_url="{web}/settings/branches", change_url="{web}/pull/{number}", run_url="{web}/actions/runs/{id}",
        commit_url="{web}/commit/{sha}", file_url="{web}/blob/{ref}/{path}",
        force_push_url="{web}/activity?ref={branch}&activity_type=force_push"),
    Forge.GITLAB: ForgeTerms(
        name="GitLab", change_request="merge request", change_prefix="!", change_abbrev="MR",
        ci_run="GitLab pipeline", ci_runs_counted="completed GitLab pipeline", ci_runs_short="pipelines",
        changes_short="merge requests", merged_changes="merged GitLab merge request",
        rule_subject="{name} protected branch {branch}: ",
        not_protected="GitLab: {branch} is not a protected branch; anyone with Developer access can push to it.",
        policy_parts=(("GitLab protected branches", "protection"), ("GitLab approval settings", "approvals"),
                      ("GitLab approval rules", "approval_rules")),
        direct_push_is_bypass=True, approvals_name_commit=False, codeowners_errors_read=False,
        merge_commits_unmarked=True, webflow_merges=False, confirm_tag="mr",
        settings_url="{web}/-/settings/repository", change_url="{web}/-/merge_requests/{number}",
        run_url="{web}/-/pipelines/{id}", commit_url="{web}/-/commit/{sha}", file_url="{web}/-/blob/{ref}/{path}",
        force_push_url=""),
})


def terms_of(forge: str | None) -> ForgeTerms | None:
    """The terms of a forge by its value (github, gitlab), or None for anything else (no forge, "git")."""
    return TERMS[Forge(forge)] if forge in {f.value for f in Forge} else None


def terms_named(name: str | None) -> ForgeTerms:
    """The terms of the forge a report's forge section names by display name (none named: the default forge's)."""
    return next((t for t in TERMS.values() if t.name == name), TERMS[DEFAULT_FORGE])


def report_terms(read: bool, forge: str | None, sources: Iterable[str]) -> ForgeTerms:
    """The terms of the forge a report read (its forge section names it) or tried (the forge among its sources)."""
    if read:
        return terms_named(forge)
    return next((TERMS[f] for f in Forge if f.value in set(sources)), TERMS[DEFAULT_FORGE])


# The tool's own sentences (check titles, remediations, signal and control names) are written in GitHub's words.
# "GitHub" followed by a product name (GitHub Actions, GitHub App, GitHub/Forgejo/Gitea) names GitHub on purpose, and so
# does a sentence about GitHub's web-flow key (it signs what GitHub merged, whichever forge hosts the history now) and
# a `quoted` setting or key (`dismiss stale pull request approvals`).
_CHANGE_WORDS = re.compile(r"\b(?:(?P<pr>[Pp]ull request)(?P<prs>s?)|(?P<abbrev>PR)(?P<s>s?))\b")
_GITHUB_NAME = re.compile(r"\bGitHub(?P<gh>'s)?\b(?! Actions| App|/)")
_QUOTED = re.compile(r"(`[^`]*`)")
_SENTENCE_END = re.compile(r"(?<=[.;])(\s+)")
_VOWEL_SOUND_LETTERS = frozenset("AEFHILMNORSX")


def forge_wording(text: str, terms: ForgeTerms) -> str:
    """One of the tool's own GitHub-worded sentences in the words of the forge a report read or tried (GitHub's:
    unchanged). Never for text that quotes the repository (commit subjects, paths): only the tool's wording."""
    if terms.name == TERMS[Forge.GITHUB].name:
        return text

    def change(m: re.Match[str]) -> str:
        if m["pr"]:
            noun = terms.change_request.capitalize() if m["pr"][0] == "P" else terms.change_request
            return noun + m["prs"]
        return terms.change_abbrev + m["s"]

    def sentence(part: str) -> str:
        part = _CHANGE_WORDS.sub(change, part)
        return part if "web-flow" in part else _GITHUB_NAME.sub(lambda m: terms.name + (m["gh"] or ""), part)

    text = "".join(part if _QUOTED.fullmatch(part) else "".join(sentence(s) for s in _SENTENCE_END.split(part))
                   for part in _QUOTED.split(text))
    if terms.change_abbrev[:1] in _VOWEL_SOUND_LETTERS:  # "a PR" reads "an MR"
        text = re.sub(rf"\b([Aa]) (?={re.escape(terms.change_abbrev)}\b)", r"\1n ", text)
    return text


def forge_of_source(source: Source) -> Forge | None:
    """The forge a provenance source names, or None for a source that is not a forge."""
    return next((f for f in Forge if f.value == source.value), None)


# Sections are named by what they hold: repository, protection, codeowners, pulls (change requests), reviews,
# commit_pulls, actions (CI runs), deployments, collaborators, activity; and where the forge states its branch policy
# in several places, each of them (GitHub: rulesets; GitLab: approvals, approval_rules, push_rule). TERMS.policy_parts
# names those a complete branch policy needs.


@dataclass(frozen=True)
class SectionStatus:
    """Whether one part of the forge evidence could be read; if not, why and which permission would fix it."""

    available: bool
    reason: str | None = None
    permission: str | None = None


@dataclass(frozen=True)
class BranchPolicy:
    """The effective policy of the default branch: GitHub's classic protection and active rulesets merged, or
    GitLab's protected branch with its approval settings and rules."""

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
    """One review or approval of a change request."""

    user: str
    state: str
    submitted_at: str | None
    commit_id: str | None


@dataclass(frozen=True)
class PullRequest:
    """A change request (pull request, merge request) merged into the default branch in the window."""

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
    """One CI run on the default branch (an Actions run, a GitLab pipeline)."""

    id: int
    name: str
    event: str
    status: str
    conclusion: str | None
    created_at: str
    head_sha: str


@dataclass(frozen=True)
class Deployment:
    """A deployment recorded by the forge and its latest status."""

    id: int
    environment: str
    sha: str
    created_at: str
    state: str | None


@dataclass(frozen=True)
class ForcePush:
    """A force push to the default branch, from the forge's activity API."""

    actor: str
    timestamp: str
    before: str
    after: str


@dataclass(frozen=True)
class Collaborator:
    """A person or app with write access or more (GitLab: Developer role or more)."""

    login: str
    permission: str
    is_bot: bool = False


@dataclass(frozen=True)
class ForgeEvidence:
    """What a forge's API showed about one repository; which forge is its provenance source."""

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
    # Settings with no counterpart on other forges, as the forge names them (GitLab: merge_requests_author_approval …).
    forge_settings: dict[str, bool] = field(default_factory=dict)
    requests: int = 0
    conditional_hits: int = 0

    def section(self, name: str) -> SectionStatus:
        """Status of one section (unknown sections count as unavailable)."""
        return self.sections.get(name, SectionStatus(False, "not collected"))

    @property
    def forge(self) -> Forge:
        """Which forge the evidence came from (its provenance source, so saved evidence needs no new field)."""
        return Forge(self.provenance.source.value)

    @property
    def terms(self) -> ForgeTerms:
        """How this forge names and links things."""
        return TERMS[self.forge]

    @property
    def forge_name(self) -> str:
        """The forge's display name: GitHub, GitLab."""
        return self.terms.name

    def settings_url(self) -> str:
        """The page where a person sees the default branch's rules."""
        return self.terms.settings_url.format(web=self.html_url, branch=self.default_branch)

    def change_url(self, number: int) -> str:
        """A change request's page."""
        return self.terms.change_url.format(web=self.html_url, number=number)

    def run_url(self, run_id: int) -> str:
        """A CI run's page."""
        return self.terms.run_url.format(web=self.html_url, id=run_id)

    def commit_url(self, sha: str) -> str:
        """A commit's page."""
        return self.terms.commit_url.format(web=self.html_url, sha=sha)

    def file_url(self, path: str) -> str:
        """A file's page on the default branch."""
        return self.terms.file_url.format(web=self.html_url, ref=self.default_branch, path=path)

    def force_push_url(self) -> str | None:
        """The page listing force pushes to the default branch, if the forge has one."""
        template = self.terms.force_push_url
        return template.format(web=self.html_url, branch=self.default_branch) if template else None

    def change_label(self, number: int) -> str:
        """How the forge writes a change request number: #12 on GitHub, !12 on GitLab."""
        return f"{self.terms.change_prefix}{number}"

    def on_branch(self, text: str) -> str:
        """A policy message; where the forge states rules per protected branch it names that branch first."""
        subject = self.rule_subject()
        return subject + text[0].lower() + text[1:] if subject and text else text

    def rule_subject(self) -> str:
        """Who states the rule, as a message prefix ('' when the forge's messages start with the rule)."""
        return self.terms.rule_subject.format(name=self.forge_name, branch=self.default_branch)
