"""Stage 3: policies block, not just report."""

from __future__ import annotations

from assess.checks._policy import ci_policy_gates, policy_docs
from assess.checks._repo import doc_ref, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="policy-enforced",
    title="Admission policies run in enforce mode",
    principle=Principle.RECONCILED,
    severity=Severity.MEDIUM,
    stage=3,
    failure_modes=(FailureMode.FM2,),
    rationale="A policy in audit or dry-run mode records violations and lets them through; only enforce mode "
    "stops a manifest that fails security validation before it is reconciled.",
    remediation="Move policies to `validationFailureAction: Enforce` (Kyverno) or `enforcementAction: deny` "
    "(Gatekeeper) once their audit reports are clean.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when every declared policy enforces; warn when some only audit; fail when none enforces."""
    ev = repo(ctx)
    policies = policy_docs(ev)
    gates = ci_policy_gates(ev)
    if not policies:
        if gates:
            return result(Outcome.PASS, f"Policies enforced in CI ({plural(len(gates), 'policy test')}).", gates)
        return result(Outcome.NOT_APPLICABLE, "No admission policies declared.")
    audit = [p for p in policies if not p.enforcing]
    if len(audit) == len(policies) and not gates:
        return result(Outcome.FAIL, f"All {plural(len(policies), 'policy')} only audit: nothing is blocked.",
                      [doc_ref(p.doc, p.mode_key) for p in audit])
    if audit:
        return result(Outcome.WARN, f"{len(audit)} of {plural(len(policies), 'policy')} only audit.",
                      [doc_ref(p.doc, p.mode_key) for p in audit])
    return result(Outcome.PASS, f"All {plural(len(policies), 'policy')} enforce.",
                  [doc_ref(p.doc) for p in policies])


CHECK = Check(SPEC, run)
