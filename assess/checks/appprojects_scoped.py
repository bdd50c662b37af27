"""FM2 (observed): Argo CD projects do not allow everything."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from assess.checks._cluster import clusters, obj_ref, observed, unreadable
from assess.checks._reconciler import SyncUnit, argo_units
from assess.checks._repo import ARGO, deployed, doc_ref, docs, plural, result
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
    sources=("git",),
    rationale="A project with `*` sources or destinations lets any repository deploy anything anywhere: a "
    "compromised repository or token reaches every cluster.",
    remediation="Restrict `sourceRepos`, `destinations` and `clusterResourceWhitelist` per project, and lock down "
    "the built-in `default` project.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on AppProjects with wildcard sources, destinations or cluster-resource allow-lists: observed in the
    cluster when it can be read, else as declared in Git (apps left in the built-in `default` project included)."""
    gap = unreadable(ctx, "argoproj.io/appprojects") if ctx.evidence.clusters else None
    if not ctx.evidence.clusters or gap:
        if ctx.evidence.git is None and gap:
            return gap
        declared = _declared(ctx)
        return replace(declared, message=f"{declared.message} (Cluster not readable: {gap.message})") if gap \
            else declared
    wide, refs, total = [], [], 0
    for cluster in clusters(ctx):
        for project in cluster.of("argoproj.io", "AppProject"):
            total += 1
            problems = _too_wide(project.get("spec") or {})
            if problems:
                wide.append(f"{cluster.name}:{project['metadata'].get('name')} ({', '.join(problems)})")
                refs.append(obj_ref(cluster, project))
    if total == 0:
        return observed(Outcome.NOT_APPLICABLE, "No Argo CD AppProject in the cluster(s).")
    if wide:
        return observed(Outcome.FAIL, f"{len(wide)} of {total} AppProjects allow everything: {'; '.join(wide[:5])}.",
                        refs)
    return observed(Outcome.PASS, f"All {total} AppProjects are scoped.")


def _too_wide(spec: dict[str, Any]) -> list[str]:
    problems = []
    if "*" in (spec.get("sourceRepos") or []):
        problems.append("any source")
    if any(isinstance(d, dict) and (d.get("server") == "*" or d.get("name") == "*")
           for d in spec.get("destinations") or []):
        problems.append("any cluster")
    if any(isinstance(w, dict) and w.get("group") == "*" and w.get("kind") == "*"
           for w in spec.get("clusterResourceWhitelist") or []):
        problems.append("any cluster-scoped kind")
    return problems


def _declared(ctx: CheckContext) -> CheckResult:
    """The same judgement from Git: declared AppProjects, and the project each Argo CD app names."""
    ev = deployed(ctx)
    projects = docs(ev, "AppProject", group=ARGO)
    wide = [(p, _too_wide(p.body.get("spec") or {})) for p in projects if isinstance(p.body, dict)]
    wide = [(p, w) for p, w in wide if w]
    scoped_default = any(p.name == "default" for p in projects) and not any(p.name == "default" for p, _ in wide)
    in_default = [u for u in argo_units(ev) if _project(u) in ("default", "") and not scoped_default]
    units = argo_units(ev)
    if not projects and not units:
        return result(Outcome.NOT_APPLICABLE, "No Argo CD AppProject or Application declared (and no cluster read).")
    refs = [doc_ref(p) for p, _ in wide] + [doc_ref(u.doc, u.policy.removesuffix(".syncPolicy") + ".project")
                                           for u in in_default]
    problems = [f"{p.ident} ({', '.join(w)})" for p, w in wide]
    if in_default:
        problems.append(f"{plural(len(in_default), 'app')} in the built-in `default` project, which allows any "
                        f"source and destination ({', '.join(u.label for u in in_default[:3])})")
    if problems:
        return result(Outcome.FAIL, "As declared in Git: " + "; ".join(problems) + ".", refs)
    return result(Outcome.PASS, f"As declared in Git: {plural(len(projects), 'AppProject')} scoped, and every app "
                  "names a scoped project.", [doc_ref(p) for p in projects])


def _project(unit: SyncUnit) -> str:
    key = unit.policy.removesuffix(".syncPolicy") + ".project"
    value = unit.doc.get(key)
    if value is None and unit.doc.templated:
        value = next((k.split("=", 1)[1] for k in unit.doc.lines if k.startswith(key + "=")), None)
    return str(value or "")


CHECK = Check(SPEC, run)
