"""Stage 4: the same policies reach every cluster."""

from __future__ import annotations

import posixpath

from assess.checks._fleet import cluster_generators, flux_cluster_dirs
from assess.checks._policy import policy_docs
from assess.checks._repo import doc_ref, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import RepoEvidence
from assess.model.finding import Outcome, Ref, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="policy-uniform-across-fleet",
    title="Policies are applied uniformly to every cluster",
    principle=Principle.RECONCILED,
    severity=Severity.MEDIUM,
    stage=4,
    gates_stage=True,
    failure_modes=(FailureMode.FM2,),
    rationale="A fleet is only as safe as its least-governed cluster: policy must be delivered centrally to all "
    "clusters, not installed cluster by cluster.",
    remediation="Deliver the policy directory with an ApplicationSet whose `clusters` generator selects every "
    "cluster, or reference it from every `clusters/<name>/` Flux layout.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when an all-cluster generator delivers the policy path, or every Flux cluster dir references it."""
    ev = repo(ctx)
    policies = policy_docs(ev)
    if not policies:
        return result(Outcome.FAIL, "No policies declared, so none reach the fleet.")
    policy_dirs = sorted({posixpath.dirname(p.doc.path) for p in policies})
    for gen in cluster_generators(ev):
        if not gen.selects_all:
            continue
        paths = _source_paths(gen.doc.body)
        if any(_covers(path, d) for path in paths for d in policy_dirs):
            return result(Outcome.PASS, f"ApplicationSet {gen.doc.name} delivers {', '.join(policy_dirs[:3])} to "
                          "every registered cluster.", [doc_ref(gen.doc, gen.key)])
    flux_dirs = flux_cluster_dirs(ev)
    if flux_dirs:
        missing = [name for name in flux_dirs if not _references(ev, name, policy_dirs)]
        if not missing:
            return result(Outcome.PASS, f"All {len(flux_dirs)} Flux cluster directories reference the policies.",
                          list(flux_dirs.values()))
        return result(Outcome.FAIL, f"{len(missing)} of {plural(len(flux_dirs), 'cluster')} "
                      f"{'does' if len(missing) == 1 else 'do'} not reference the policies: "
                      f"{', '.join(sorted(missing)[:6])}.", [flux_dirs[n] for n in missing])
    return result(Outcome.FAIL, "Policies exist but nothing delivers them to every cluster.",
                  [Ref.file(p.doc.path, p.doc.line) for p in policies])


def _source_paths(body: object) -> list[str]:
    spec = body.get("spec", {}) if isinstance(body, dict) else {}
    template = spec.get("template", {}).get("spec", {}) if isinstance(spec, dict) else {}
    sources = template.get("sources") or [template.get("source") or {}]
    return [str(s.get("path", "")).strip("/") for s in sources if isinstance(s, dict) and s.get("path")]


def _covers(source_path: str, policy_dir: str) -> bool:
    return policy_dir == source_path or policy_dir.startswith(source_path + "/")


def _references(ev: RepoEvidence, cluster: str, policy_dirs: list[str]) -> bool:
    prefix = f"clusters/{cluster}/"
    for doc in ev.docs:
        if not doc.path.startswith(prefix) and f"/{prefix}" not in doc.path:
            continue
        text = str(doc.body) if doc.body is not None else " ".join(doc.lines)
        if any(d.split("/")[-1] in text or d in text for d in policy_dirs):
            return True
    return False


CHECK = Check(SPEC, run)
