"""Policy-as-code declarations: Gatekeeper, Kyverno, ValidatingAdmissionPolicy, and policy tools in CI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assess.checks._repo import ci_commands, docs
from assess.model.evidence import RepoEvidence, YamlDoc
from assess.model.finding import Ref

CI_POLICY = re.compile(r"\b(?:conftest\s+(?:test|verify)|kyverno\s+(?:apply|test)|gator\s+(?:test|verify))\b")


@dataclass(frozen=True)
class PolicyDoc:
    """A policy object and whether it blocks (enforce/deny) or only reports."""

    doc: YamlDoc
    engine: str
    enforcing: bool
    mode_key: str


def policy_docs(ev: RepoEvidence) -> list[PolicyDoc]:
    """Every admission policy the repository declares."""
    found: list[PolicyDoc] = []
    for doc in ev.docs:
        group = doc.group
        if group == "constraints.gatekeeper.sh":
            action = str(doc.get("spec.enforcementAction") or "deny")
            found.append(PolicyDoc(doc, "gatekeeper", action == "deny", "spec.enforcementAction"))
        elif group == "templates.gatekeeper.sh" and doc.kind == "ConstraintTemplate":
            continue  # a template enforces nothing until a constraint uses it
        elif group == "kyverno.io" and doc.kind in ("ClusterPolicy", "Policy"):
            found.append(PolicyDoc(doc, "kyverno", _kyverno_enforces(doc), "spec.validationFailureAction"))
        elif group == "policies.kyverno.io" or (group == "admissionregistration.k8s.io"
                                                and doc.kind == "ValidatingAdmissionPolicyBinding"):
            actions = doc.get("spec.validationActions") or ["Deny"]
            found.append(PolicyDoc(doc, "admission", "Deny" in actions, "spec.validationActions"))
    return found


def _kyverno_enforces(doc: YamlDoc) -> bool:
    top = str(doc.get("spec.validationFailureAction") or "Audit").lower()
    rules = doc.get("spec.rules") or []
    per_rule = [str(r.get("validate", {}).get("failureAction", "")).lower()
                for r in rules if isinstance(r, dict) and isinstance(r.get("validate"), dict)]
    return top == "enforce" or "enforce" in per_rule


def ci_policy_gates(ev: RepoEvidence) -> list[Ref]:
    """CI lines that test manifests against policies before they merge."""
    return [Ref.file(c.path, c.line) for c in ci_commands(ev) if c.uses is None and CI_POLICY.search(c.text)]


def constraint_templates(ev: RepoEvidence) -> list[YamlDoc]:
    """Gatekeeper ConstraintTemplates."""
    return docs(ev, "ConstraintTemplate")
