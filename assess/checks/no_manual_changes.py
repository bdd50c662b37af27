"""Stage 2 (observed): nobody changes GitOps-managed objects by hand."""

from __future__ import annotations

from assess.checks._cluster import (
    GITOPS_MANAGERS,
    SYSTEM_MANAGERS,
    clusters,
    ident,
    obj_ref,
    observed,
    ownership,
    parse_time,
    unreadable,
    workloads,
)
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="no-manual-changes",
    title="No manual changes (kubectl edit/patch/scale/set/rollout, Argo CD UI) to GitOps-managed objects",
    principle=Principle.RECONCILED,
    severity=Severity.HIGH,
    stage=2,
    gates_stage=True,
    sources=("cluster",),
    rationale="At stage 2 no one makes a persistent change outside Git. managedFields record every writer: a "
    "`kubectl-edit` or `kubectl scale` entry newer than the last sync is a change Git does not know about.",
    remediation="Make the change in Git instead; enable self-heal so out-of-band edits are reverted; restrict write "
    "RBAC in production to the reconciler.",
)

HUMAN_PREFIXES = ("kubectl", "argocd-server", "helm", "OpenAPI-Generator", "k9s", "Mozilla")


def run(ctx: CheckContext) -> CheckResult:
    """List human or imperative managers per managed object, with time; 'after the last sync' entries fail."""
    gap = unreadable(ctx, "apps/deployments")
    if gap:
        return gap
    blind = [c.name for c in clusters(ctx) if not c.managed_fields_present]
    if len(blind) == len(clusters(ctx)):
        return CheckResult(Outcome.UNKNOWN, "managedFields are missing from the evidence, so manual changes cannot "
                           "be seen (fix: snapshot with `kubectl get … -o yaml --show-managed-fields`, or scan "
                           "live).", Confidence.OBSERVED,
                           fix="snapshot with `kubectl get … -o yaml --show-managed-fields`, or scan live")
    after: list[str] = []
    before: list[str] = []
    refs = []
    for cluster in clusters(ctx):
        owners = ownership(cluster)
        for obj in workloads(cluster):
            owner = owners.get(ident(obj))
            if owner is None:
                continue  # unmanaged workloads are another check's business
            for entry in (obj.get("metadata") or {}).get("managedFields") or []:
                manager = str(entry.get("manager", ""))
                if manager in GITOPS_MANAGERS or manager in SYSTEM_MANAGERS:
                    continue
                if not manager.startswith(HUMAN_PREFIXES):
                    continue
                when = parse_time(entry.get("time"))
                how = manager + (f" ({entry['subresource']})" if entry.get("subresource") else "")
                line = f"{cluster.name}:{ident(obj)} by {how} at {entry.get('time')}"
                (after if owner.synced_at is None or (when and when > owner.synced_at) else before).append(line)
                refs.append(obj_ref(cluster, obj))
    note = f" (managedFields missing for {', '.join(blind)})" if blind else ""
    if after:
        return observed(Outcome.FAIL, f"{plural(len(after), 'manual change')} after the last sync: "
                        f"{'; '.join(after[:5])}"
                        f"{note}.", refs)
    if before:
        return observed(Outcome.WARN, f"{plural(len(before), 'manual change')} before the last sync survive on "
                        f"fields Git "
                        f"does not declare: {'; '.join(before[:5])}{note}.", refs)
    return observed(Outcome.PASS, f"No manual change recorded on GitOps-managed workloads{note}.")


CHECK = Check(SPEC, run)
