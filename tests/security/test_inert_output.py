"""Hostile text in file names, contents and commit messages is inert in every output: no terminal escape runs, no
workflow command starts a line, no spreadsheet formula evaluates, no mention notifies, and every file stays valid."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from assess.reporters import inert
from tests.cli_runner import invoke
from tests.conftest import git, make_repo

ROOT = Path(__file__).resolve().parents[2]
OSC52 = "\x1b]52;c;cHduZWQ=\x07"
COLOUR = "\x1b[31m"
LINK = "\x1b]8;;https:evil.example\x07click\x1b]8;;\x07"  # no slash: one file name
COMMAND = "\n::error file=x::pwned"
HOSTILE_NAMES = [f"k8s/clip{OSC52}.yaml", f"k8s/colour{COLOUR}{LINK}.yaml", f"k8s/cmd{COMMAND}.yaml",
                 "k8s/@acme/everyone-\u202eevil-<script>alert(1)</script>.yaml", "k8s/a b#c%.yaml"]
FORMULA = '=HYPERLINK("https://evil.example/","open me")'
RAW = (OSC52, COLOUR, "\x1b]8;;", "\x1b", "\u202e", COMMAND)  # `<script>` is harmless text on a terminal


def secret(name: str) -> str:
    return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: {name}\nstringData:\n  pw: s3cr3tvalue9\n"


def hostile_repo(tmp_path: Path) -> Path:
    files = {name: secret(f"s{i}") for i, name in enumerate(HOSTILE_NAMES)}
    files["clusters/prod/app.yaml"] = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\n"
                                       "metadata:\n  name: apps\nspec:\n  prune: true\n  path: ./k8s\n")
    repo = make_repo(tmp_path / "repo", files, message=f"{FORMULA} @acme/everyone {COLOUR}\x1b]52;c;eA==\x07")
    (repo / "k8s" / "deploy.yaml").write_text("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"
                                              "spec:\n  template:\n    spec:\n      containers:\n"
                                              "      - name: web\n        image: nginx:1.25.3\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "add a deployment")
    return repo


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return invoke(*args)


def no_workflow_command(text: str) -> None:
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]


@pytest.fixture(scope="module")
def scanned(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("hostile")
    repo = hostile_repo(tmp)
    done = run("scan", str(repo), "--no-github", "-v", "-f", "terminal,json,sarif,junit,md,html", "-o",
               str(tmp / "out"), "--since", "all")
    assert done.returncode == 0, done.stderr
    return tmp / "out", done


def test_the_names_reach_the_reports(scanned: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = scanned
    finding = next(f for f in json.loads((out / "report.json").read_text())["findings"]
                   if f["check_id"] == "no-plaintext-secrets")
    assert set(HOSTILE_NAMES) <= {r.get("path") for r in finding["refs"]}  # the JSON keeps them exactly


def test_terminal_shows_escapes_as_text(scanned: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, done = scanned
    for text in (done.stdout, done.stderr, (out / "summary.txt").read_text()):
        assert not any(raw in text for raw in RAW)
        no_workflow_command(text)
    assert "\\x1b]52;c;" in done.stdout and "\\n::error" in done.stdout  # shown, not acted on


def test_junit_parses(scanned: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = scanned
    text = (out / "junit.xml").read_text()
    ET.fromstring(text.encode())
    assert "\x1b" not in text and "\\x1b" in text


def test_sarif_uris_are_percent_encoded_and_valid(scanned: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = scanned
    log = json.loads((out / "report.sarif").read_text())
    uris = {loc["physicalLocation"]["artifactLocation"]["uri"] for run_ in log["runs"] for res in run_["results"]
            for loc in [*res["locations"], *res.get("relatedLocations", [])]}
    assert "k8s/a%20b%23c%25.yaml" in uris
    assert all(" " not in u and "#" not in u and "\x1b" not in u and u.isascii() for u in uris)
    assert all(jsonschema.Draft7Validator.FORMAT_CHECKER.conforms(u, "uri-reference") for u in uris
               if "uri-reference" in jsonschema.Draft7Validator.FORMAT_CHECKER.checkers)


def test_markdown_neutralises_mentions_bidi_and_html(scanned: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = scanned
    text = (out / "summary.md").read_text()
    assert "@acme" not in text and "@\u200bacme" in text
    assert "\u202e" not in text and "<script>" not in text and "\x1b" not in text
    no_workflow_command(text)


def test_html_is_autoescaped(scanned: tuple[Path, subprocess.CompletedProcess[str]]) -> None:
    out, _ = scanned
    text = (out / "report.html").read_text()
    assert "<script>alert(1)" not in text


def test_audit_csv_has_no_formula_and_no_control(tmp_path: Path) -> None:
    repo = hostile_repo(tmp_path)
    done = run("audit-trail", str(repo), "--audit-since", "2000-01-01")
    assert done.returncode == 0, done.stderr
    assert "\x1b" not in done.stdout
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    subjects = [r["subject"] for r in rows]
    assert any("HYPERLINK" in s for s in subjects), subjects
    cells = [cell for row in rows for cell in row.values()]
    assert not [c for c in cells if c[:1] in ("=", "+", "-", "@", "\t", "\r")]
    assert any(c.startswith("'=HYPERLINK") for c in cells)


@pytest.mark.parametrize(("text", "dangerous"), [
    (OSC52, "\x1b"), ("a" + COMMAND, "\n"), ("x\u202ey", "\u202e"), ("::warning a", None)])
def test_a_line_never_acts(text: str, dangerous: str | None) -> None:
    shown = inert.line(text)
    assert (dangerous is None or dangerous not in shown) and not shown.startswith("::")
