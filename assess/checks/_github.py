"""Shared helpers for checks fed by GitHub evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assess.model.check import CheckResult
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind
from assess.model.github import BranchPolicy, GitHubEvidence, PullRequest


def github(ctx: CheckContext) -> GitHubEvidence:
    """The GitHub evidence (the runner guarantees it is there for github checks)."""
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
    """Classic protection and rulesets; 'complete' only when both could be read."""
    protection, rulesets = gh.section("protection"), gh.section("rulesets")
    gaps = [f"{name}: {s.reason} (fix: {s.permission})" for name, s in (("branch protection", protection),
                                                                        ("rulesets", rulesets)) if not s.available]
    return PolicyView(gh.policy, protection.available and rulesets.available, "; ".join(gaps) or None)


def settings_ref(gh: GitHubEvidence) -> Ref:
    """Where a person sees the branch rules."""
    return Ref(RefKind.URL, f"{gh.html_url}/settings/branches")


def pr_ref(gh: GitHubEvidence, pr: PullRequest) -> Ref:
    """A pull request's page."""
    return Ref(RefKind.URL, f"{gh.html_url}/pull/{pr.number}")


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
