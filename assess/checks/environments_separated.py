"""FM1: environments are declared separately, so a change reaches production deliberately."""

from __future__ import annotations

from assess.checks._repo import IAC_KINDS, files_of, plural, repo, result
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
    """Pass when at least the configured number of environments is declared apart (one detection serves every
    check, the audit trail and the metrics)."""
    ev = repo(ctx)
    if not files_of(ev, *IAC_KINDS):
        return result(Outcome.NOT_APPLICABLE, "No deployment declarations, so no environments to separate.")
    dmap = ctx.deployment
    wanted = ctx.thresholds.min_environments
    # Evidence: the path that names each environment (its own folder or entry point), not a shared base.
    found = [Ref.file(next((p for p in globs if env in p.split("/")), globs[0]).removesuffix("/**"))
             for env, globs in dmap.environments.items() if globs]
    names = ", ".join(f"{env} ({dmap.how.get(env, dmap.basis.value)})" for env in dmap.environments)
    if len(dmap.environments) >= wanted:
        return result(Outcome.PASS, f"{plural(len(dmap.environments), 'environment')} declared apart: {names}.",
                      found)
    if dmap.environments:
        return result(Outcome.FAIL, f"Only {names} declared; at least {wanted} environments expected "
                      "(overlays/<env>, envs/<env>, clusters/<name>, or one reconciler entry point per environment).",
                      found)
    # The declarations are there and name no environment: that is the finding itself, not a missing input.
    return result(Outcome.FAIL, "No per-environment declarations: no reconciler entry point, per-environment folder "
                  "(overlays/<env>, envs/<env>, clusters/<name>), referenced values-<env>.yaml or CI deploy command "
                  "names an environment.")


CHECK = Check(SPEC, run)
