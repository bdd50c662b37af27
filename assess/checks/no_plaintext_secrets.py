"""FM1: no plaintext Secret manifests in Git (values are never read into any output)."""

from __future__ import annotations

from assess.checks._repo import doc_ref, docs, plural, repo, result
from assess.checks.catalog import Check
from assess.collectors.yaml_docs import REDACTED
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Severity

SPEC = CheckSpec(
    id="no-plaintext-secrets",
    title="No plaintext Kubernetes Secret is committed",
    principle=Principle.DECLARATIVE,
    severity=Severity.CRITICAL,
    failure_modes=(FailureMode.FM1,),
    any_repository=True,
    rationale="The state repository is critical infrastructure: everything in it is readable by everyone with "
    "clone access and lives forever in history. Base64 is an encoding, not encryption.",
    remediation="Rotate the exposed credentials, then encrypt with SOPS or SealedSecrets, or reference an external "
    "store with ExternalSecrets. Purge the old values from history.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on Secret documents carrying unencrypted data; the values are never part of the message."""
    ev = repo(ctx)
    secrets = docs(ev, "Secret")
    if not secrets:
        return result(Outcome.PASS, "No Secret manifests committed.")
    plain = []
    for doc in secrets:
        if doc.templated:
            if any(k in doc.lines for k in ("data", "stringData")):
                plain.append((doc, "data" if "data" in doc.lines else "stringData"))
            continue
        for field_name in ("data", "stringData"):
            values = doc.get(field_name)
            if isinstance(values, dict) and any(v == REDACTED for v in values.values()):
                plain.append((doc, field_name))
                break
            if values == REDACTED:
                plain.append((doc, field_name))
                break
    if plain:
        names = ", ".join(f"{d.ident} ({d.path}:{d.line_of(key)})" for d, key in plain[:4])
        return result(Outcome.FAIL, f"{plural(len(plain), 'plaintext Secret')} committed: {names}. "
                      "Values are not shown.", [doc_ref(d, key) for d, key in plain])
    return result(Outcome.PASS, f"{plural(len(secrets), 'Secret manifest')}, all SOPS-encrypted or empty.")


CHECK = Check(SPEC, run)
