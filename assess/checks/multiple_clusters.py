"""Stage 3: more than one cluster is run from Git."""

from __future__ import annotations

from assess.checks._repo import known_clusters, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="multiple-clusters",
    title="More than one cluster is managed from Git",
    principle=Principle.DECLARATIVE,
    severity=Severity.LOW,
    stage=3,
    gates_stage=True,
    rationale="Cluster lifecycle management starts to pay when there is more than one cluster to keep alike.",
    remediation="Declare each cluster (Cluster API, Crossplane, Terraform, Argo CD cluster secrets, or a "
    "`clusters/<name>/` directory per cluster).",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass with two or more distinct clusters declared or targeted."""
    ev = repo(ctx)
    found = known_clusters(ev, ctx)
    names = sorted({c.name for c in found})
    if len(names) >= 2:
        return result(Outcome.PASS, f"{plural(len(names), 'cluster')}: {', '.join(names[:8])}"
                      f"{' …' if len(names) > 8 else ''}.", [c.ref for c in found])
    if names:
        return result(Outcome.FAIL, f"One cluster only ({names[0]}).", [c.ref for c in found])
    return result(Outcome.FAIL, "No cluster declared or targeted (no cluster declaration, Argo CD cluster secret, "
                  "Flux spoke or clusters/<name>/ folder recognised).")


CHECK = Check(SPEC, run)
