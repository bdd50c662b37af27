"""Adding an output format is one registry entry: a package that registers one through the entry-point group is
offered by `scan`, `render` and `merge` alike, and a broken plugin does not break the built-in formats."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assess.model.report import Report
from assess.reporters.registry import BUILT_IN, ENTRY_POINT_GROUP, FleetInput, ReportInput, output_formats
from tests.cli_runner import invoke

PLUGIN = '''
from assess.reporters.registry import OutputFormat


def make():
    return OutputFormat("stagecount", "stage.txt", "fleet-stages.txt",
                        lambda given: f"stage {given.report.stage.reached}\\n",
                        lambda given: "".join(f"{r.target.name}: {r.stage.reached}\\n" for r in given.reports))


def broken():
    raise RuntimeError("not today")
'''


@pytest.fixture
def plugin(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An installed package (a module and its dist-info) registering two formats, one of them broken."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "stagecount_format.py").write_text(PLUGIN, encoding="utf-8")
    info = site / "stagecount_format-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: stagecount-format\nVersion: 1.0\n", encoding="utf-8")
    (info / "entry_points.txt").write_text(f"[{ENTRY_POINT_GROUP}]\nstagecount = stagecount_format:make\n"
                                           "broken = stagecount_format:broken\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(site))
    return site


def test_every_built_in_format_writes_reports_and_fleets() -> None:
    assert [f.name for f in BUILT_IN] == ["terminal", "json", "html", "pdf", "sarif", "junit", "md"]
    assert all(f.write_fleet is not None for f in BUILT_IN)
    assert [f.name for f in BUILT_IN if f.binary] == ["pdf"]


def test_a_registered_format_reaches_scan_render_and_merge(plugin: Path, tmp_path: Path) -> None:
    assert "stagecount" in output_formats() and "broken" not in output_formats()
    out = tmp_path / "out"
    scanned = invoke("scan", "--sample", "stage2-argocd", "-q", "-f", "json,stagecount", "-o", str(out))
    assert scanned.returncode == 0, scanned.stderr
    assert (out / "stage.txt").read_text() == "stage 2\n"
    assert "output format broken" in scanned.stderr and "not loaded" in scanned.stderr
    rendered = invoke("render", str(out / "report.json"), "-f", "stagecount")
    assert rendered.returncode == 0 and rendered.stdout == "stage 2\n", rendered.stderr
    merged = invoke("merge", str(out), "-o", str(tmp_path / "fleet"), "-f", "json,stagecount")
    assert merged.returncode == 0, merged.stderr
    name = json.loads((out / "report.json").read_text())["target"]["name"]
    assert (tmp_path / "fleet" / "fleet-stages.txt").read_text() == f"{name}: 2\n"


def test_an_unknown_format_names_the_registered_ones(plugin: Path) -> None:
    out = invoke("scan", "--sample", "stage2-argocd", "-f", "nope")
    assert out.returncode == 2 and "stagecount" in out.stderr and "nope" in out.stderr


GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _no_json(self: Report) -> dict[str, object]:
    raise AssertionError("a writer turned the typed report back into its JSON form")


def test_every_registered_writer_renders_the_typed_report_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    report = Report.from_json(json.loads((GOLDEN / "report.json").read_text(encoding="utf-8")))
    expected = report.to_json()
    given = ReportInput(report)
    monkeypatch.setattr(Report, "to_json", _no_json)
    table = output_formats()
    written = {name: fmt.write(given) for name, fmt in table.items() if name != "json"}
    # the machine formats are the goldens, written from the typed report without its JSON form
    for name, golden in (("sarif", "report.sarif"), ("junit", "junit.xml"), ("md", "summary.md")):
        assert written[name] == (GOLDEN / golden).read_text(encoding="utf-8"), name
    assert report.target.name in str(written["terminal"]) and report.target.name in str(written["html"])
    assert bytes(written["pdf"]).startswith(b"%PDF")
    # only the JSON writer serialises the report, and it writes what the report holds
    monkeypatch.undo()
    assert json.loads(table["json"].write(given)) == expected


def test_every_fleet_writer_takes_the_typed_reports(monkeypatch: pytest.MonkeyPatch) -> None:
    from assess.reports.fleet import merge

    report = Report.from_json(json.loads((GOLDEN / "report.json").read_text(encoding="utf-8")))
    fleet = merge([report], "2026-03-01T00:00:00+00:00", "acme")
    monkeypatch.setattr(Report, "to_json", _no_json)
    written = {name: fmt.write_fleet(FleetInput(fleet, (report,)))
               for name, fmt in output_formats().items() if fmt.write_fleet is not None}
    assert json.loads(written["sarif"])["runs"][0] == json.loads((GOLDEN / "report.sarif").read_text())["runs"][0]
    assert "gitops-assess: " + report.target.name in str(written["junit"])
    assert fleet["rows"][0]["repo"] == report.target.name and fleet["rows"][0]["stage"] == report.stage.reached


def test_a_report_json_handed_to_a_writer_is_refused_with_a_clear_message() -> None:
    data = json.loads((GOLDEN / "report.json").read_text(encoding="utf-8"))
    with pytest.raises(TypeError, match="a writer takes a Report, not dict"):
        ReportInput(data)
    with pytest.raises(TypeError, match="a fleet writer takes Reports, not dict"):
        FleetInput({}, (Report.from_json(data), data))
