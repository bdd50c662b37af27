"""Segregation of duties: every merged pull request was approved by someone other than its author."""

from __future__ import annotations

from assess.checks._forge import change_ref, forge, independent_approvers, observed, settings_ref
from assess.checks._repo import plural
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity

SPEC = CheckSpec(
    id="no-self-approval",
    title="Every merged pull request was approved by someone other than its author",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    signals=(Signal.PR_GATE,),
    failure_modes=(FailureMode.FM1,),
    sources=("forge",),
    rationale="SOC 2 CC8.1, ISO 27001 A.5.3 and PCI DSS 6.2.3.1 ask that the author of a change is not its only "
    "approver. A PR merged without an independent approval is review theatre.",
    remediation="Require approvals from someone other than the last pusher (`require_last_push_approval`) and "
    "stop admins merging unreviewed pull requests.",
    forge_remediation=(("gitlab", "In Settings → Merge requests → Approval settings, enable \"Prevent approval by "
                        "merge request creator\" and \"Prevent approvals by users who add commits\"."),),
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on merged PRs without an approval from someone other than the author."""
    gh = forge(ctx)
    reviewed = [p for p in gh.pulls if p.reviews_read]
    if not gh.section("reviews").available and not reviewed:
        s = gh.section("reviews")
        return CheckResult(Outcome.UNKNOWN, f"Reviews not readable: {s.reason} (fix: {s.permission})",
                           Confidence.OBSERVED, fix=s.permission)
    if not reviewed:
        return observed(Outcome.NOT_APPLICABLE, f"No {gh.terms.change_request} merged in the window.")
    noun = gh.terms.merged_changes
    alone = [p for p in reviewed if not independent_approvers(p)]
    if alone:
        sample = ", ".join(f"{gh.change_label(p.number)} by {p.author}" for p in alone[:5])
        return observed(Outcome.FAIL, f"{len(alone)} of {plural(len(reviewed), noun)} had no "
                        f"independent approval: {sample}.", [change_ref(gh, p) for p in alone])
    if gh.forge_settings.get("merge_requests_author_approval"):
        return observed(Outcome.WARN, f"All {plural(len(reviewed), noun)} were approved by someone other than the "
                        "author, but the project lets authors approve their own merge requests "
                        "(merge_requests_author_approval).", [settings_ref(gh)])
    return observed(Outcome.PASS, f"All {plural(len(reviewed), noun)} were approved by someone "
                    "other than the author.")


CHECK = Check(SPEC, run)
