"""PR gate: every deployment path has a code owner who must review it."""

from __future__ import annotations

from assess.checks._repo import IAC_KINDS, deployed, files_of, owner_of, ownership, plural, result, top_dirs
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="codeowners-cover-deploy-paths",
    title="CODEOWNERS covers every deployment path",
    principle=Principle.VERSIONED,
    severity=Severity.MEDIUM,
    stage=2,
    signals=(Signal.PR_GATE,),
    failure_modes=(FailureMode.FM1,),
    rationale="A PR is a real gate only when the right people must approve it. With code-owner review required, "
    "CODEOWNERS decides who may approve changes to production declarations.",
    remediation="Add a CODEOWNERS file (.github/, root or docs/) with an owning team for every directory of "
    "manifests, charts and Terraform, and require code-owner review on the default branch.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail when CODEOWNERS is missing or leaves deployment files without an owner."""
    ev = deployed(ctx)
    deploy = [f.path for f in files_of(ev, *IAC_KINDS)]
    if not deploy:
        return result(Outcome.NOT_APPLICABLE, "No deployment declarations to own.")
    where, rules = ownership(ev)
    if where is None:
        return result(Outcome.FAIL, f"No CODEOWNERS or OWNERS file: {plural(len(deploy), 'deployment file')} under "
                      f"{', '.join(top_dirs(deploy, 1)[:5])} can be approved by anyone.")
    anchor = Ref.file(where.split(",")[0].removesuffix(" …"))
    uncovered = [p for p in deploy if not ((rule := owner_of(rules, p)) and rule.requires_approval)]
    if uncovered:
        dirs = top_dirs(uncovered)
        optional = sum(1 for p in uncovered if (rule := owner_of(rules, p)) and rule.optional and rule.owners)
        note = (f" ({optional} only in optional sections, whose approval is not required)" if optional else "")
        return result(Outcome.FAIL, f"{len(uncovered)} of {plural(len(deploy), 'deployment file')} have no owner"
                      f"{note}: {', '.join(dirs[:5])}.", [anchor] + [Ref.file(p) for p in uncovered])
    return result(Outcome.PASS, f"Ownership ({where}) covers all {plural(len(deploy), 'deployment file')}.",
                  [anchor])


CHECK = Check(SPEC, run)
