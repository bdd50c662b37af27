"""FM1: environments are declared separately, so a change reaches production deliberately."""

from __future__ import annotations

from assess.checks._repo import IAC_KINDS, environments, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="environments-separated",
    title="Environments are declared separately (overlays or per-environment paths)",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    stage=2,
    failure_modes=(FailureMode.FM1, FailureMode.FM4),
    rationale="When staging and production share one declaration, a bad commit reaches every environment at "
    "once. Per-environment overlays or paths (or repositories) limit the blast radius and make promotion a "
    "reviewed change.",
    remediation="Split declarations per environment: `overlays/<env>` over a Kustomize base, `envs/<env>` or "
    "`clusters/<env>` directories, or `values-<env>.yaml` files.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when at least the configured number of environments is declared apart."""
    ev = repo(ctx)
    if not files_of(ev, *IAC_KINDS):
        return result(Outcome.NOT_APPLICABLE, "No deployment declarations, so no environments to separate.")
    envs = environments(ev)
    wanted = ctx.thresholds.min_environments
    found = [Ref.file(paths[0]) for paths in envs.values()]
    if len(envs) >= wanted:
        return result(Outcome.PASS, f"{plural(len(envs), 'environment')} declared apart: {', '.join(sorted(envs))}.",
                      found)
    if envs:
        return result(Outcome.FAIL, f"Only {', '.join(envs)} declared; at least {wanted} environments expected "
                      "(overlays/<env>, envs/<env>, clusters/<env> or values-<env>.yaml).", found)
    return result(Outcome.FAIL, "No per-environment declarations (overlays/<env>, envs/<env>, clusters/<env>, "
                  "values-<env>.yaml).")


CHECK = Check(SPEC, run)
