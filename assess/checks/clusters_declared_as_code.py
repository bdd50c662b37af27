"""Stage 3: clusters themselves are declared in Git."""

from __future__ import annotations

from assess.checks._repo import clusters, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="clusters-declared-as-code",
    title="Clusters are declared in Git (Cluster API, Crossplane or Terraform)",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    stage=3,
    gates_stage=True,
    rationale="At stage 3 GitOps governs how clusters are created and changed, not only the apps on them.",
    remediation="Declare clusters with Cluster API `Cluster` objects, Crossplane compositions, or Terraform "
    "(`aws_eks_cluster`, `google_container_cluster`, `azurerm_kubernetes_cluster`) kept in Git.",
)

DECLARING = ("Cluster API", "Terraform", "Crossplane")


def run(ctx: CheckContext) -> CheckResult:
    """Pass when Cluster API, Crossplane or Terraform declare at least one cluster."""
    ev = repo(ctx)
    declared = [c for c in clusters(ev).values() if c.how in DECLARING]
    if not declared:
        return result(Outcome.FAIL, "No cluster is declared as code: clusters are created outside Git.")
    hows = sorted({c.how for c in declared})
    return result(Outcome.PASS, f"{plural(len(declared), 'cluster declaration')} ({', '.join(hows)}).",
                  [c.ref for c in declared])


CHECK = Check(SPEC, run)
