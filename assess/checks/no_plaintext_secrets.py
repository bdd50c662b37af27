"""FM1: no plaintext Secret manifests in Git (values are never read into any output)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from assess.checks._repo import deployed, docs, plural, repo, result
from assess.checks.catalog import Check
from assess.collectors.redaction import LAST_APPLIED, PREFIX, SecretValue, marker_class
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind, RepoEvidence, YamlDoc
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="no-plaintext-secrets",
    title="No plaintext credential is committed (Secrets, Helm values, manifests)",
    principle=Principle.DECLARATIVE,
    severity=Severity.CRITICAL,
    failure_modes=(FailureMode.FM1,),
    any_repository=True,
    rationale="The state repository is critical infrastructure: everything in it is readable by everyone with "
    "clone access and lives forever in history. Base64 is an encoding, not encryption. References to a secret store "
    "(op://, vault:, <path:…>, ref+), templates, substitutions and SOPS values are not plaintext; placeholders and "
    "documentation examples are reported low.",
    remediation="Rotate the exposed credentials, then encrypt with SOPS or SealedSecrets, or reference an external "
    "store with ExternalSecrets. Purge the old values from history.",
)


EXAMPLE_PATH = re.compile(r"(?:^|/)(?:docs?|examples?|samples?|demos?|tutorials?)/|(?:^|/)README", re.IGNORECASE)


@dataclass(frozen=True)
class Exposure:
    """A place where a secret value sits in Git, by the class of its values (the values themselves were never
    collected)."""

    ref: Ref
    label: str
    classes: frozenset[SecretValue]

    @property
    def literal(self) -> bool:
        """A value that could be a real credential."""
        return SecretValue.LITERAL in self.classes

    @property
    def placeholder_only(self) -> bool:
        """Only documentation-style placeholders (`changeme`, `<password>`, `...`)."""
        return SecretValue.PLACEHOLDER in self.classes and not self.literal


def run(ctx: CheckContext) -> CheckResult:
    """Fail on Secrets and credential keys holding literal values; placeholders and examples are low at most;
    references, templates, SOPS and empty values pass. Values are never part of the message."""
    ev = repo(ctx)
    found = [*(_secret_exposures(d) for d in _secret_docs(ev)), *_credential_exposures(ev), *_text_exposures(ev)]
    # One exposure per place: each overlay's patched copy of a document cites the same patch line.
    exposures = list({e.ref: e for e in found if e is not None}.values())
    secrets = _secret_docs(ev)
    real = [e for e in exposures if e.literal and not EXAMPLE_PATH.search(e.ref.target)]
    # `MYSQL_ROOT_PASSWORD: password` in a workload a reconciler applies is not documentation: it is the password.
    applied = {f.path for f in deployed(ctx).files}
    defaults = [e for e in exposures if e.placeholder_only and e.ref.target in applied
                and not EXAMPLE_PATH.search(e.ref.target)]
    weak = [e for e in exposures if e not in real and e not in defaults and (e.literal or e.placeholder_only)]
    if real or defaults:
        parts = []
        if real:
            names = ", ".join(e.label for e in real[:4]) + (f", and {len(real) - 4} more" if len(real) > 4 else "")
            parts.append(f"{plural(len(real), 'plaintext credential')} committed (literal values): {names}")
        if defaults:
            names = ", ".join(e.label for e in defaults[:4]) + (
                f", and {len(defaults) - 4} more" if len(defaults) > 4 else "")
            parts.append(f"{plural(len(defaults), 'default or placeholder credential')} in deployed workloads "
                         f"(the value is in use as it stands): {names}")
        return result(Outcome.FAIL, "; ".join(parts) + ". Values are not shown; rotate them.",
                      [e.ref for e in real + defaults], severity=None if real else Severity.HIGH)
    if weak:
        names = ", ".join(e.label for e in weak[:4])
        return result(Outcome.FAIL, f"{plural(len(weak), 'secret')} with placeholder values, or in documentation "
                      f"or example paths: {names}. No real credential is evident, so no rotation is needed; keep "
                      "placeholders out of deployable paths.", [e.ref for e in weak], severity=Severity.LOW)
    if not secrets and not exposures:
        return result(Outcome.PASS, "No Secret manifest and no credential value committed.")
    kinds = sorted({c.value for e in exposures for c in e.classes}) or ["empty"]
    return result(Outcome.PASS, f"{plural(len(secrets), 'Secret manifest')} committed, no literal value in any "
                  f"(values are {', '.join(kinds)}: references to a store, templates, SOPS or empty).")


def _secret_docs(ev: RepoEvidence) -> list[tuple[YamlDoc, str, Any]]:
    """(document, key path, Secret body) of every Secret, also the items of a `kind: List`."""
    out: list[tuple[YamlDoc, str, Any]] = [(d, "", d.body) for d in docs(ev, "Secret")]
    for doc in [*docs(ev, "List"), *docs(ev, "SecretList")]:
        items = doc.get("items")
        for i, item in enumerate(items if isinstance(items, list) else []):
            if isinstance(item, dict) and (doc.kind == "SecretList" or str(item.get("kind", "")).strip() == "Secret"
                                           or ("kind" not in item and ("data" in item or "stringData" in item))):
                out.append((doc, f"items.{i}.", item))
    return out


def _secret_exposures(entry: tuple[YamlDoc, str, Any]) -> Exposure | None:
    doc, prefix, body = entry
    classes: set[SecretValue] = set()
    if doc.templated:
        for key in doc.lines:
            if key.startswith(("data.", "stringData.")) and "=" in key:
                kind = marker_class(key.split("=", 1)[1])
                if kind is not None:
                    classes.add(kind)
    else:
        for field_name in ("data", "stringData"):
            values = body.get(field_name) if isinstance(body, dict) else None
            for value in values.values() if isinstance(values, dict) else [values] if values is not None else []:
                kind = marker_class(value)
                classes.add(kind if kind is not None else SecretValue.LITERAL)
    if not classes:
        return None
    raw_meta = body.get("metadata") if isinstance(body, dict) else None
    meta: dict[str, Any] = raw_meta if isinstance(raw_meta, dict) else {}
    name = str(meta.get("name") or doc.name or "?")
    key = f"{prefix}stringData" if "stringData" in (body or {}) else f"{prefix}data"
    path, line = doc.where(key)
    return Exposure(Ref.file(path, line), f"Secret/{name} ({path}:{line})", frozenset(classes))


def _credential_exposures(ev: RepoEvidence) -> Iterator[Exposure]:
    """Credential keys outside Secrets (Helm values, JSON and other manifests): their redacted classes."""
    for doc in ev.docs:
        if doc.kind in ("Secret", "List", "SecretList") or doc.body is None:
            continue
        if PREFIX not in doc.text:  # most documents carry no redaction marker at all
            continue
        for key_path, kind in _markers(doc.body, ""):
            if kind in (SecretValue.LITERAL, SecretValue.PLACEHOLDER):
                path, line = doc.where(key_path)
                yield Exposure(Ref.file(path, line), f"{key_path} ({path}:{line})", frozenset({kind}))


def _markers(node: Any, prefix: str) -> Iterator[tuple[str, SecretValue]]:
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            kind = marker_class(value)
            if str(key) == LAST_APPLIED:
                continue  # kubectl's copy of the object: its values are reported where they are written
            if kind is not None:
                yield path, kind
            elif isinstance(value, str):
                yield from ((path, k) for k in _embedded(value))  # `TOKEN=…` in a script, an inline values block
            else:
                yield from _markers(value, path)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _markers(item, f"{prefix}.{i}")


EMBEDDED = re.compile(re.escape(PREFIX) + r"([a-z]+)>")
TEXT_FILES = (FileKind.DOCKERFILE, FileKind.TERRAFORM, FileKind.SCRIPT, FileKind.JENKINSFILE)


def _embedded(text: str) -> Iterator[SecretValue]:
    """Literal and placeholder classes of the markers redaction left inside a text (one of each at most)."""
    found = {m.group(1) for m in EMBEDDED.finditer(text)}
    yield from (k for k in (SecretValue.LITERAL, SecretValue.PLACEHOLDER) if k.value in found)


def _text_exposures(ev: RepoEvidence) -> Iterator[Exposure]:
    """Credential assignments in Dockerfiles, Terraform (.tfvars) and scripts, by the markers left on their lines."""
    for kind in TEXT_FILES:
        for f in ev.files_by_kind.get(kind, ()):
            for line_no, line in enumerate((f.text or "").splitlines(), start=1):
                classes = frozenset(_embedded(line))
                if classes:
                    yield Exposure(Ref.file(f.path, line_no), f"{f.path}:{line_no}", classes)


CHECK = Check(SPEC, run)
