"""FM2/FM3: automation's changes go through the same review as people's."""

from __future__ import annotations

from assess.checks._forge import in_forge_words
from assess.checks._history import commit_refs, describe, nothing_to_judge
from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.derive.identity import bot_kind
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity
from assess.model.history import PR_PATHS

SPEC = CheckSpec(
    id="bot-changes-reviewed",
    title="Bot changes go through pull requests",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM2, FailureMode.FM3),
    sources=("history",),
    rationale="Image updaters and dependency bots hold write tokens to the state repository. When they push "
    "straight to the branch, a compromised bot or registry reaches production unreviewed.",
    remediation="Have Renovate/Dependabot open pull requests, point Flux image automation's `push.branch` at a "
    "separate branch, and use Argo CD Image Updater's git write-back to a branch reviewed by PR.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on bot deployments that did not land through a pull request."""
    bots = [r for r in ctx.audit_trail if r.is_bot]
    if not bots:
        return nothing_to_judge(ctx, "bot change to a deployment")
    direct = [r for r in bots if r.change_path not in PR_PATHS]
    if direct:
        return result(Outcome.FAIL, f"{len(direct)} of {plural(len(bots), 'bot change')} bypassed review: "
                      f"{describe(direct)}.", commit_refs(direct), Confidence.INFERRED)
    kinds = sorted({r.bot_kind or "bot" for r in bots})
    people = sorted({r.merged_by for r in bots if r.merged_by and bot_kind("", r.merged_by) is None})
    by_bots = [r for r in bots if r.merged_by and bot_kind("", r.merged_by) is not None and not r.approvers]
    merged = f"; merged by {', '.join(people[:5])}{' …' if len(people) > 5 else ''}" if people else ""
    if by_bots:
        return result(Outcome.WARN, f"All {plural(len(bots), 'bot change')} ({', '.join(kinds)}) "
                      f"{in_forge_words(ctx, 'went through pull requests')}{merged}, but {len(by_bots)} were merged "
                      f"by automation itself ({describe(by_bots)}): no person is seen reviewing them "
                      f"{in_forge_words(ctx, '(approvals need GitHub evidence)')}.",
                      commit_refs(by_bots), Confidence.INFERRED)
    return result(Outcome.PASS, f"All {plural(len(bots), 'bot change')} ({', '.join(kinds)}) "
                  f"{in_forge_words(ctx, 'went through pull requests')}{merged}.", commit_refs(bots),
                  Confidence.INFERRED)


CHECK = Check(SPEC, run)
