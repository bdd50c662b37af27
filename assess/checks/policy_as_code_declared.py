"""Stage 3: policy-as-code gates what may be reconciled."""

from __future__ import annotations

from assess.checks._policy import ci_policy_gates, constraint_templates, policy_docs
from assess.checks._repo import IAC_KINDS, doc_ref, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="policy-as-code-declared",
    title="Policy-as-code gates what is reconciled (Gatekeeper, Kyverno or a CI policy test)",
    principle=Principle.DECLARATIVE,
    severity=Severity.HIGH,
    stage=3,
    gates_stage=True,
    failure_modes=(FailureMode.FM2,),
    rationale="Stage 3 stops non-compliant configuration before production: OPA Gatekeeper or Kyverno in the "
    "cluster, or conftest/kyverno in CI, in front of the sync loop.",
    remediation="Declare Gatekeeper constraints or Kyverno policies in Git (reconciled like any app), and test "
    "manifests with `conftest test` or `kyverno apply` in CI.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when admission policies or CI policy tests are declared."""
    ev = repo(ctx)
    policies = policy_docs(ev)
    gates = ci_policy_gates(ev)
    templates = constraint_templates(ev)
    if not policies and not gates:
        if not files_of(ev, *IAC_KINDS):
            return result(Outcome.NOT_APPLICABLE, "No deployment declarations for policies to gate.")
        if templates:
            return result(Outcome.FAIL, "Gatekeeper ConstraintTemplates without constraints enforce nothing.",
                          [doc_ref(d) for d in templates])
        return result(Outcome.FAIL, "No Gatekeeper, Kyverno or admission policy, and no policy test in CI.")
    engines = sorted({p.engine for p in policies} | ({"ci"} if gates else set()))
    return result(Outcome.PASS, f"{plural(len(policies), 'policy')} and {plural(len(gates), 'CI policy test')} "
                  f"({', '.join(engines)}).", [doc_ref(p.doc) for p in policies] + gates)


CHECK = Check(SPEC, run)
