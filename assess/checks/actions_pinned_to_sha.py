"""FM2: third-party GitHub Actions are pinned to full commit SHAs."""

from __future__ import annotations

import re

from assess.checks._repo import ci_commands, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="actions-pinned-to-sha",
    title="GitHub Actions are pinned to full commit SHAs",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    failure_modes=(FailureMode.FM2,),
    any_repository=True,
    rationale="Tags move. In March 2025 the compromised `reviewdog/action-setup` tag injected code into CI runners "
    "and reached secrets of connected GitOps pipelines. A 40-character SHA cannot be re-pointed.",
    remediation="Pin every `uses:` to a full commit SHA with the version as a comment "
    "(`uses: owner/action@<sha> # v4.1.0`) and let Renovate or Dependabot update the pins.",
)

SHA = re.compile(r"^[0-9a-f]{40}$")
FIRST_PARTY = ("actions/", "github/")


def run(ctx: CheckContext) -> CheckResult:
    """Fail on third-party actions not pinned by SHA; warn on unpinned GitHub-owned actions."""
    ev = repo(ctx)
    if not files_of(ev, FileKind.GITHUB_WORKFLOW):
        return result(Outcome.NOT_APPLICABLE, "No GitHub Actions workflows.")
    third: list[tuple[Ref, str]] = []
    first: list[tuple[Ref, str]] = []
    total = 0
    for cmd in ci_commands(ev):
        if cmd.uses is None or cmd.uses.startswith("./"):
            continue
        total += 1
        if cmd.uses.startswith("docker://"):
            if "@sha256:" not in cmd.uses:
                third.append((Ref.file(cmd.path, cmd.line), cmd.uses))
            continue
        _, _, ref = cmd.uses.partition("@")
        if SHA.match(ref):
            continue
        bucket = first if cmd.uses.lower().startswith(FIRST_PARTY) else third
        bucket.append((Ref.file(cmd.path, cmd.line), cmd.uses))
    if third:
        sample = ", ".join(u for _, u in third[:4])
        return result(Outcome.FAIL, f"{plural(len(third), 'third-party action')} not pinned to a SHA: {sample}.",
                      [r for r, _ in third + first])
    if first:
        sample = ", ".join(u for _, u in first[:4])
        return result(Outcome.WARN, f"{plural(len(first), 'GitHub-owned action')} pinned by tag: {sample}.",
                      [r for r, _ in first])
    if total == 0:
        return result(Outcome.NOT_APPLICABLE, "Workflows use no actions.")
    return result(Outcome.PASS, f"All {plural(total, 'action reference')} pinned to full SHAs.")


CHECK = Check(SPEC, run)
