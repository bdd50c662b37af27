"""FM2: hazards zizmor finds in CI workflows, one check per family of its audits (a table of near-identical
checks). Pinning and token permissions stay with the built-in checks, which know the GitOps exceptions."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace

from assess.checks._repo import plural, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity
from assess.model.workflow_audit import WorkflowFinding

CONFIDENCE = {"high": 3, "medium": 2, "low": 1}
SEVERITY = {"high": Severity.HIGH, "medium": Severity.MEDIUM, "low": Severity.LOW, "informational": Severity.INFO}
BUILT_IN = frozenset({"unpinned-uses"})  # judged by actions-pinned-to-sha
# Contexts only the repository's owner sets, and whose values GitHub restricts to names, numbers and URLs built from
# them (`[A-Za-z0-9._-]`): expanded into a script they cannot carry code. A branch name or a description can.
OWNER_SET = re.compile(r"^github\.(repository(_owner)?(_id)?|event\.repository\.(name|full_name|id|html_url|url|"
                       r"clone_url|git_url|ssh_url|owner\.(login|id))|run_id|run_number|run_attempt|"
                       # user logins ([A-Za-z0-9-]), the workflow's own name and job id, hex ids, fixed words
                       r"actor(_id)?|triggering_actor|workflow|job|event_name|sha|ref_type|server_url|api_url)$")


@dataclass(frozen=True)
class Family:
    """A row of the table: which zizmor audits a check covers, and what it says."""

    id: str
    title: str
    audits: frozenset[str]
    severity: Severity
    rationale: str
    remediation: str


FAMILIES = (
    Family("workflow-no-template-injection", "Workflows do not expand untrusted input into shell commands",
           frozenset({"template-injection"}), Severity.HIGH,
           "`${{ github.event.* }}` or matrix values built from pull-request content, expanded inside `run:`, let "
           "anyone who can open a pull request run code in CI, next to the credentials of the GitOps pipeline.",
           "Pass untrusted values through `env:` and quote them in the script; never expand `${{ }}` inside run."),
    Family("workflow-no-dangerous-triggers", "Workflows avoid privileged triggers on untrusted code",
           frozenset({"dangerous-triggers", "bot-conditions"}), Severity.HIGH,
           "`pull_request_target` and `workflow_run` run with the base repository's secrets and write token; "
           "checking out the pull request's code there hands both to its author.",
           "Use `pull_request` for untrusted code; keep `pull_request_target` for label-only jobs."),
    Family("workflow-credentials-not-persisted", "Checkouts do not persist Git credentials",
           frozenset({"artipacked"}), Severity.MEDIUM,
           "`actions/checkout` leaves the token in `.git/config` unless told not to: any later step or uploaded "
           "artifact can read it and push to the repository the reconciler trusts.",
           "Set `persist-credentials: false` on every checkout that does not push."),
    Family("workflow-tokens-scoped", "Workflow and GitHub App tokens carry only the permissions they need",
           frozenset({"excessive-permissions", "github-app", "undocumented-permissions"}), Severity.MEDIUM,
           "A token with write access to contents or deployments is a push path into the state repository; "
           "GitHub App tokens without `permission-*` inputs get every permission of the app.",
           "Declare `permissions:` per job, and `permission-*` inputs on create-github-app-token."),
    Family("workflow-secrets-scoped", "Secrets reach only the jobs that need them",
           frozenset({"secrets-inherit", "overprovisioned-secrets", "unredacted-secrets", "secrets-outside-env"}),
           Severity.MEDIUM,
           "`secrets: inherit` and `${{ toJSON(secrets) }}` hand every secret to code that needs one.",
           "Pass named secrets explicitly to reusable workflows and steps."),
    Family("workflow-no-cache-poisoning", "Release workflows do not restore caches others can write",
           frozenset({"cache-poisoning"}), Severity.MEDIUM,
           "A cache written by a pull-request run and restored by a release run lets untrusted code into "
           "published artifacts.", "Disable caching in workflows that publish images or charts."),
)
COVERED = frozenset(a for f in FAMILIES for a in f.audits) | BUILT_IN
OTHER = Family("workflow-other-hazards", "Workflows pass zizmor's remaining audits", frozenset(), Severity.LOW,
               "zizmor's other audits (insecure commands, self-hosted runners, obfuscation, unpinned container "
               "images, …) each name a way CI can be turned against the repository.",
               "Follow the linked zizmor documentation for each finding, or ignore it in `zizmor.yml` with a reason.")


def _reassessed(finding: WorkflowFinding) -> WorkflowFinding:
    """A template injection of a value GitHub or the repository's owner sets is informational, whatever the
    trigger."""
    if finding.audit != "template-injection" or not OWNER_SET.match(finding.expression.strip()):
        return finding
    return replace(finding, severity="informational", annotation=f"`{finding.expression.strip()}` is set by "
                   "GitHub or the repository's owner and limited to names, ids and URLs: it cannot carry code "
                   f"(zizmor rates it {finding.severity})")


def _spec(family: Family) -> CheckSpec:
    return CheckSpec(id=family.id, title=family.title, principle=Principle.VERSIONED, severity=family.severity,
                     failure_modes=(FailureMode.FM2,), sources=("git", "zizmor"), any_repository=True,
                     rationale=family.rationale + " Found by zizmor, run offline on the workflows read from Git.",
                     remediation=family.remediation)


def _runner(family: Family) -> Callable[[CheckContext], CheckResult]:
    def run(ctx: CheckContext) -> CheckResult:
        """Fail on zizmor findings of the family's audits (not those the repository's zizmor.yml ignores)."""
        audit = ctx.evidence.workflow_audit
        if audit is None:
            return result(Outcome.NOT_APPLICABLE, "No GitHub Actions workflow to audit.")
        covers: Callable[[WorkflowFinding], bool] = (
            (lambda f: f.audit in family.audits) if family.audits else (lambda f: f.audit not in COVERED))
        found = [_reassessed(f) for f in audit.findings if covers(f) and not f.ignored]
        tool = f"{audit.tool} {audit.version}" + (f" with {audit.config}" if audit.config else "")
        if not found:
            return result(Outcome.PASS, f"{tool}: nothing found in {plural(len(audit.files), 'file')}.")
        found.sort(key=lambda f: (-SEVERITY.get(f.severity, Severity.LOW).rank,
                                  -CONFIDENCE.get(f.confidence, 0), f.path, f.line))  # the worst first
        worst = SEVERITY.get(found[0].severity, Severity.LOW)
        tally = ", ".join(f"{n} {sev}" for sev, n in Counter(f.severity for f in found).items())
        listing = "; ".join(f"{f.path}:{f.line} {f.audit} ({f.severity}, {f.confidence} confidence): "
                            f"{f.annotation}" for f in found[:5]) + (f"; and {len(found) - 5} more" if len(found) > 5
                                                                      else "")
        # Informational findings alone are a caveat; anything rated low or above fails.
        outcome = Outcome.WARN if worst is Severity.INFO else Outcome.FAIL
        return result(outcome, f"{tool}: {plural(len(found), 'finding')} ({tally}): {listing}.",
                      [Ref.file(f.path, f.line) for f in found],
                      severity=min(worst, family.severity, key=lambda s: s.rank))
    return run


CHECKS = tuple(Check(_spec(f), _runner(f)) for f in (*FAMILIES, OTHER))
