"""Stage 3: teams provision infrastructure from templates without waiting on ops."""

from __future__ import annotations

from assess.checks._repo import ARGO, deployed, doc_ref, docs, repo, result
from assess.checks.catalog import Check
from assess.derive.deployment import argo_apps_in_values, values_docs
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
    # Crossplane and ApplicationSets create things only where a reconciler applies them (a composition commented
    # out of an overlay offers nothing); a Backstage template is read by Backstage itself, wherever it lives.
    ev = deployed(ctx)
    found = docs(ev, "CompositeResourceDefinition", "Composition", group="crossplane.io")
    found += [d for d in docs(repo(ctx), "Template") if d.group == "scaffolder.backstage.io"]
    found += [d for d in docs(ev, "ApplicationSet", group=ARGO) if "'git'" in str(d.get("spec.generators"))]
    refs = [doc_ref(d) for d in found]
    kinds = {d.kind or "?" for d in found}
    for doc in values_docs(ev):  # the argo-cd-apps chart's `applicationsets:` values
        for kind, _, key, spec in argo_apps_in_values(doc):
            if kind == "ApplicationSet" and "'git'" in str(spec.get("generators")):
                refs.append(doc_ref(doc, key))
                kinds.add("ApplicationSet")
    if refs:
        return result(Outcome.PASS, f"Self-service templates: {', '.join(sorted(kinds))}.", refs)
    return result(Outcome.FAIL, "No self-service templates (Crossplane compositions, Backstage templates, "
                  "ApplicationSet git generators).")


CHECK = Check(SPEC, run)
