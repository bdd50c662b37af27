"""The published JSON Schema and the report's dataclasses cannot drift: every field of every dataclass a report holds
is a property of the schema at the same place, and every property the schema declares there is a field; reports of
every sample validate against it."""

from __future__ import annotations

import dataclasses
import json
import types
import typing
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from assess.model.finding import Ref
from assess.model.report import Report
from assess.model.schema import report_schema
from tests.cli_runner import invoke
from tests.conftest import assert_valid_report

SAMPLES = ("stage0-scripts", "stage1-pushed", "stage2-argocd", "stage3-platform", "stage4-fleet")
# Serialised by hand in another shape than their fields ({kind, path|sha|object|url, line?}); the schema spells it out.
CUSTOM = (Ref,)


def _unwrap(tp: Any) -> Any:
    """X for X | None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        return args[0] if len(args) == 1 else tp
    return tp


def _resolve(schema: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = schema["$defs"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _walk(schema: dict[str, Any], node: dict[str, Any], tp: Any, where: str, seen: list[str]) -> None:
    """Assert that the schema node describes the type: the same property names for a dataclass, and below."""
    node, tp = _resolve(schema, node), _unwrap(tp)
    origin = typing.get_origin(tp)
    if origin in (tuple, list):
        assert "items" in node, f"{where}: the schema gives no items"
        _walk(schema, node["items"], typing.get_args(tp)[0], f"{where}[]", seen)
    elif origin is dict:
        value = typing.get_args(tp)[1]
        if value is not Any and (dataclasses.is_dataclass(value) or typing.get_origin(value) is not None):
            assert "additionalProperties" in node, f"{where}: the schema gives no value type"
            _walk(schema, node["additionalProperties"], value, f"{where}{{}}", seen)
    elif isinstance(tp, type) and dataclasses.is_dataclass(tp) and tp not in CUSTOM:
        seen.append(where)
        hints = typing.get_type_hints(tp)
        fields = {f.name for f in dataclasses.fields(tp)}
        declared = set(node.get("properties", {}))
        assert fields - declared == set(), f"{where} ({tp.__name__}): fields missing from the schema"
        assert declared - fields == set(), f"{where} ({tp.__name__}): schema properties with no field"
        for name in sorted(fields):
            _walk(schema, node["properties"][name], hints[name], f"{where}.{name}", seen)
    elif isinstance(tp, type) and issubclass(tp, Enum) and "enum" in node:
        assert set(node["enum"]) == {e.value for e in tp}, f"{where}: the schema's enum differs from {tp.__name__}"


def test_every_report_dataclass_field_is_in_the_schema_and_every_schema_property_is_a_field() -> None:
    seen: list[str] = []
    _walk(report_schema(), report_schema(), Report, "report", seen)
    # The walk reached the typed sections, not only the top level.
    for where in ("report.window.activity", "report.metrics.environments{}.lead_time_hours",
                  "report.metrics.environments{}.monthly[]", "report.github.policy", "report.audit_trail[]",
                  "report.timeline[]", "report.deployment.entry_points[]", "report.policy.waivers[]",
                  "report.sources{}", "report.findings[]", "report.checks[]", "report.maturity.signals[]",
                  "report.maturity.premature[]"):
        assert where in seen, where


def test_a_field_added_to_a_section_without_the_schema_is_caught() -> None:
    from assess.model.sections import LeadTime

    @dataclasses.dataclass(frozen=True)
    class Wider(LeadTime):
        p99: float | None = None

    schema = report_schema()
    node = schema["properties"]["metrics"]["properties"]["environments"]["additionalProperties"]
    with pytest.raises(AssertionError, match="fields missing from the schema"):
        _walk(schema, node["properties"]["lead_time_hours"], Wider, "lead_time_hours", [])


@pytest.mark.parametrize("sample", SAMPLES)
def test_reports_of_every_sample_validate_and_round_trip(sample: str, tmp_path: Path) -> None:
    out = invoke("scan", "--sample", sample, "-q", "-f", "json", "--until", "2026-01-20")
    assert out.returncode == 0, out.stderr
    data = assert_valid_report(out.stdout)
    assert Report.from_json(data).to_json() == json.loads(out.stdout)


def test_a_schema_1_report_loads_into_the_typed_sections_and_keeps_what_it_counted() -> None:
    from assess.reporters import html

    old = json.loads((Path(__file__).parent / "golden" / "report.json").read_text(encoding="utf-8"))
    assert old["schema_version"] == "1.0" and "human_committers" in old["metrics"]["history"]
    report = Report.from_json(old)
    assert report.window.branch == "main" and report.window.period is None and report.deployment is None
    assert report.metrics is not None and report.metrics.history is not None
    assert (report.metrics.history.human_authors, report.metrics.history.human_committers) == (None, 6)
    assert report.audit_trail[0].sha == old["audit_trail"][0]["sha"]
    assert report.github is not None and report.github.repo == old["github"]["repo"]
    assert "6 people authored changes" in html.render(Report.from_json(old))
