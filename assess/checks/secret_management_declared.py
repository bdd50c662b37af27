"""FM1: secrets reach the cluster through an encrypted or external mechanism."""

from __future__ import annotations

import re

from assess.checks._repo import WORKLOAD_KINDS, doc_ref, docs, files_of, repo, result
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
MECHANISMS = ("SealedSecret", "ExternalSecret", "SecretStore", "ClusterSecretStore")


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
    consumers = [d for d in docs(ev, *WORKLOAD_KINDS) if SECRET_USE.search(str(d.body))]
    if consumers:
        return result(Outcome.FAIL, f"{len(consumers)} workload(s) consume Secrets but no secret mechanism is "
                      "declared: the Secrets are created by hand, outside Git.",
                      [doc_ref(d) for d in consumers])
    return result(Outcome.NOT_APPLICABLE, "No declared workload consumes a Secret.")


CHECK = Check(SPEC, run)
