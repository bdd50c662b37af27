"""FM1: nobody pushes straight to the default branch."""

from __future__ import annotations

from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.derive.activity import human_direct_pushes
from assess.derive.identity import pusher
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind, Severity

SPEC = CheckSpec(
    id="no-human-direct-pushes",
    title="No human pushes directly to the default branch",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    failure_modes=(FailureMode.FM1,),
    sources=("history",),
    any_repository=True,
    rationale="The state repository is critical infrastructure: every direct push is a change nobody reviewed, and "
    "proof that branch protection can be bypassed. Rebase merges look like direct pushes offline; GitHub evidence "
    "tells them apart.",
    remediation="Enable branch protection or a ruleset on the default branch with required pull requests and no "
    "bypass, including for administrators.",
    forge_remediation=(("gitlab", "Protect the default branch with \"Allowed to push and merge\" set to No one, so "
                        "every change, a Maintainer's included, arrives through a merge request."),),
)

def run(ctx: CheckContext) -> CheckResult:
    """Fail on first-parent commits of the period by people that carry no pull-request marker (the bootstrap
    excepted). Unlike the stage gate, no tolerance: each one is a change nobody reviewed."""
    commits = [c for c in ctx.period_commits() if c.parents and c.sha not in ctx.bootstrap]
    if not commits:
        return result(Outcome.NOT_APPLICABLE, f"No commit in {ctx.period_label}.", confidence=Confidence.INFERRED)
    confirmed_pr = frozenset(sha for sha, prs in (ctx.evidence.forge.commit_pulls.items()
                                                  if ctx.evidence.forge else ()) if prs)  # rebase merges
    pushes = human_direct_pushes(commits, ctx.bootstrap, confirmed_pr)
    scope = f"{plural(len(commits), 'commit')} in {ctx.period_label}"
    if not pushes:
        return result(Outcome.PASS, f"No human direct push among {scope}.", confidence=Confidence.INFERRED)
    sample = "; ".join(f'{c.committed_at[:10]} {c.sha[:7]} by {pusher(c)[1]} "{c.subject[:50]}"'
                       for c in pushes[:10]) + (f"; and {len(pushes) - 10} more" if len(pushes) > 10 else "")
    return result(Outcome.FAIL, f"{plural(len(pushes), 'direct push')} by people among {scope}: {sample}.",
                  [Ref(RefKind.COMMIT, c.sha) for c in pushes], Confidence.INFERRED)


CHECK = Check(SPEC, run)
