"""Readiness: someone owns the reconciler's configuration."""

from __future__ import annotations

from assess.checks._reconciler import all_units
from assess.checks._repo import ARGO, FLUX_SOURCE, docs, owner_of, ownership, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="gitops-tooling-owned",
    title="The GitOps tooling configuration has a named owner",
    principle=Principle.RECONCILED,
    severity=Severity.LOW,
    stage=2,
    signals=(Signal.TOOLING_OWNER,),
    rationale="Argo CD and Flux need configuration, upgrades and monitoring; it cannot be a side job. An owner in "
    "CODEOWNERS for the reconciler's own declarations is the visible sign someone holds it.",
    remediation="Name a platform team in CODEOWNERS for the Argo CD / Flux configuration paths (Applications, "
    "AppProjects, flux-system, sources).",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass when every reconciler configuration file has an owner in CODEOWNERS."""
    ev = repo(ctx)
    config = sorted({u.doc.path for u in all_units(ev)}
                    | {d.path for d in docs(ev, group=FLUX_SOURCE) + docs(ev, "AppProject", group=ARGO)})
    if not config:
        return result(Outcome.NOT_APPLICABLE, "No reconciler configuration declared.")
    where, rules = ownership(ev)
    if where is None:
        return result(Outcome.FAIL, "No CODEOWNERS or OWNERS file: nobody is named for the reconciler configuration.",
                      [Ref.file(p) for p in config])
    orphans = [p for p in config if not ((rule := owner_of(rules, p)) and rule.requires_approval)]
    if orphans:
        return result(Outcome.FAIL, f"{len(orphans)} of {len(config)} reconciler configuration files have no owner.",
                      [Ref.file(p) for p in orphans])
    owners = sorted({o for p in config if (rule := owner_of(rules, p)) for o in rule.owners})
    return result(Outcome.PASS, f"Reconciler configuration owned by {', '.join(owners[:4])} ({where}).",
                  [Ref.file(where.split(",")[0].removesuffix(" …"))])


CHECK = Check(SPEC, run)
