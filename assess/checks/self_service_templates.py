"""Stage 3: teams provision infrastructure from templates without waiting on ops."""

from __future__ import annotations

from assess.checks._repo import ARGO, doc_ref, docs, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="self-service-templates",
    title="Self-service templates let teams provision through Git",
    principle=Principle.DECLARATIVE,
    severity=Severity.LOW,
    stage=3,
    rationale="A platform team at stage 3 builds templates so development teams get environments by pull "
    "request instead of by ticket.",
    remediation="Offer Crossplane CompositeResourceDefinitions/Compositions, Backstage software templates, or an "
    "ApplicationSet git generator that turns a new directory into a new app.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Pass on Crossplane XRDs/Compositions, Backstage templates or ApplicationSet git generators."""
    ev = repo(ctx)
    found = docs(ev, "CompositeResourceDefinition", "Composition", group="crossplane.io")
    found += [d for d in docs(ev, "Template") if d.group == "scaffolder.backstage.io"]
    found += [d for d in docs(ev, "ApplicationSet", group=ARGO) if "'git'" in str(d.get("spec.generators"))]
    if found:
        kinds = sorted({d.kind or "?" for d in found})
        return result(Outcome.PASS, f"Self-service templates: {', '.join(kinds)}.", [doc_ref(d) for d in found])
    return result(Outcome.FAIL, "No self-service templates (Crossplane compositions, Backstage templates, "
                  "ApplicationSet git generators).")


CHECK = Check(SPEC, run)
