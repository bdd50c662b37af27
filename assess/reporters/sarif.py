"""SARIF 2.1.0 for GitHub code scanning: one rule per check, results for failing and warning findings."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from assess.reporters import inert
from assess.reports.figures import report_target

SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SECURITY_SEVERITY = {"critical": "9.0", "high": "7.0", "medium": "4.0", "low": "1.0", "info": "0.1"}
LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}
REPORTED = ("fail", "warn", "error")


def render(report: dict[str, Any]) -> str:
    """The SARIF log as JSON text."""
    checks = report.get("checks", [])
    index = {c["id"]: i for i, c in enumerate(checks)}
    rules = [_rule(c) for c in checks]
    results = [_result(f, index, report) for f in report["findings"] if f["outcome"] in REPORTED]
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "gitops-assess", "version": report["tool_version"],
                                "semanticVersion": report["tool_version"],
                                "informationUri": "https://github.com/gitops-assess/gitops-assess",
                                "rules": rules}},
            "automationDetails": {"id": f"gitops-assess/{report_target(report).name}"},
            "results": results,
            "properties": {"stage": report["stage"]["reached"], "stageBasis": report["stage"]["basis"]},
        }],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _rule(check: dict[str, Any]) -> dict[str, Any]:
    tags = ["gitops", "security", check["principle"], *check.get("failure_modes", []), *check.get("signals", [])]
    if check.get("stage"):
        tags.append(f"stage-{check['stage']}")
    return {
        "id": check["id"],
        "name": "".join(part.capitalize() for part in check["id"].split("-")),
        "shortDescription": {"text": check["title"]},
        "fullDescription": {"text": check["rationale"]},
        "help": {"text": f"{check['rationale']}\n\nRemediation: {check['remediation']}",
                 "markdown": f"**Why it matters.** {check['rationale']}\n\n**How to fix it.** {check['remediation']}"},
        "helpUri": f"https://github.com/gitops-assess/gitops-assess/blob/main/docs/checks.md{check['docs_anchor']}",
        "defaultConfiguration": {"level": LEVEL.get(check["severity"], "warning")},
        "properties": {"security-severity": SECURITY_SEVERITY.get(check["severity"], "4.0"), "tags": tags,
                       "precision": "high"},
    }


# GitHub code scanning rejects a result with more than 1,000 locations (locations and related ones).
MAX_LOCATIONS = 1000


def _location(ref: dict[str, Any]) -> dict[str, Any]:
    physical: dict[str, Any] = {"artifactLocation": {"uri": inert.uri(ref["path"]), "uriBaseId": "%SRCROOT%"}}
    if ref.get("line"):
        physical["region"] = {"startLine": int(ref["line"])}
    return {"physicalLocation": physical}


def _ref_text(ref: dict[str, Any]) -> str:
    return f"{ref['path']}:{ref['line']}" if ref.get("line") else str(ref["path"])


def _result(finding: dict[str, Any], index: dict[str, int], report: dict[str, Any]) -> dict[str, Any]:
    files = [r for r in finding.get("refs", []) if r.get("kind") == "file" and r.get("path") not in (None, "", "-")]
    others = [r for r in finding.get("refs", []) if r not in files]
    locations = [_location(ref) for ref in files]
    if not locations:
        # Code scanning needs a location; repository-wide findings point at the repository root.
        locations.append({"physicalLocation": {"artifactLocation": {"uri": ".", "uriBaseId": "%SRCROOT%"}}})
    level = "warning" if finding["outcome"] == "warn" else LEVEL.get(finding["severity"], "warning")
    fingerprint = hashlib.sha256(f"{finding['check_id']}|{finding['message']}".encode()).hexdigest()[:32]
    result: dict[str, Any] = {
        "ruleId": finding["check_id"],
        "ruleIndex": index.get(finding["check_id"], -1),
        "kind": "fail",
        "level": level,
        "message": {"text": finding["message"]},
        # GitHub shows the first location as the alert; the others stay attached as related locations.
        "locations": locations[:1],
        "partialFingerprints": {"gitopsAssess/v1": fingerprint},
        "properties": {"confidence": finding["confidence"], "outcome": finding["outcome"],
                       "evidence": [r.get("sha") or r.get("object") or r.get("url") for r in others]},
    }
    related = [{"id": i, **loc} for i, loc in enumerate(locations[1:MAX_LOCATIONS], start=1)]
    if related:
        result["relatedLocations"] = related
    if len(locations) > MAX_LOCATIONS:
        # Beyond GitHub's hard limit the upload is rejected, so the rest ride in the property bag.
        result["properties"]["moreLocations"] = [_ref_text(ref) for ref in files[MAX_LOCATIONS:]]
    if finding.get("waived_by"):
        result["suppressions"] = [{"kind": "external", "justification": finding["waived_by"]}]
    if result["ruleIndex"] < 0:
        del result["ruleIndex"]
    return result
