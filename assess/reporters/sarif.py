"""SARIF 2.1.0 for GitHub code scanning: one rule per check, results for failing and warning findings."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assess.model.finding import Finding, Ref, RefKind
from assess.model.report import CheckSummary, Report
from assess.reporters import inert

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.0", "high": "7.0", "medium": "4.0", "low": "1.0", "info": "0.1"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
REPORTED = ("fail", "warn", "error")


def render(report: Report) -> str:
    """The SARIF log as JSON text."""
    index = {c.id: i for i, c in enumerate(report.checks)}
    rules = [_rule(c) for c in report.checks]
    results = [_result(f, index) for f in report.findings if f.outcome in REPORTED]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gitops-assess", "version": report.tool_version,
                                "semanticVersion": report.tool_version,
                                "informationUri": "https://github.com/gitops-assess/gitops-assess",
                                "rules": rules}},
            "automationDetails": {"id": f"gitops-assess/{report.target.name}"},
            "results": results,
            "properties": {"stage": report.stage.reached, "stageBasis": report.stage.basis.value},
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(check: CheckSummary) -> dict[str, Any]:
    tags = ["gitops", "security", check.principle.value, *check.failure_modes, *check.signals]
    if check.stage:
        tags.append(f"stage-{check.stage}")
    return {
        "id": check.id,
        "name": "".join(part.capitalize() for part in check.id.split("-")),
        "shortDescription": {"text": check.title},
        "fullDescription": {"text": check.rationale},
        "help": {"text": f"{check.rationale}\n\nRemediation: {check.remediation}",
                 "markdown": f"**Why it matters.** {check.rationale}\n\n**How to fix it.** {check.remediation}"},
        "helpUri": f"https://github.com/gitops-assess/gitops-assess/blob/main/docs/checks.md{check.docs_anchor}",
        "defaultConfiguration": {"level": LEVEL.get(check.severity, "warning")},
        "properties": {"security-severity": SECURITY_SEVERITY.get(check.severity, "4.0"), "tags": tags,
                       "precision": "high"},
    }


# GitHub code scanning rejects a result with more than 1,000 locations (locations and related ones).
MAX_LOCATIONS = 1000


def _location(ref: Ref) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": inert.uri(ref.target), "uriBaseId": "%SRCROOT%"}}
    if ref.line:
        physical["region"] = {"startLine": int(ref.line)}
    return {"physicalLocation": physical}


def _result(finding: Finding, index: dict[str, int]) -> dict[str, Any]:
    files = [r for r in finding.refs if r.kind is RefKind.FILE and r.target not in ("", "-")]
    others = [r for r in finding.refs if r not in files]
    locations = [_location(ref) for ref in files]
    if not locations:
        # Code scanning needs a location; repository-wide findings point at the repository root.
        locations.append({"physicalLocation": {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}})
    level = "warning" if finding.outcome == "warn" else LEVEL.get(finding.severity, "warning")
    fingerprint = hashlib.sha256(f"{finding.check_id}|{finding.message}".encode()).hexdigest()[:32]
    result: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": index.get(finding.check_id, -1),
        "kind": "fail",
        "level": level,
        "message": {"text": finding.message},
        # GitHub shows the first location as the alert; the others stay attached as related locations.
        "locations": locations[:1],
        "partialFingerprints": {"gitopsAssess/v1": fingerprint},
        "properties": {"confidence": finding.confidence.value, "outcome": finding.outcome.value,
                       "evidence": [None if r.kind is RefKind.FILE else r.target or None for r in others]},
    }
    related = [{"id": i, **loc} for i, loc in enumerate(locations[1:MAX_LOCATIONS], start=1)]
    if related:
        result["relatedLocations"] = related
    if len(locations) > MAX_LOCATIONS:
        # Beyond GitHub's hard limit the upload is rejected, so the rest ride in the property bag.
        result["properties"]["moreLocations"] = [str(ref) for ref in files[MAX_LOCATIONS:]]
    if finding.waived_by:
        result["suppressions"] = [{"kind": "external", "justification": finding.waived_by}]
    if result["ruleIndex"] < 0:
        del result["ruleIndex"]
    return result
