"""Readiness: a CI pipeline builds and tests changes."""

from __future__ import annotations

from assess.checks._repo import files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="ci-pipeline-defined",
    title="A CI pipeline is defined in the repository",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    stage=1,
    signals=(Signal.RELIABLE_CI,),
    any_repository=True,
    rationale="GitOps covers delivery, not integration: CI must build, test and package with near-zero manual "
    "work. A flaky or missing pipeline does not improve with GitOps on top.",
    remediation="Add a CI pipeline (GitHub Actions, GitLab CI, Jenkins or CircleCI) that validates every change.",
)

CI_KINDS = (FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI, FileKind.JENKINSFILE, FileKind.CIRCLECI)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when any CI definition exists."""
    ev = repo(ctx)
    found = files_of(ev, *CI_KINDS)
    if not found:
        return result(Outcome.FAIL, "No CI definition found (GitHub Actions, GitLab CI, Jenkinsfile, CircleCI).")
    systems = sorted({k.value for f in found for k in f.kinds if k in CI_KINDS})
    return result(Outcome.PASS, f"{plural(len(found), 'CI definition')} ({', '.join(systems)}).",
                  [Ref.file(f.path) for f in found])


CHECK = Check(SPEC, run)
