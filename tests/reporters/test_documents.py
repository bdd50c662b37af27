"""HTML and PDF: what a person sees (headless Chromium, poppler), hostile content made inert, secrets absent."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from assess.model.report import Report
from assess.reporters import html, pdf
from assess.reporters.pdf import BundledOnlyFetcher
from assess.reporters.templates import templates_dir
from tests.cli_runner import invoke
from tests.conftest import make_repo
from tests.fakes.cluster_fixture import CANARY_TOKEN

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
SECTIONS = ["Next steps, by impact", "Contents", "Readiness, risk and delivery", "Stages", "Findings",
            "DevOps vs GitOps", "Maturity timeline", "Delivery metrics", "Change-management evidence",
            "What could not be observed", "Methodology", "Evidence"]
SECRET_CANARY = "Y2FuYXJ5LXN0YWdlMS1kYi1wYXNzd29yZA=="  # the stage1-pushed sample's Secret value
TOKEN_CANARY = "ghp_canaryTokenThatMustNeverBePrinted0001"


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("CI"):
            pytest.fail(f"{tool} is required in CI (.ci/run installs it)")
        pytest.skip(f"{tool} not installed")
    return path


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return invoke(*args, env=env, unset=())


@pytest.fixture(scope="module")
def stage3_outputs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("stage3")
    done = run("scan", "--sample", "stage3-platform", "-q", "-f", "json,html,pdf,sarif,junit,md", "-o", str(out))
    assert done.returncode == 0, done.stderr
    return out


def test_scan_writes_all_five_formats(stage3_outputs: Path) -> None:
    names = {p.name for p in stage3_outputs.iterdir()}
    assert {"report.html", "report.pdf", "report.sarif", "junit.xml", "summary.md", "report.json"} <= names
    assert not [n for n in names if n.endswith(".tmp")]


def test_html_is_self_contained_and_without_javascript(stage3_outputs: Path) -> None:
    text = (stage3_outputs / "report.html").read_text()
    assert "<script" not in text.lower()
    assert not re.search(r'(src|href)="https?://|url\(["\']?https?://|@import|<link', text), "nothing is fetched"
    assert "<svg" in text and "<style>" in text
    for section in SECTIONS:
        assert section in text


def test_html_in_headless_chromium_shows_the_summary(stage3_outputs: Path, tmp_path: Path) -> None:
    chromium = need("chromium")
    need("pdftotext")
    page = (stage3_outputs / "report.html").as_uri()
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]
    shot = tmp_path / "summary.png"
    subprocess.run([chromium, *flags, "--window-size=1280,1600", f"--screenshot={shot}", page],
                   capture_output=True, timeout=120, check=True)
    printed = tmp_path / "printed.pdf"
    subprocess.run([chromium, *flags, "--no-pdf-header-footer", f"--print-to-pdf={printed}", page],
                   capture_output=True, timeout=120, check=True)
    from PIL import Image

    image = Image.open(shot).convert("L")
    assert image.size == (1280, 1600)
    top = image.crop((0, 0, 1280, 700))
    assert top.getextrema()[0] < 100, "the top of the page shows dark text, not a blank page"
    first_page = subprocess.run(["pdftotext", "-f", "1", "-l", "1", str(printed), "-"], capture_output=True,
                                text=True, check=True).stdout
    assert "Next steps, by impact" in first_page and "Stage 3" in first_page and "Cluster lifecycle" in first_page


def test_pdf_has_every_section_page_numbers_and_renders_fast(stage3_outputs: Path, tmp_path: Path) -> None:
    need("pdftotext")
    need("pdftoppm")
    document = stage3_outputs / "report.pdf"
    text = subprocess.run(["pdftotext", str(document), "-"], capture_output=True, text=True, check=True).stdout
    assert "Stage 3" in text and "observed evidence" in text
    for section in SECTIONS:
        assert section in text, section
    assert "Page 1 of" in text and "Change-management evidence" in text
    subprocess.run(["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(document), str(tmp_path / "p")],
                   check=True)
    assert list(tmp_path.glob("p*.png"))


def test_largest_sample_pdf_renders_under_ten_seconds(tmp_path: Path) -> None:
    done = run("scan", "--sample", "stage4-fleet", "-q", "-f", "json", "-o", str(tmp_path))
    report = json.loads((tmp_path / "report.json").read_text())
    assert len(report["timeline"]) == 12 and report["audit_trail"]
    start = time.monotonic()
    data = pdf.render(Report.from_json(report))
    elapsed = time.monotonic() - start
    assert done.returncode == 0 and data.startswith(b"%PDF")
    assert elapsed < 10, f"PDF took {elapsed:.1f}s"


def test_pdf_fetcher_refuses_anything_but_bundled_assets() -> None:
    fetcher = BundledOnlyFetcher(templates_dir())
    for url in ("http://example.com/x.css", "https://cdn.example/x.js", "file:///etc/passwd", "ftp://x/y"):
        with pytest.raises(ValueError, match=r"refused|disallowed"):
            fetcher.fetch(url)
    fetcher.fetch((templates_dir() / "report.css").as_uri()).close()


HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_hostile_content_is_inert_in_every_format(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"clusters/prod/app.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: '" + HOSTILE.replace("'", "''") + "'\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: a\n          image: nginx:latest\n")})
    (repo / "clusters/prod/app.yaml").write_text((repo / "clusters/prod/app.yaml").read_text() + "# change\n")
    env = {"GIT_AUTHOR_NAME": HOSTILE, "GIT_AUTHOR_EMAIL": "x@example.test", "GIT_COMMITTER_NAME": "x",
           "GIT_COMMITTER_EMAIL": "x@example.test"}
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", f"Deploy {HOSTILE}"], check=True,
                   env={**os.environ, **env})
    out = tmp_path / "out"
    done = run("scan", str(repo), "-q", "-f", "html,md,sarif,junit,json", "-o", str(out), "--no-github")
    assert done.returncode == 0, done.stderr
    page = (out / "report.html").read_text()
    assert "<script" not in page and "<img" not in page
    assert "&lt;script&gt;" in page  # shown, as text
    assert "<script" not in (out / "summary.md").read_text()
    json.loads((out / "report.sarif").read_text())  # still valid JSON
    import xml.etree.ElementTree as ET

    ET.parse(out / "junit.xml")  # still well-formed XML


def test_planted_canaries_appear_in_no_output(tmp_path: Path) -> None:
    need("pdftotext")
    for sample, canary in (("stage1-pushed", SECRET_CANARY), ("stage4-fleet", CANARY_TOKEN)):
        out = tmp_path / sample
        done = run("scan", "--sample", sample, "-v", "-f", "terminal,json,html,pdf,sarif,junit,md", "-o", str(out),
                   "--save-evidence", str(out / "evidence.json"), env={"GITHUB_TOKEN": TOKEN_CANARY})
        assert done.returncode in (0, 1), done.stderr
        produced = done.stdout + done.stderr
        for path in out.iterdir():
            produced += (subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
                         if path.suffix == ".pdf" else path.read_text())
        for secret in (canary, TOKEN_CANARY):
            assert secret not in produced, f"{secret[:12]}… leaked in {sample}"


def test_render_from_a_saved_report_and_refusals(tmp_path: Path) -> None:
    golden = GOLDEN / "report.json"
    done = run("render", str(golden), "-f", "html,pdf,sarif,junit,md", "-o", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert {p.name for p in tmp_path.iterdir()} == {"report.html", "report.pdf", "report.sarif", "junit.xml",
                                                    "summary.md"}
    assert run("render", str(golden), "-f", "md").stdout.startswith("## GitOps stage 1")
    bad = tmp_path / "bad.json"
    bad.write_text('{"stage": 3}')
    refused = run("render", str(bad), "-f", "html", "-o", str(tmp_path / "x"))
    assert refused.returncode == 2 and "not a gitops-assess report" in refused.stderr
    assert not (tmp_path / "x").exists()
    assert run("render", str(golden), "-f", "pdf").returncode == 2  # binary output needs a directory


def test_a_failed_render_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from assess import cli
    from assess.reporters import pdf as pdf_reporter

    report = Report.from_json(json.loads((GOLDEN / "report.json").read_text()))

    def broken(*_: object) -> bytes:
        raise RuntimeError("renderer crashed")

    monkeypatch.setattr(pdf_reporter, "render", broken)  # the CLI imports it on demand: the same module
    with pytest.raises(RuntimeError):
        cli._write_outputs(report, ["json", "html", "pdf"], tmp_path / "out", False)
    assert not (tmp_path / "out").exists() or not list((tmp_path / "out").iterdir())


def test_html_render_is_deterministic() -> None:
    report = json.loads((GOLDEN / "report.json").read_text())
    assert html.render(Report.from_json(report)) == html.render(Report.from_json(report))
