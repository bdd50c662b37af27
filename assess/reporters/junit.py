"""JUnit XML: one test case per check, so CI dashboards show the assessment like a test run."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

from assess.reporters import inert
from assess.reports.figures import report_target


def render(report: dict[str, Any]) -> str:
    """The JUnit document as text (all content escaped by ElementTree; characters XML forbids shown escaped)."""
    report = inert.tree(report, inert.xml_text)
    findings = report["findings"]
    specs = {c["id"]: c for c in report.get("checks", [])}
    counts = {"failures": sum(f["outcome"] == "fail" and not f.get("waived_by") for f in findings),
              "errors": sum(f["outcome"] == "error" for f in findings),
              "skipped": sum(f["outcome"] in ("unknown", "not-applicable") for f in findings)}
    totals = {"tests": str(len(findings)), **{k: str(v) for k, v in counts.items()}}
    suites = ET.Element("testsuites", {"name": "gitops-assess", **totals})
    suite = ET.SubElement(suites, "testsuite", {"name": f"gitops-assess: {report_target(report).name}",
                                                "timestamp": report["generated_at"], **totals})
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="stage", value=str(report["stage"]["reached"]))
    ET.SubElement(props, "property", name="stage_basis", value=report["stage"]["basis"])
    for f in findings:
        spec = specs.get(f["check_id"], {})
        stage = f"stage-{spec['stage']}" if spec.get("stage") else "failure-modes"
        case = ET.SubElement(suite, "testcase", name=f["check_id"], classname=f"gitops-assess.{stage}")
        all_refs = f.get("refs", [])
        refs = "\n".join(_ref(r) for r in all_refs[:20])
        if len(all_refs) > 20:
            refs += f"\nand {len(all_refs) - 20} more (all of them are in the JSON and SARIF reports)"
        detail = f"{f['message']}\n{refs}\n\nRemediation: {spec.get('remediation', '')}".strip()
        if f["outcome"] == "fail" and not f.get("waived_by"):
            ET.SubElement(case, "failure", message=f["message"], type=f["severity"]).text = detail
        elif f["outcome"] == "error":
            ET.SubElement(case, "error", message=f["message"], type="internal").text = detail
        elif f["outcome"] in ("unknown", "not-applicable"):
            ET.SubElement(case, "skipped", message=f"{f['outcome']}: {f['message']}")
        else:
            ET.SubElement(case, "system-out").text = f"{f['outcome']}: {f['message']}" + (
                f" (waived: {f['waived_by']})" if f.get("waived_by") else "")
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _ref(r: dict[str, Any]) -> str:
    target = r.get("path") or r.get("sha") or r.get("object") or r.get("url") or ""
    return f"{target}:{r['line']}" if r.get("line") else str(target)
