"""The command line as users drive it: outputs, exit codes, errors without tracebacks, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from click.testing import CliRunner

from assess.cli import cli
from tests.cli_runner import invoke
from tests.conftest import Files, assert_valid_report, make_repo

CANARY_B64 = "Y2FuYXJ5LXN0YWdlMS1kYi1wYXNzd29yZA=="  # planted in the stage1-pushed sample's Secret
CANARY = "canary-stage1-db-password"


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """The command line as a user runs it, in this process (tests/cli_runner.py)."""
    return invoke(*args, cwd=cwd, unset=())


def test_scan_sample_json_to_directory_validates(tmp_path: Path) -> None:
    out = run("scan", "--sample", "stage2-argocd", "-q", "-f", "terminal,json", "-o", str(tmp_path))
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(tmp_path / "report.json")
    assert report["stage"]["reached"] == 2
    assert report["stage"]["basis"] == "observed"  # the sample ships a cluster snapshot
    assert "GitOps stage 2" in out.stdout
    assert (tmp_path / "summary.txt").read_text().startswith("GitOps stage 2")
    assert not list(tmp_path.glob(".*.tmp"))


def test_terminal_summary_names_blockers_signals_failure_modes_and_next_steps() -> None:
    out = run("scan", "--sample", "stage1-pushed", "-q")
    assert out.returncode == 0
    for text in ("GitOps stage 1", "Blocking the next stage", "reconciler-declared", "Readiness signals",
                 "Failure modes", "FM2", "Next steps", "Not observed"):
        assert text in out.stdout, text


def test_not_a_repository_is_one_line_and_exit_2(tmp_path: Path) -> None:
    out = run("scan", str(tmp_path))
    assert out.returncode == 2
    assert out.stderr.strip() == f"gitops-assess: error: {tmp_path}: not a Git repository"
    assert "Traceback" not in out.stderr


def test_corrupt_repository_is_exit_3_without_traceback(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"k8s/a.yaml": "kind: ConfigMap\napiVersion: v1\n"})
    for obj in (repo / ".git" / "objects").glob("??/*"):
        obj.chmod(0o644)
        obj.write_bytes(b"not a zlib stream")
    out = run("scan", str(repo))
    assert out.returncode == 3
    assert "Traceback" not in out.stderr and out.stderr.startswith("gitops-assess: error:")


def test_gates_set_exit_code_1(tmp_path: Path) -> None:
    assert run("scan", "--sample", "stage1-pushed", "-q", "--fail-under-stage", "2").returncode == 1
    assert run("scan", "--sample", "stage1-pushed", "-q", "--fail-under-stage", "1").returncode == 0
    crit = run("scan", "--sample", "stage1-pushed", "-q", "--fail-on", "critical")
    assert crit.returncode == 1 and "no-plaintext-secrets" in crit.stderr
    assert run("scan", "--sample", "stage4-fleet", "-q", "--fail-on", "critical").returncode == 0
    high = run("scan", "--sample", "stage4-fleet", "-q", "--fail-on", "high")
    assert high.returncode == 1 and "no-human-direct-pushes" in high.stderr


def test_usage_errors_exit_2() -> None:
    assert run("scan", "--format", "pdfx").returncode == 2
    assert run("scan", "--fail-under-stage", "7").returncode == 2
    assert run("explain", "no-such-check").returncode == 2


def test_unknown_sample_is_a_usage_error_that_lists_the_known_ones() -> None:
    for command in ("scan", "audit-trail"):
        out = run(command, "--sample", "nope")
        assert out.returncode == 2 and "stage2-argocd" in out.stderr and "Traceback" not in out.stderr


def test_written_files_are_named_on_stderr_unless_quiet(tmp_path: Path) -> None:
    out = run("scan", "--sample", "stage2-argocd", "--no-history", "-f", "json,md", "-o", str(tmp_path))
    assert out.returncode == 0
    assert f"wrote {tmp_path / 'report.json'}" in out.stderr and f"wrote {tmp_path / 'summary.md'}" in out.stderr
    quiet = run("scan", "--sample", "stage2-argocd", "--no-history", "-q", "-f", "json", "-o", str(tmp_path))
    assert "wrote" not in quiet.stderr
    rendered = run("render", str(tmp_path / "report.json"), "-f", "md", "-o", str(tmp_path / "again"))
    assert f"wrote {tmp_path / 'again' / 'summary.md'}" in rendered.stderr


def test_piped_terminal_summary_is_not_hard_wrapped_at_80_columns() -> None:
    out = invoke("scan", "--sample", "stage4-fleet", env={"COLUMNS": ""}, unset=())
    assert out.returncode == 0
    assert max(len(line.rstrip()) for line in out.stdout.splitlines()) > 100


def test_bad_config_names_the_line(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("version: 1\nthresholds:\n  fleet_clusters: many\n")
    out = run("scan", "--sample", "stage2-argocd", "--config", str(cfg))
    assert out.returncode == 2
    assert f"{cfg}:3: thresholds.fleet_clusters" in out.stderr
    cfg.write_text("version: 1\nthresholds: [\n")
    out = run("scan", "--sample", "stage2-argocd", "--config", str(cfg))
    assert out.returncode == 2 and "invalid YAML" in out.stderr


def test_config_thresholds_change_the_verdict(tmp_path: Path) -> None:
    cfg = tmp_path / "cfg.yaml"
    cfg.write_text("version: 1\nthresholds:\n  fleet_clusters: 2\n  fleet_clouds: 5\n")
    out = run("scan", "--sample", "stage3-platform", "-q", "-f", "json", "--config", str(cfg))
    report = assert_valid_report(out.stdout)
    assert next(f for f in report["findings"] if f["check_id"] == "fleet-scale")["outcome"] == "pass"


def test_secret_values_never_reach_any_output(tmp_path: Path) -> None:
    out = run("scan", "--sample", "stage1-pushed", "-v", "-f", "terminal,json", "-o", str(tmp_path),
              "--save-evidence", str(tmp_path / "evidence.json"))
    produced = out.stdout + out.stderr + "".join(p.read_text() for p in tmp_path.iterdir())
    assert "k8s/db-secret.yaml" in produced  # the Secret is flagged …
    assert CANARY_B64 not in produced and CANARY not in produced  # … its value never shown


def test_saved_evidence_re_evaluates_to_the_same_report(tmp_path: Path) -> None:
    first = run("scan", "--sample", "stage3-platform", "-q", "-f", "json", "-o", str(tmp_path / "a"),
                "--save-evidence", str(tmp_path / "ev.json"))
    assert first.returncode == 0
    again = run("scan", "--from-evidence", str(tmp_path / "ev.json"), "-q", "-f", "json")
    a = assert_valid_report(tmp_path / "a" / "report.json")
    b = assert_valid_report(again.stdout)
    assert a["stage"] == b["stage"] and a["findings"] == b["findings"]
    assert a["evidence_sha256"] == b["evidence_sha256"]
    bad = tmp_path / "bad.json"
    bad.write_text("{}")
    assert run("scan", "--from-evidence", str(bad)).returncode == 2


def test_checks_explain_schema_samples() -> None:
    runner = CliRunner()
    listing = runner.invoke(cli, ["checks"])
    assert listing.exit_code == 0 and "actions-pinned-to-sha" in listing.output
    as_json = json.loads(runner.invoke(cli, ["checks", "--format", "json"]).output)
    assert len(as_json) >= 20
    explained = runner.invoke(cli, ["explain", "actions-pinned-to-sha"])
    assert "reviewdog/action-setup" in explained.output and "How to fix it" in explained.output
    schema = json.loads(runner.invoke(cli, ["schema"]).output)
    jsonschema.Draft202012Validator.check_schema(schema)
    samples = runner.invoke(cli, ["samples"]).output
    assert all(f"stage {n}" in samples for n in range(5))


def test_a_raising_check_becomes_an_error_finding_and_exit_4(tmp_path: Path) -> None:
    """A check that raises does not stop the run: its finding is `error`, the report is written, exit 4."""
    probe = (
        "import sys\n"
        "from assess.checks import images_pinned\n"
        "def boom(ctx):\n    raise ValueError('synthetic failure')\n"
        "images_pinned.CHECK = images_pinned.CHECK.__class__(images_pinned.CHECK.spec, boom)\n"
        "from assess.cli import main\n"
        f"sys.argv = ['gitops-assess', 'scan', '--sample', 'stage2-argocd', '-q', '-f', 'json', '-o', r'{tmp_path}']\n"
        "main()\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.returncode == 4, out.stderr
    report = assert_valid_report(tmp_path / "report.json")
    finding = next(f for f in report["findings"] if f["check_id"] == "images-pinned")
    assert finding["outcome"] == "error" and "synthetic failure" in finding["message"]


@pytest.mark.parametrize("files", [
    {"k8s/bomb.yaml": "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9) + "]\n" for i in range(8))},
    {"k8s/broken.yaml": "kind: Deployment\nspec: [\n"},
    {"k8s/bin.yaml": b"\x00\xff\x00\xfe"},
    {"k8s/utf16.yaml": "apiVersion: v1\nkind: ConfigMap\n".encode("utf-16")},
])
def test_bad_inputs_give_findings_not_tracebacks(tmp_path: Path, files: Files) -> None:
    repo = make_repo(tmp_path / "r", {**files, "k8s/ok.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    out = run("scan", str(repo), "-q", "-f", "json")
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    assert_valid_report(out.stdout)


def test_empty_repository_gets_a_clear_result(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    out = run("scan", str(repo), "-q", "-f", "json")
    report = assert_valid_report(out.stdout)
    assert out.returncode == 0
    assert report["stage"]["reached"] == 0
    assert "no commits" in report["sources"]["git"]["detail"]


def test_audit_trail_csv_and_json(tmp_path: Path) -> None:
    out = run("audit-trail", "--sample", "stage2-argocd", "-f", "csv", "-o", str(tmp_path / "trail.csv"))
    assert out.returncode == 0, out.stderr
    import csv

    rows = list(csv.DictReader((tmp_path / "trail.csv").open()))
    assert rows and {"sha", "deployed_at", "change_path", "pr_number", "signature", "environments",
                     "is_revert", "lead_time_hours"} <= set(rows[0])
    as_json = json.loads(run("audit-trail", "--sample", "stage2-argocd", "-f", "json").stdout)
    assert [r["sha"] for r in as_json] == [r["sha"] for r in rows]
    report = assert_valid_report(run("scan", "--sample", "stage2-argocd", "-q", "-f", "json").stdout)
    assert [r["sha"] for r in report["audit_trail"]] == [r["sha"] for r in rows]


def test_audit_trail_cells_cannot_run_in_a_spreadsheet(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "r", {"clusters/prod/a.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    (repo / "clusters/prod/a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n")
    subprocess.run(["git", "-C", str(repo), "commit", "-qam", "=HYPERLINK(\"http://evil\")"], check=True,
                   env={**os.environ, "GIT_AUTHOR_NAME": "x", "GIT_AUTHOR_EMAIL": "x@y", "GIT_COMMITTER_NAME": "x",
                        "GIT_COMMITTER_EMAIL": "x@y"})
    out = run("audit-trail", str(repo))
    assert out.returncode == 0, out.stderr
    assert "'=HYPERLINK" in out.stdout and ",=HYPERLINK" not in out.stdout


def test_no_history_marks_history_unavailable() -> None:
    out = run("scan", "--sample", "stage3-platform", "-q", "-f", "json", "--no-history")
    report = assert_valid_report(out.stdout)
    assert report["sources"]["history"] == {"available": False, "reason": "history not read (--no-history)",
                                            "fix": "run without --no-history", "cause": "not-requested"}
    assert report["audit_trail"] == [] and report["timeline"] == []
    outcomes = {f["check_id"]: f["outcome"] for f in report["findings"]}
    assert outcomes["changes-through-prs"] == "unknown"
    assert report["stage"]["reached"] == 3 and "changes-through-prs" in report["stage"]["unverified"]


def test_scan_reports_history_window_metrics_and_timeline() -> None:
    out = run("scan", "--sample", "stage4-fleet", "-q", "-f", "json", "--timeline-months", "6")
    report = assert_valid_report(out.stdout)
    assert len(report["timeline"]) == 6
    stages = [t["stage"] for t in report["timeline"]]
    assert stages == sorted(stages) and stages[-1] == 4 and stages[0] < 4
    assert report["metrics"]["history"]["human_authors"] == 7
    assert report["premature"]["verdict"] is False
    assert report["window"]["branch"] == "main"


def test_since_until_are_validated() -> None:
    bad = run("scan", "--sample", "stage2-argocd", "--since", "last tuesday")
    assert bad.returncode == 2 and "not a date" in bad.stderr
    ok = run("scan", "--sample", "stage2-argocd", "-q", "-f", "json", "--since", "2025-12-01",
             "--until", "2025-12-31")
    report = assert_valid_report(ok.stdout)
    assert all("2025-12" in r["deployed_at"] for r in report["audit_trail"])


def test_empty_repository_audit_trail_is_a_clear_error(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    out = run("audit-trail", str(repo))
    assert out.returncode == 3
    assert out.stderr.strip() == "gitops-assess: error: no audit trail: the repository has no commits"


def test_commands_that_render_no_document_do_not_load_the_pdf_and_chart_stack() -> None:
    # weasyprint and matplotlib cost seconds to import; a JSON-only scan in CI must not pay for them
    probe = ("import sys, assess.cli; "
             "print(sorted(m for m in ('weasyprint', 'matplotlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
