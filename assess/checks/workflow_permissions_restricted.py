"""FM2: workflow tokens get only the permissions they need."""

from __future__ import annotations

from assess.checks._repo import docs, files_of, plural, repo, result, workflow_jobs
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="workflow-permissions-restricted",
    title="Workflow tokens have explicitly restricted permissions",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM2,),
    any_repository=True,
    rationale="Without a `permissions:` block the GITHUB_TOKEN gets the repository default, often write to "
    "contents: a compromised step can then push to the state repository the reconciler trusts.",
    remediation="Add `permissions: contents: read` at the top of each workflow and grant more per job only where "
    "needed; never `write-all`.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on workflows with no permissions block (top-level or on every job) or with write-all."""
    ev = repo(ctx)
    paths = {f.path for f in files_of(ev, FileKind.GITHUB_WORKFLOW)}
    workflows = [d for d in docs(ev) if d.path in paths and isinstance(d.body, dict)]
    if not workflows:
        return result(Outcome.NOT_APPLICABLE, "No GitHub Actions workflows.")
    bad: list[tuple[Ref, str]] = []
    for doc in workflows:
        top = doc.get("permissions")
        jobs = workflow_jobs(doc)
        if top == "write-all":
            bad.append((Ref.file(doc.path, doc.line_of("permissions")), "write-all"))
        elif top is None and not (jobs and all(isinstance(j, dict) and "permissions" in j for j in jobs.values())):
            bad.append((Ref.file(doc.path, doc.line), "no permissions block"))
        for job_id, job in jobs.items():
            if isinstance(job, dict) and job.get("permissions") == "write-all":
                bad.append((Ref.file(doc.path, doc.line_of(f"jobs.{job_id}.permissions")), "write-all"))
    if bad:
        sample = ", ".join(f"{r.target} ({why})" for r, why in bad[:4])
        return result(Outcome.FAIL, f"{plural(len(bad), 'workflow token')} unrestricted: {sample}.",
                      [r for r, _ in bad])
    return result(Outcome.PASS, f"All {plural(len(workflows), 'workflow')} restrict token permissions.")


CHECK = Check(SPEC, run)
