"""FM2 (observed): Argo CD projects do not allow everything."""

from __future__ import annotations

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="appprojects-scoped",
    title="Argo CD AppProjects restrict sources, destinations and cluster-scoped kinds",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    failure_modes=(FailureMode.FM2, FailureMode.FM1),
    sources=("cluster",),
    rationale="A project with `*` sources or destinations lets any repository deploy anything anywhere: a "
    "compromised repository or token reaches every cluster.",
    remediation="Restrict `sourceRepos`, `destinations` and `clusterResourceWhitelist` per project, and lock down "
    "the built-in `default` project.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on AppProjects with wildcard sources, destinations or cluster-resource allow-lists."""
    gap = unreadable(ctx, "argoproj.io/appprojects")
    if gap:
        return gap
    wide, refs, total = [], [], 0
    for cluster in clusters(ctx):
        for project in cluster.of("argoproj.io", "AppProject"):
            total += 1
            spec = project.get("spec") or {}
            problems = []
            if "*" in (spec.get("sourceRepos") or []):
                problems.append("any source")
            if any(d.get("server") == "*" or d.get("name") == "*" for d in spec.get("destinations") or []):
                problems.append("any cluster")
            if any(w.get("group") == "*" and w.get("kind") == "*" for w in spec.get("clusterResourceWhitelist") or []):
                problems.append("any cluster-scoped kind")
            if problems:
                wide.append(f"{cluster.name}:{project['metadata'].get('name')} ({', '.join(problems)})")
                refs.append(obj_ref(cluster, project))
    if total == 0:
        return observed(Outcome.NOT_APPLICABLE, "No Argo CD AppProject in the cluster(s).")
    if wide:
        return observed(Outcome.FAIL, f"{len(wide)} of {total} AppProjects allow everything: {'; '.join(wide[:5])}.",
                        refs)
    return observed(Outcome.PASS, f"All {total} AppProjects are scoped.")


CHECK = Check(SPEC, run)
