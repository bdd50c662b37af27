"""Readiness: Kubernetes is the target, or containers show a path to it."""

from __future__ import annotations

from assess.checks._repo import files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="kubernetes-declared",
    title="Workloads target Kubernetes, or containers show a path to it",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    stage=1,
    signals=(Signal.KUBERNETES,),
    rationale="Argo CD and Flux are built for Kubernetes; outside cloud-native the operator ecosystem is thin "
    "and the learning curve roughly doubles.",
    remediation="Containerise the services (a Dockerfile per service) and describe their deployment as Kubernetes "
    "manifests, a Helm chart or Kustomize.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass on Kubernetes declarations; warn when only Dockerfiles exist; fail otherwise."""
    ev = repo(ctx)
    k8s = files_of(ev, FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART, FileKind.HELM_TEMPLATE)
    if k8s:
        return result(Outcome.PASS, f"{plural(len(k8s), 'Kubernetes declaration')} found.",
                      [Ref.file(f.path) for f in k8s])
    containers = files_of(ev, FileKind.DOCKERFILE)
    if containers:
        return result(Outcome.WARN, f"{plural(len(containers), 'container build')} but no Kubernetes "
                      "declarations: a path to Kubernetes, not yet taken.", [Ref.file(f.path) for f in containers])
    return result(Outcome.FAIL, "Neither Kubernetes declarations nor container builds found.")


CHECK = Check(SPEC, run)
