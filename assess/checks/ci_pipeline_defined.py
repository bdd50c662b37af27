"""Readiness: a CI pipeline builds and tests changes."""

from __future__ import annotations

from assess.checks._repo import files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.derive.repo_kind import SOURCE_EXTENSIONS
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.evidence import FileKind, RepoEvidence
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
    remediation="Add a CI pipeline that validates every change (GitHub Actions, GitLab CI, Jenkins, Woodpecker, …); "
    "if CI runs from a definition this tool does not recognise, disable this check in .gitops-assess.yaml.",
)

CI_KINDS = (FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI, FileKind.JENKINSFILE, FileKind.CIRCLECI, FileKind.CI_OTHER)
LOOKED_FOR = ("GitHub/Forgejo/Gitea Actions, GitLab CI, Jenkinsfile, CircleCI, Woodpecker, Drone, Codefresh, Azure "
              "Pipelines, Bitbucket Pipelines, Buildkite, Tekton, Travis, Cloud Build")


def run(ctx: CheckContext) -> CheckResult:
    """Pass when any CI definition exists."""
    ev = repo(ctx)
    found = files_of(ev, *CI_KINDS)
    if not found and not _builds_software(ev):
        # A configuration repository: its applications' CI lives with their code; what is missing here is the
        # validation of the manifests themselves, a caveat rather than "fix CI first".
        return result(Outcome.WARN, "No CI definition recognised in this configuration repository: manifests merge "
                      f"without automated validation (looked for: {LOOKED_FOR}). Application CI may live in the "
                      "application repositories.")
    if not found:
        return result(Outcome.FAIL, f"No CI definition recognised (looked for: {LOOKED_FOR}).")
    systems = sorted({k.value for f in found for k in f.kinds if k in CI_KINDS})
    return result(Outcome.PASS, f"{plural(len(found), 'CI definition')} ({', '.join(systems)}).",
                  [Ref.file(f.path) for f in found])


def _builds_software(ev: RepoEvidence) -> bool:
    """Whether the repository holds something CI would build: a Dockerfile or source code."""
    return bool(files_of(ev, FileKind.DOCKERFILE)) or sum(
        n for ext, n in ev.stats.by_extension.items() if ext in SOURCE_EXTENSIONS) >= 5


CHECK = Check(SPEC, run)
