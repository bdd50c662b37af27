"""Confirm the offline audit trail with forge evidence (pure): change-request merges, rebase merges, direct pushes,
approvers."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from assess.derive.tickets import ticket_ids
from assess.model.forge import DEFAULT_FORGE, ForgeEvidence, PullRequest, SectionStatus
from assess.model.history import AuditRecord, ChangePath
from assess.model.sections import ForgeSummary, SectionGap

DIRECT = (ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT)


def confirm_with_forge(records: tuple[AuditRecord, ...], gh: ForgeEvidence) -> tuple[AuditRecord, ...]:
    """Records with `confirmed_by`, approvers, self-approval, review time, CI result and the tickets of the change
    request filled where the forge knows them."""
    by_merge = {p.merge_commit_sha: p for p in gh.pulls if p.merge_commit_sha}
    by_number = {p.number: p for p in gh.pulls}
    ci = _ci_results(gh)
    out: list[AuditRecord] = []
    for r in records:
        r = replace(r, ci_result=ci.get(r.sha)) if gh.sections.get("actions", _SEEN).available else r
        pr = by_merge.get(r.sha) or (by_number.get(r.pr_number) if r.pr_number is not None else None)
        if pr is not None:
            out.append(_with_pr(r, pr, _merged_path(r) if gh.terms.merge_commits_unmarked else r.change_path, gh))
        elif r.sha in gh.commit_pulls:
            numbers = gh.commit_pulls[r.sha]
            if numbers and r.change_path in DIRECT:
                # Rebase merges look like direct pushes offline; the forge says which change request carried the commit.
                pr_known = by_number.get(numbers[0])
                updated = replace(r, change_path=ChangePath.PR_REBASE, change_path_confidence="high",
                                  pr_number=numbers[0], confirmed_by=_by(gh, numbers[0]))
                out.append(_with_pr(updated, pr_known, ChangePath.PR_REBASE, gh) if pr_known else updated)
            else:
                out.append(replace(r, change_path_confidence="high", confirmed_by=_by(gh, None)))
        else:
            out.append(r)
    return tuple(out)


_SEEN = SectionStatus(available=True)
FAILED = ("failure", "timed_out", "startup_failure", "cancelled", "action_required")


def _ci_results(gh: ForgeEvidence) -> dict[str, str]:
    """The CI verdict of each commit the forge ran pipelines on: failure if any run failed, else success if one
    succeeded, else the runs' own state (e.g. skipped, in_progress)."""
    states: dict[str, list[str]] = {}
    for run in gh.runs:
        states.setdefault(run.head_sha, []).append(run.conclusion or run.status)
    out = {}
    for sha, found in states.items():
        failed = [s for s in found if s in FAILED]
        out[sha] = failed[0] if failed else ("success" if "success" in found else sorted(found)[0])
    return out


def _merged_path(r: AuditRecord) -> ChangePath:
    """How a commit the forge names as a change request's merge commit landed, where offline its merge commits read
    as local merges (GitLab's "Merge branch 'x' into 'main'") and a squash or fast-forward as a direct push."""
    if r.change_path in (ChangePath.PR_MERGE, ChangePath.PR_SQUASH, ChangePath.PR_REBASE):
        return r.change_path
    return ChangePath.PR_MERGE if len(r.parents) > 1 else ChangePath.PR_SQUASH


def _by(gh: ForgeEvidence, number: int | None) -> str:
    """Who confirmed a record: github:pr#12 / github:no-pull-request, gitlab:mr!12 / gitlab:no-merge-request."""
    if number is None:
        return f"{gh.forge.value}:no-{gh.terms.change_request.replace(' ', '-')}"
    return f"{gh.forge.value}:{gh.terms.confirm_tag}{gh.change_label(number)}"


def _with_pr(r: AuditRecord, pr: PullRequest, path: ChangePath, gh: ForgeEvidence) -> AuditRecord:
    independent = [v for v in pr.reviews if v.state == "APPROVED" and v.user != pr.author]
    approvers = tuple(sorted({v.user for v in independent}))
    approved_at = sorted(v.submitted_at for v in independent if v.submitted_at)
    review_hours = _hours(pr.created_at, approved_at[0]) if approved_at else None
    tickets = tuple(dict.fromkeys((*r.ticket_refs, *ticket_ids([pr.title], [pr.head_ref], pr.number))))
    return replace(r, change_path=path, change_path_confidence="high", pr_number=pr.number,
                   pr_title=r.pr_title or pr.title, confirmed_by=_by(gh, pr.number), approvers=approvers,
                   self_approved=(not approvers) if pr.reviews_read else None, review_hours=review_hours,
                   ticket_refs=tickets)


def _hours(start: str, end: str) -> float | None:
    try:
        delta = datetime.fromisoformat(end.replace("Z", "+00:00")) - datetime.fromisoformat(
            start.replace("Z", "+00:00"))
    except ValueError:
        return None
    return round(max(delta.total_seconds(), 0.0) / 3600.0, 2)


def forge_summary(gh: ForgeEvidence) -> ForgeSummary:
    """The forge section of the report (its key is "github"): effective policy, review and CI figures, access
    snapshot, gaps."""
    reviewed = [p for p in gh.pulls if p.reviews_read]
    independent = [p for p in reviewed if any(v.state == "APPROVED" and v.user != p.author for v in p.reviews)]
    counted = [r for r in gh.runs if r.conclusion in ("success", "failure", "timed_out", "startup_failure")]
    return ForgeSummary(
        forge=gh.forge_name if gh.forge is not DEFAULT_FORGE else None,  # GitHub's section is unchanged
        repo=gh.repo,
        read_at=gh.provenance.obtained_at,
        html_url=gh.html_url,
        default_branch=gh.default_branch,
        authenticated=gh.authenticated,
        policy=gh.policy,
        not_visible={k: SectionGap(s.reason, s.permission) for k, s in gh.sections.items() if not s.available},
        merged_pull_requests=len(gh.pulls),
        independently_approved=len(independent) if reviewed else None,
        ci_runs=len(counted),
        ci_success_rate=round(sum(r.conclusion == "success" for r in counted) / len(counted), 4)
        if counted else None,
        deployments=gh.deployments,
        access=gh.collaborators,
        codeowners_errors=gh.codeowners_errors,
        requests=gh.requests,
        conditional_hits=gh.conditional_hits,
    )
