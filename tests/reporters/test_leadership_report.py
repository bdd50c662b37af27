"""The leadership report reads in a minute and its figures agree: page 1, page count, chart vs table, signals."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from assess.model.report import Report
from assess.reporters import charts, html, markdown
from assess.reporters.presentation import Presentation
from assess.reporters.view import build_view
from tests.cli_runner import invoke
from tests.reporters.test_documents import need


@pytest.fixture(scope="module")
def stage4(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stage4")
    done = invoke("scan", "--sample", "stage4-fleet", "-f", "json,pdf,md,terminal", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def _flat(text: str) -> str:
    return " ".join(text.split())


def _pdftotext(path: Path, *pages: str) -> str:
    return subprocess.run(["pdftotext", *pages, str(path), "-"], capture_output=True, text=True, check=True).stdout


def test_stage4_pdf_fits_twelve_pages_and_keeps_every_failing_finding_and_change(stage4: Path) -> None:
    need("pdfinfo")
    need("pdftotext")
    info = subprocess.run(["pdfinfo", str(stage4 / "report.pdf")], capture_output=True, text=True, check=True)
    pages = int(re.search(r"Pages:\s+(\d+)", info.stdout).group(1))  # type: ignore[union-attr]
    assert pages <= 12, f"{pages} pages"
    report = json.loads((stage4 / "report.json").read_text())
    titles = {c["id"]: c["title"] for c in report["checks"]}
    text = _flat(_pdftotext(stage4 / "report.pdf"))
    failing = [f for f in report["findings"] if f["outcome"] in ("fail", "error", "warn")]
    assert failing and report["audit_trail"]
    for f in failing:
        assert _flat(titles[f["check_id"]]) in text, f["check_id"]
        assert text.count(_flat(titles[f["check_id"]])) <= 3, "a finding is listed once (plus next steps)"
    for row in report["audit_trail"]:
        assert row["sha"][:10] in text, row["sha"]


def test_page_one_has_stage_period_verdict_severity_counts_and_next_steps_page_two_the_contents(
        stage4: Path) -> None:
    need("pdftotext")
    report = json.loads((stage4 / "report.json").read_text())
    first = _flat(_pdftotext(stage4 / "report.pdf", "-f", "1", "-l", "1"))
    assert "Stage 4" in first and "Period: last 90 days" in first
    assert "Stage 4 of 4 (Fleet management) reached, with 6 failing findings; the most serious (high):" in first
    assert "critical high medium low 0 1 5 0" in first
    for step in report["next_steps"]:
        assert _flat(step["title"]) in first
    assert not [f["check_id"] for f in report["findings"] if f["check_id"] in first], \
        "page 1 names checks by title, not by id"
    assert "Contents" in _pdftotext(stage4 / "report.pdf", "-f", "2", "-l", "2")


def test_stage_chart_shows_the_same_progress_as_the_tables() -> None:
    # A reached stage at 82%: the chart must not round it up to 100%.
    svg = charts.stage_ladder(3, {"1": 100, "2": 82, "3": 90, "4": 40})
    assert "82% · reached" in svg and "90% · reached" in svg and "40% · not reached" in svg
    assert "100% · reached" in svg  # stage 1 only


def test_stage_figures_agree_across_chart_terminal_and_markdown(stage4: Path) -> None:
    report = json.loads((stage4 / "report.json").read_text())
    progress = report["stage"]["progress"]
    assert sorted(progress.values()) != [100, 100, 100, 100], "the sample has a reached stage below 100%"
    view = build_view(Report.from_json(report))
    md = markdown.render(Report.from_json(report))
    terminal_text = (stage4 / "summary.txt").read_text()
    for n in range(1, 5):
        pct = progress[str(n)]
        assert f"{pct}% · reached" in view["charts"]["ladder"]
        assert re.search(rf"\| .*{n} .*\| {pct}% \|", md)
        assert re.search(rf"{n} .*\s{pct:3d}%", terminal_text)


def test_dora_chart_has_a_calendar_axis_labelled_axes_and_no_empty_chart() -> None:
    svg = charts.dora_trends([{"month": "2019-01", "deployments": 3, "lead_time_median_hours": 5.0},
                              {"month": "2024-06", "deployments": 2, "lead_time_median_hours": None}], "prod")
    assert "2019-06" in svg, "months between the bars are on the axis: years apart are not neighbours"
    assert "deployments per month" in svg and "median lead time (hours)" in svg and "month (calendar axis" in svg
    assert "no data" in charts.dora_trends([], "prod")


def test_signal_verdict_and_reason_in_every_format(stage4: Path) -> None:
    report = json.loads((stage4 / "report.json").read_text())
    page = html.render(Report.from_json(report))
    md = markdown.render(Report.from_json(report))
    terminal_text = _flat((stage4 / "summary.txt").read_text())
    assert "? unknown" in page and "Legend:" in page, "HTML names the states in text, not colour alone"
    for s in report["signals"]:
        assert s["reason"]
        assert _flat(s["reason"])[:60] in _flat(page.replace("&#39;", "'").replace("&amp;", "&"))
        assert markdown.escape(s["reason"])[:40] in md
        assert _flat(s["reason"])[:40] in terminal_text
        assert {"met": "✔ met", "not-met": "✘ not met", "unknown": "? unknown"}[s["status"]] in terminal_text


def test_title_and_organisation_from_options_and_config(tmp_path: Path, stage4: Path) -> None:
    report = json.loads((stage4 / "report.json").read_text())
    page = html.render(Report.from_json(report), Presentation("Q4 platform review", "Example Corp"))
    assert "<h1>Q4 platform review</h1>" in page and "Example Corp" in page
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("version: 1\nreport:\n  title: From the config\n  organisation: Config Org\n")
    done = invoke("scan", "--sample", "stage2-argocd", "--no-history", "-f", "html", "-o", str(tmp_path),
                  "--config", str(cfg), "--organisation", "Option Org")
    assert done.returncode == 0, done.stderr
    written = (tmp_path / "report.html").read_text()
    assert "<h1>From the config</h1>" in written and "Option Org" in written and "Config Org" not in written


def test_a_missing_source_is_stated_once_not_on_every_check_it_hides(stage4: Path) -> None:
    report = json.loads((stage4 / "report.json").read_text())
    reason, fix = "no kubeconfig context", "pass --cluster or --cluster-snapshot"
    report["sources"]["cluster"] = {"available": False, "reason": reason, "fix": fix}
    hidden = [c["id"] for c in report["checks"] if "cluster" in c.get("sources", [])]
    assert len(hidden) > 5
    for f in report["findings"]:
        if f["check_id"] in hidden:
            f.update(outcome="unknown", message=f"Not observable: cluster: {reason} (fix: {fix})")
    page = html.render(Report.from_json(report))
    # once in What could not be observed, once in the Evidence chapter's list of sources; never per check
    assert page.count(reason) == 2
    assert f"source: cluster ({len(hidden)} checks could not be judged)" in page
    assert page.count("needs cluster evidence") == len(hidden)


def test_page_one_names_blockers_by_title_not_id() -> None:
    report = json.loads((Path(__file__).resolve().parents[1] / "golden" / "report.json").read_text())
    assert report["stage"]["blockers"]
    view = build_view(Report.from_json(report))
    titles = {c["id"]: c["title"] for c in report["checks"]}
    page_one = view["verdict"] + view["stage_note"] + "".join(s["title"] for s in view["next_steps"])
    for check_id in report["stage"]["blockers"]:
        assert titles[check_id].rstrip(".") in view["stage_note"]
    assert not [c for c in titles if c in page_one]


def test_a_long_change_log_repeats_its_header_on_every_page(stage4: Path, tmp_path: Path) -> None:
    need("pdftotext")
    report = json.loads((stage4 / "report.json").read_text())
    row = report["audit_trail"][0]
    report["audit_trail"] = [{**row, "sha": f"{i:040x}"} for i in range(160)]
    (tmp_path / "long.json").write_text(json.dumps(report))
    done = invoke("render", str(tmp_path / "long.json"), "-f", "pdf", "-o", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    pages = _pdftotext(tmp_path / "out" / "report.pdf").split("\f")
    log_pages = [p for p in pages if "0000000000" in p]  # pages holding change-log rows
    assert len(log_pages) >= 2
    assert all(re.search(r"^Deployed$", p, re.MULTILINE) for p in log_pages), "the header repeats on each page"
