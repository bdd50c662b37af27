"""Stage 3 (observed): a policy engine enforces in the cluster, with its violation counts."""

from __future__ import annotations

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="policy-engine-enforcing",
    title="A policy engine (Gatekeeper or Kyverno) enforces in every cluster",
    principle=Principle.RECONCILED,
    severity=Severity.HIGH,
    stage=3,
    gates_stage=True,
    failure_modes=(FailureMode.FM2,),
    sources=("cluster",),
    rationale="Policy declared in Git but absent, or only auditing, in the cluster stops nothing before production.",
    remediation="Install Gatekeeper or Kyverno in each cluster through GitOps and move policies to deny/Enforce.",
)


def _kyverno_enforces(policy: dict[str, object]) -> bool:
    spec = policy.get("spec") if isinstance(policy.get("spec"), dict) else {}
    assert isinstance(spec, dict)
    if str(spec.get("validationFailureAction", "")).lower() == "enforce":
        return True
    return any(str((r.get("validate") or {}).get("failureAction", "")).lower() == "enforce"
               for r in spec.get("rules") or [] if isinstance(r, dict))


def run(ctx: CheckContext) -> CheckResult:
    """Pass when each cluster has enforcing constraints/policies; report live violations."""
    gap = unreadable(ctx, "templates.gatekeeper.sh/constrainttemplates", "kyverno.io/clusterpolicies")
    if gap:
        return gap
    lines, missing, refs = [], [], []
    for cluster in clusters(ctx):
        constraints = [o for o in cluster.objects
                       if str(o.get("apiVersion", "")).startswith("constraints.gatekeeper.sh/")]
        deny = [c for c in constraints if (c.get("spec") or {}).get("enforcementAction", "deny") == "deny"]
        violations = sum(int((c.get("status") or {}).get("totalViolations") or 0) for c in constraints)
        kyverno = cluster.of("kyverno.io", "ClusterPolicy") + cluster.of("kyverno.io", "Policy")
        enforcing = [p for p in kyverno if _kyverno_enforces(p)]
        reports = cluster.of("wgpolicyk8s.io", "PolicyReport") + cluster.of("wgpolicyk8s.io", "ClusterPolicyReport")
        fails = sum(int((r.get("summary") or {}).get("fail") or 0) for r in reports)
        if not deny and not enforcing:
            what = "policies only audit" if constraints or kyverno else "no policy engine"
            missing.append(f"{cluster.name} ({what})")
            continue
        lines.append(f"{cluster.name}: {plural(len(deny), 'deny constraint')}, "
                     f"{plural(len(enforcing), 'enforcing Kyverno policy')}, "
                     f"{plural(violations + fails, 'live violation')}")
        refs += [obj_ref(cluster, o) for o in deny + enforcing]
    if missing:
        return observed(Outcome.FAIL, f"Nothing enforces in: {', '.join(missing)}.", refs)
    return observed(Outcome.PASS, "; ".join(lines) + ".", refs)


CHECK = Check(SPEC, run)
