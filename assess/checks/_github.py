"""Shared helpers for checks fed by GitHub evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assess.model.check import CheckResult
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind
from assess.model.forge import forge_name, is_gitlab
from assess.model.github import BranchPolicy, GitHubEvidence, PullRequest, WorkflowRun


def github(ctx: CheckContext) -> GitHubEvidence:
    """The forge evidence, GitHub's or GitLab's (the runner guarantees it is there for forge checks)."""
    if ctx.evidence.github is None:
        raise LookupError("github evidence missing")
    return ctx.evidence.github


@dataclass(frozen=True)
class PolicyView:
    """The effective branch policy and how much of it the token could see."""

    policy: BranchPolicy | None
    complete: bool
    gap: str | None

    def unknown(self, what: str) -> CheckResult:
        """An unknown result that names what could not be seen and the fix."""
        return CheckResult(Outcome.UNKNOWN, f"Cannot tell whether {what}: {self.gap}", Confidence.OBSERVED)


def policy_view(gh: GitHubEvidence) -> PolicyView:
    """Classic protection and rulesets (GitLab: protected branches and approval settings); 'complete' only when
    all could be read."""
    if is_gitlab(gh):
        parts = (("protected branches", "protection"), ("approval settings", "approvals"),
                 ("approval rules", "approval_rules"))
        missing = [f"GitLab {label}: {gh.section(n).reason} (fix: {gh.section(n).permission})" for label, n in parts
                   if not gh.section(n).available]
        return PolicyView(gh.policy, not missing, "; ".join(missing) or None)
    protection, rulesets = gh.section("protection"), gh.section("rulesets")
    gaps = [f"{name}: {s.reason} (fix: {s.permission})" for name, s in (("branch protection", protection),
                                                                        ("rulesets", rulesets)) if not s.available]
    return PolicyView(gh.policy, protection.available and rulesets.available, "; ".join(gaps) or None)


def settings_ref(gh: GitHubEvidence) -> Ref:
    """Where a person sees the branch rules."""
    if is_gitlab(gh):
        return Ref(RefKind.URL, f"{gh.html_url}/-/settings/repository")
    return Ref(RefKind.URL, f"{gh.html_url}/settings/branches")


def pr_ref(gh: GitHubEvidence, pr: PullRequest) -> Ref:
    """A pull (GitLab: merge) request's page."""
    if is_gitlab(gh):
        return Ref(RefKind.URL, f"{gh.html_url}/-/merge_requests/{pr.number}")
    return Ref(RefKind.URL, f"{gh.html_url}/pull/{pr.number}")


def run_ref(gh: GitHubEvidence, run: WorkflowRun) -> Ref:
    """A CI run's page (an Actions run, a GitLab pipeline)."""
    if is_gitlab(gh):
        return Ref(RefKind.URL, f"{gh.html_url}/-/pipelines/{run.id}")
    return Ref(RefKind.URL, f"{gh.html_url}/actions/runs/{run.id}")


def branch_subject(gh: GitHubEvidence) -> str:
    """Who states the rule, for messages: empty on GitHub (its messages are unchanged), the forge's rule name else."""
    if is_gitlab(gh):
        return f"{forge_name(gh)} protected branch {gh.default_branch}: "
    return ""


def on_branch(gh: GitHubEvidence, text: str) -> str:
    """A policy message; on GitLab it names the protected branch that states the rule."""
    subject = branch_subject(gh)
    return subject + text[0].lower() + text[1:] if subject and text else text


def change_label(gh: GitHubEvidence, number: int) -> str:
    """How the forge writes a change request number: #12 on GitHub, !12 on GitLab."""
    return f"!{number}" if is_gitlab(gh) else f"#{number}"


def ci_label(gh: GitHubEvidence) -> str:
    """What the forge calls one CI run."""
    return "GitLab pipeline" if is_gitlab(gh) else "Actions run"


def observed(outcome: Outcome, message: str, refs: list[Ref] | None = None) -> CheckResult:
    """A result observed through the API."""
    return CheckResult(outcome, message, Confidence.OBSERVED, tuple(dict.fromkeys(refs or ())))


def hours_between(start: str, end: str) -> float:
    """Hours from one API timestamp to another."""
    a = datetime.fromisoformat(start.replace("Z", "+00:00"))
    b = datetime.fromisoformat(end.replace("Z", "+00:00"))
    return (b - a).total_seconds() / 3600


def independent_approvers(pr: PullRequest) -> tuple[str, ...]:
    """People other than the author who approved."""
    return tuple(sorted({r.user for r in pr.reviews if r.state == "APPROVED" and r.user and r.user != pr.author}))
