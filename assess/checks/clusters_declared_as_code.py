"""Stage 3: clusters themselves are declared in Git."""

from __future__ import annotations

from assess.checks._repo import declared_clusters, plural, repo, result
from assess.checks.catalog import Check
from assess.derive.clusters import LOOKED_FOR, lifecycle_objects
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="clusters-declared-as-code",
    title="Clusters are declared in Git (Cluster API, Talos, Crossplane, Terraform, …)",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    stage=3,
    gates_stage=True,
    rationale="At stage 3 GitOps governs how clusters are created and changed, not only the apps on them.",
    remediation="Declare clusters with Cluster API `Cluster` objects, Crossplane compositions, or Terraform "
    "(`aws_eks_cluster`, `google_container_cluster`, `azurerm_kubernetes_cluster`) kept in Git.",
)

def run(ctx: CheckContext) -> CheckResult:
    """Pass when the repository declares how at least one cluster is created (see derive.clusters for the list);
    upgrade objects reconciled from Git count as lifecycle too."""
    ev = repo(ctx)
    declared = declared_clusters(ctx, ev)
    upgrades = lifecycle_objects(ev)
    if not declared and not upgrades:
        return result(Outcome.FAIL, f"No cluster declaration recognised (looked for: {LOOKED_FOR}).")
    hows = sorted({c.how for c in declared} | ({"upgrades reconciled from Git"} if upgrades else set()))
    count = len({c.name for c in declared if not c.template})
    templates = [c for c in declared if c.template]
    what = plural(count, "cluster") + (f" and {plural(len(templates), 'composition')} that can create more"
                                       if templates and count else "")
    if templates and not count:
        what = f"{plural(len(templates), 'composition')} that can create clusters (no claim of it in Git)"
    return result(Outcome.PASS, f"{what} declared as code ({', '.join(hows)}).",
                  [c.ref for c in declared] + upgrades)


CHECK = Check(SPEC, run)
