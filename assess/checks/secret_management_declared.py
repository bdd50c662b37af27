"""FM1: secrets reach the cluster through an encrypted or external mechanism."""

from __future__ import annotations

import re

from assess.checks._repo import WORKLOAD_KINDS, doc_ref, docs, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="secret-management-declared",
    title="Secrets are delivered through SOPS, SealedSecrets or ExternalSecrets",
    principle=Principle.DECLARATIVE,
    severity=Severity.LOW,
    failure_modes=(FailureMode.FM1,),
    rationale="Workloads need credentials; if the repository does not say how they arrive, they arrive by hand "
    "(`kubectl create secret`), outside Git and outside review.",
    remediation="Adopt SOPS (a `.sops.yaml` with KMS/age keys), Bitnami SealedSecrets or External Secrets "
    "Operator, and declare secrets through it.",
)

SECRET_USE = re.compile(r"'(?:secretKeyRef|secretRef|secretName)'")
MECHANISMS = ("SealedSecret", "ExternalSecret", "SecretStore", "ClusterSecretStore", "SecretProviderClass",
              "VaultStaticSecret", "VaultDynamicSecret", "OnePasswordItem", "InfisicalSecret", "DopplerSecret",
              "BitwardenSecret")
# Where Flux objects name a Secret: source credentials, remote-cluster kubeconfigs, Helm values and substitutions.
FLUX_SECRET_KEYS = ("spec.secretRef", "spec.certSecretRef", "spec.kubeConfig.secretRef", "spec.verify.secretRef",
                    "spec.proxySecretRef")
FLUX_SECRET_LISTS = ("spec.valuesFrom", "spec.postBuild.substituteFrom")


def run(ctx: CheckContext) -> CheckResult:
    """Pass when a secret mechanism is declared; warn when workloads are declared without one."""
    ev = repo(ctx)
    found = [doc_ref(d) for d in docs(ev, *MECHANISMS)]
    found += [Ref.file(f.path) for f in files_of(ev, FileKind.SOPS)]
    found += [doc_ref(d) for d in docs(ev, "Secret") if d.get("sops") is not None]
    decrypting = [doc_ref(d, "spec.decryption") for d in docs(ev, "Kustomization") if d.get("spec.decryption")]
    found += decrypting
    if found:
        return result(Outcome.PASS, "Secret management declared (SOPS, SealedSecrets or ExternalSecrets).", found)
    consumers = [doc_ref(d) for d in docs(ev, *WORKLOAD_KINDS) if SECRET_USE.search(d.text)]
    flux = _flux_uses(ctx)
    if consumers or flux:
        what = ", ".join(x for x in (plural(len(consumers), "workload") if consumers else "",
                                     plural(len(flux), "Flux object") if flux else "") if x)
        return result(Outcome.FAIL, f"{what} use Secrets but no secret mechanism is declared: the Secrets are "
                      "created by hand, outside Git.", consumers + flux)
    return result(Outcome.NOT_APPLICABLE, "No declared workload or reconciler object uses a Secret.")


def _flux_uses(ctx: CheckContext) -> list[Ref]:
    """Flux objects that name a Secret (not the deploy key `flux bootstrap` creates for its own source)."""
    out: list[Ref] = []
    for doc in docs(repo(ctx), group="toolkit.fluxcd.io"):
        if doc.name == "flux-system" and doc.kind == "GitRepository":
            continue
        out += [doc_ref(doc, key) for key in FLUX_SECRET_KEYS if isinstance(doc.get(key), dict)]
        for key in FLUX_SECRET_LISTS:
            items = doc.get(key)
            out += [doc_ref(doc, f"{key}.{i}") for i, item in enumerate(items if isinstance(items, list) else [])
                    if isinstance(item, dict) and item.get("kind") == "Secret"]
    return out


CHECK = Check(SPEC, run)
