"""JUnit XML: one test case per check, so CI dashboards show the assessment like a test run."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from assess.model.finding import Ref
from assess.model.report import Report
from assess.reporters.inert import xml_text as x


def render(report: Report) -> str:
    """The JUnit document as text (all content escaped by ElementTree; characters XML forbids shown escaped)."""
    findings = report.findings
    specs = {c.id: c for c in report.checks}
    counts = {"failures": sum(f.outcome == "fail" and not f.waived_by for f in findings),
              "errors": sum(f.outcome == "error" for f in findings),
              "skipped": sum(f.outcome in ("unknown", "not-applicable") for f in findings)}
    totals = {"tests": str(len(findings)), **{k: str(v) for k, v in counts.items()}}
    suites = ET.Element("testsuites", {"name": "gitops-assess", **totals})
    suite = ET.SubElement(suites, "testsuite", {"name": x(f"gitops-assess: {report.target.name}"),
                                                "timestamp": x(report.generated_at), **totals})
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="stage", value=str(report.stage.reached))
    ET.SubElement(props, "property", name="stage_basis", value=report.stage.basis.value)
    for f in findings:
        spec = specs.get(f.check_id)
        stage = f"stage-{spec.stage}" if spec and spec.stage else "failure-modes"
        case = ET.SubElement(suite, "testcase", name=x(f.check_id), classname=f"gitops-assess.{stage}")
        refs = "\n".join(_ref(r) for r in f.refs[:20])
        if len(f.refs) > 20:
            refs += f"\nand {len(f.refs) - 20} more (all of them are in the JSON and SARIF reports)"
        message = x(f.message)
        detail = f"{message}\n{refs}\n\nRemediation: {x(spec.remediation) if spec else ''}".strip()
        if f.outcome == "fail" and not f.waived_by:
            ET.SubElement(case, "failure", message=message, type=f.severity.value).text = detail
        elif f.outcome == "error":
            ET.SubElement(case, "error", message=message, type="internal").text = detail
        elif f.outcome in ("unknown", "not-applicable"):
            ET.SubElement(case, "skipped", message=f"{f.outcome.value}: {message}")
        else:
            ET.SubElement(case, "system-out").text = x(f"{f.outcome.value}: {f.message}" + (
                f" (waived: {f.waived_by})" if f.waived_by else ""))
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _ref(r: Ref) -> str:
    return x(r)
