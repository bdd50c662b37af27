"""Shared helpers for checks fed by forge evidence (GitHub, GitLab): they read only the forge-neutral model."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assess.model.check import CheckResult
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind
from assess.model.forge import TERMS, BranchPolicy, Forge, ForgeEvidence, PullRequest, WorkflowRun, forge_wording


def forge(ctx: CheckContext) -> ForgeEvidence:
    """The forge evidence (the runner guarantees it is there for checks whose sources name the forge)."""
    if ctx.evidence.forge is None:
        raise LookupError("forge evidence missing")
    return ctx.evidence.forge


def forge_tried(ctx: CheckContext) -> Forge:
    """The forge the scan read or tried (GitHub when it did neither)."""
    return ctx.evidence.forge_tried()


def in_forge_words(ctx: CheckContext, text: str) -> str:
    """One of the check's own GitHub-worded phrases in the words of the forge the scan read or tried (never text
    quoted from the repository)."""
    return forge_wording(text, TERMS[forge_tried(ctx)])


@dataclass(frozen=True)
class PolicyView:
    """The effective branch policy and how much of it the token could see."""

    policy: BranchPolicy | None
    complete: bool
    gap: str | None
    fix: str | None = None  # the permissions that would show the rest

    def unknown(self, what: str) -> CheckResult:
        """An unknown result that names what could not be seen and the fix."""
        return CheckResult(Outcome.UNKNOWN, f"Cannot tell whether {what}: {self.gap}", Confidence.OBSERVED,
                           fix=self.fix)


def policy_view(ev: ForgeEvidence) -> PolicyView:
    """The branch policy; 'complete' only when every part the forge states it in could be read."""
    parts = [(label, ev.section(name)) for label, name in ev.terms.policy_parts]
    hidden = [(label, s) for label, s in parts if not s.available]
    gaps = [f"{label}: {s.reason} (fix: {s.permission})" for label, s in hidden]
    fixes = "; ".join(dict.fromkeys(s.permission for _, s in hidden if s.permission))
    return PolicyView(ev.policy, not gaps, "; ".join(gaps) or None, fixes or None)


def settings_ref(ev: ForgeEvidence) -> Ref:
    """Where a person sees the branch rules."""
    return Ref(RefKind.URL, ev.settings_url())


def change_ref(ev: ForgeEvidence, pr: PullRequest) -> Ref:
    """A change request's page."""
    return Ref(RefKind.URL, ev.change_url(pr.number))


def run_ref(ev: ForgeEvidence, run: WorkflowRun) -> Ref:
    """A CI run's page."""
    return Ref(RefKind.URL, ev.run_url(run.id))


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
