"""Workflow hazards found by zizmor, run for real on workflows read from Git objects; one case per family."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assess.checks.workflow_hazards import FAMILIES
from assess.collectors.zizmor import audit_workflows
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle, Source
from assess.model.finding import Outcome, Severity
from assess.model.workflow_audit import WorkflowAudit, WorkflowFinding
from tests.conftest import Files, catalogued, evidence_of

RISKY = """name: greet
on:
  pull_request_target:
    types: [opened]
jobs:
  greet:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@11bd71901bbe5b1630ceea73d27597364c9af683
        with:
          ref: ${{ github.event.pull_request.head.sha }}
      - run: echo "Thanks for ${{ github.event.pull_request.title }}"
"""


def finding(audit: str, severity: str = "high") -> WorkflowFinding:
    return WorkflowFinding(audit, "d", "https://docs.zizmor.sh", severity, "high", ".github/workflows/ci.yml", 12, "a")


@dataclass(frozen=True)
class Case:
    check_id: str
    passing: Callable[[], CheckContext]
    failing: Callable[[], CheckContext]


def ctx(*findings: WorkflowFinding) -> CheckContext:
    return CheckContext(EvidenceBundle(workflow_audit=WorkflowAudit("zizmor", "1.32.0", (".github/workflows/ci.yml",),
                                                                    tuple(findings))))


CASES = [Case(f.id, ctx, lambda f=f: ctx(finding(sorted(f.audits)[0]))) for f in FAMILIES]  # type: ignore[misc]
CASES.append(Case("workflow-other-hazards", ctx, lambda: ctx(finding("insecure-commands", "medium"))))


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_pass_and_fail(case: Case) -> None:
    check = catalogued(case.check_id)
    assert check.run(case.passing()).outcome is Outcome.PASS
    failed = check.run(case.failing())
    assert failed.outcome is Outcome.FAIL and ".github/workflows/ci.yml:12" in failed.message
    assert [str(r) for r in failed.refs] == [".github/workflows/ci.yml:12"]


def test_informational_findings_are_a_caveat() -> None:
    found = catalogued("workflow-no-template-injection").run(ctx(finding("template-injection", "informational")))
    assert found.outcome is Outcome.WARN and found.severity is Severity.INFO


def test_the_worst_finding_comes_first_and_decides() -> None:
    low = WorkflowFinding("template-injection", "d", "u", "informational", "low", ".github/workflows/a.yml", 3, "a")
    high = WorkflowFinding("template-injection", "d", "u", "high", "high", ".github/workflows/z.yml", 40, "b")
    found = catalogued("workflow-no-template-injection").run(ctx(low, low, high))
    assert found.outcome is Outcome.FAIL and found.severity is Severity.HIGH
    assert "3 findings (1 high, 2 informational): .github/workflows/z.yml:40" in found.message


def test_zizmor_runs_offline_on_workflows_from_git(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory({".github/workflows/greet.yml": RISKY})
    audit, gap = audit_workflows(str(repo), evidence_of(repo))
    assert gap is None and audit is not None and audit.tool == "zizmor"
    audits = {f.audit for f in audit.findings}
    assert {"template-injection", "dangerous-triggers"} <= audits
    injection = next(f for f in audit.findings if f.audit == "template-injection")
    assert injection.path == ".github/workflows/greet.yml" and injection.line == 12
    # The repository's own zizmor.yml is honoured: an audit it disables finds nothing.
    quiet = repo_factory({".github/workflows/greet.yml": RISKY,
                          ".github/zizmor.yml": "rules:\n  template-injection:\n    disable: true\n"})
    muted, _ = audit_workflows(str(quiet), evidence_of(quiet))
    assert muted is not None and muted.config == ".github/zizmor.yml"
    assert "template-injection" not in {f.audit for f in muted.findings}


def test_without_zizmor_or_when_it_fails_the_checks_say_so(repo_factory: Callable[[Files], Path],
                                                            tmp_path: Path) -> None:
    repo = repo_factory({".github/workflows/greet.yml": RISKY})
    audit, gap = audit_workflows(str(repo), evidence_of(repo), lambda: None)  # a machine without the binary
    assert audit is None and gap is not None and gap.source is Source.ZIZMOR
    assert "not installed" in gap.reason and "built-in checks" in gap.fix
    broken = tmp_path / "zizmor"
    broken.write_text("#!/bin/sh\necho 'fatal: boom' >&2\nexit 2\n", encoding="utf-8")
    broken.chmod(0o755)
    audit, gap = audit_workflows(str(repo), evidence_of(repo), lambda: str(broken))
    assert audit is None and gap is not None and gap.reason == "zizmor failed: fatal: boom"


BOOTSTRAP = """name: e2e
on: [push]
permissions: {}
jobs:
  e2e:
    runs-on: ubuntu-latest
    steps:
      - run: flux create source git flux-system --url=${{ github.event.repository.html_url }}
      - run: echo "${{ github.event.head_commit.message }}"
"""


def test_owner_set_contexts_are_informational_but_commit_messages_are_not(
        repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory({".github/workflows/e2e.yml": BOOTSTRAP})
    audit, _ = audit_workflows(str(repo), evidence_of(repo))
    assert audit is not None
    expressions = {f.expression for f in audit.findings if f.audit == "template-injection"}
    assert expressions == {"github.event.repository.html_url", "github.event.head_commit.message"}
    found = catalogued("workflow-no-template-injection").run(CheckContext(EvidenceBundle(workflow_audit=audit)))
    assert found.outcome is Outcome.FAIL and found.severity is Severity.HIGH
    assert found.message.startswith("zizmor") and "(1 high, 1 informational)" in found.message, found.message
    assert "repository.html_url` is set by GitHub or the repository's owner" in found.message
    owner_only = repo_factory({".github/workflows/e2e.yml": BOOTSTRAP.rsplit("      - run: echo", 1)[0]})
    audit, _ = audit_workflows(str(owner_only), evidence_of(owner_only))
    assert audit is not None
    quiet = catalogued("workflow-no-template-injection").run(CheckContext(EvidenceBundle(workflow_audit=audit)))
    assert quiet.outcome is Outcome.WARN and quiet.severity is Severity.INFO, quiet.message
