"""Duplicate keys: YAML keeps the last value without a word."""

from __future__ import annotations

from assess.checks._repo import plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="no-duplicate-yaml-keys",
    title="No YAML document repeats a key",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    stage=1,
    failure_modes=(FailureMode.FM3,),
    rationale="Parsers keep the last of two equal keys silently: a duplicate `image:` or `replicas:` makes the "
    "reviewed value differ from the applied one.",
    remediation="Remove the duplicate keys listed; enable yamllint's key-duplicates rule in CI.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on any duplicate mapping key, with its line."""
    ev = repo(ctx)
    dupes = [(d, key, line) for d in (*ev.docs, *ev.patch_docs) for key, line in d.duplicate_keys]
    parsed = [d for d in ev.docs if not d.templated]
    if not parsed:
        return result(Outcome.NOT_APPLICABLE, "No parsed YAML documents.")
    if dupes:
        sample = ", ".join(f"{d.path}:{line} `{key}`" for d, key, line in dupes[:3])
        return result(Outcome.FAIL, f"{plural(len(dupes), 'duplicate key')}: {sample}.",
                      [Ref.file(d.path, line) for d, _, line in dupes])
    return result(Outcome.PASS, f"No duplicate keys in {plural(len(parsed), 'document')}.")


CHECK = Check(SPEC, run)
