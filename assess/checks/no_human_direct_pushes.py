"""FM1: nobody pushes straight to the default branch."""

from __future__ import annotations

from assess.audit_trail import bot_kind, change_path
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind, Severity
from assess.model.history import ChangePath

SPEC = CheckSpec(
    id="no-human-direct-pushes",
    title="No human pushes directly to the default branch",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    failure_modes=(FailureMode.FM1,),
    sources=("history",),
    rationale="The state repository is critical infrastructure: every direct push is a change nobody reviewed, and "
    "proof that branch protection can be bypassed. Rebase merges look like direct pushes offline; GitHub evidence "
    "tells them apart.",
    remediation="Enable branch protection or a ruleset on the default branch with required pull requests and no "
    "bypass, including for administrators.",
)

DIRECT = (ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT, ChangePath.LOCAL_MERGE)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on any first-parent commit by a person that carries no pull-request marker (root commit excepted)."""
    history = ctx.evidence.history
    if history is None or not history.commits:
        return result(Outcome.NOT_APPLICABLE, "No commits in the window.", confidence=Confidence.INFERRED)
    confirmed_pr = {sha for sha, prs in (ctx.evidence.github.commit_pulls.items() if ctx.evidence.github else ())
                    if prs}  # rebase merges: GitHub knows their pull request
    pushes = [c for c in history.commits if c.parents and change_path(c)[0] in DIRECT
              and bot_kind(c.author_name, c.author_email) is None and c.sha not in confirmed_pr]
    if pushes:
        sample = "; ".join(f'{c.sha[:7]} "{c.subject[:50]}" ({c.author_email})' for c in pushes[:3])
        return result(Outcome.FAIL, f"{plural(len(pushes), 'direct push')} by people among "
                      f"{plural(len(history.commits), 'commit')}: {sample}.",
                      [Ref(RefKind.COMMIT, c.sha) for c in pushes], Confidence.INFERRED)
    return result(Outcome.PASS, f"No human direct push among {plural(len(history.commits), 'commit')}.",
                  confidence=Confidence.INFERRED)


CHECK = Check(SPEC, run)
