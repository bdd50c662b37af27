"""Stage 1: declarative infrastructure lives in Git."""

from __future__ import annotations

from assess.checks._repo import IAC_KINDS, files_of, plural, repo, result, top_dirs
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="iac-in-git",
    title="Infrastructure is declared in Git",
    principle=Principle.DECLARATIVE,
    severity=Severity.HIGH,
    stage=1,
    gates_stage=True,
    signals=(Signal.IAC,),
    rationale="GitOps can only enforce what is declared. Kubernetes manifests, Helm charts, Kustomize or "
    "Terraform in Git make every environment reproducible from the repository.",
    remediation="Commit the Kubernetes manifests, Helm charts, Kustomize overlays or Terraform that describe your "
    "environments, and stop changing them by hand.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when the tree holds Kubernetes, Kustomize, Helm or Terraform declarations."""
    ev = repo(ctx)
    found = files_of(ev, *IAC_KINDS)
    if not found:
        where = "an empty repository" if ev.empty else f"{plural(len(ev.files), 'recognised file')}"
        return result(Outcome.FAIL, f"No declarative infrastructure found ({where}).")
    kinds = sorted({k.value for f in found for k in f.kinds if k in IAC_KINDS})
    return result(Outcome.PASS, f"{plural(len(found), 'declaration file')} ({', '.join(kinds)}) under "
                  f"{', '.join(top_dirs([f.path for f in found], 1)[:6])}.",
                  [Ref.file(f.path) for f in found])


CHECK = Check(SPEC, run)
