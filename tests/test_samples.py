"""Every sample estate reaches its intended stage; a bare clone gives the same verdict."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from assess.collectors.samples import get_sample, list_samples, materialise
from assess.engine import Settings, run_assessment
from tests.conftest import assert_valid_report

SAMPLES = list_samples()


def test_one_sample_per_stage() -> None:
    assert sorted(s.stage for s in SAMPLES) == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("sample", SAMPLES, ids=[s.name for s in SAMPLES])
def test_sample_reaches_its_stage_and_a_bare_clone_agrees(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = materialise(sample, tmp_path / "work")
    bare = tmp_path / "bare.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(repo), str(bare)], check=True)
    # Judged as of the sample's date, as `scan --sample` does (today they are dormant).
    report, _ = run_assessment(Settings(path=str(repo), now=sample.as_of, until=sample.as_of))
    bare_report, _ = run_assessment(Settings(path=str(bare), now=sample.as_of, until=sample.as_of))
    assert report.stage.reached == sample.stage, report.stage.explanation
    assert bare_report.stage == report.stage
    assert [f.to_json() for f in bare_report.findings] == [f.to_json() for f in report.findings]
    assert_valid_report(report.to_json())


def test_sample_histories_look_like_a_team(tmp_path: Path) -> None:
    for sample in SAMPLES:
        repo = materialise(sample, tmp_path / sample.name, bare=True)
        log = subprocess.run(["git", f"--git-dir={repo}", "log", "--format=%ae%x09%P%x09%s", "main"],
                             capture_output=True, text=True, check=True).stdout.splitlines()
        authors = {line.split("\t")[0] for line in log}
        merges = [line for line in log if len(line.split("\t")[1].split()) > 1]
        reverts = [line for line in log if line.split("\t")[2].startswith("Revert ")]
        assert len(authors) >= 2, sample.name
        assert reverts, f"{sample.name} has no revert"
        assert merges or any("(#" in line for line in log), f"{sample.name} has no PR merge"


def test_stage_verdicts_explain_themselves() -> None:
    report, _ = run_assessment(Settings(path=str(materialise(get_sample("stage1-pushed"),
                                                                    Path(_tmp()) / "s1"))))
    assert "reconciler-declared" in report.stage.blockers
    push = report.finding("no-push-deploy-from-ci")
    assert push is not None and push.outcome.value == "fail"
    assert ".github/workflows/deploy.yml:22" in [str(r) for r in push.refs]


def _tmp() -> str:
    import tempfile

    return tempfile.mkdtemp(prefix="gitops-assess-test-")


@pytest.mark.parametrize("name", ["stage2-argocd", "stage3-platform", "stage4-fleet"])
def test_samples_show_observed_cluster_evidence(name: str) -> None:
    out = subprocess.run([sys.executable, "-m", "assess", "scan", "--sample", name, "-q", "-f", "json"],
                         capture_output=True, text=True, cwd=Path(__file__).resolve().parents[1])
    report = assert_valid_report(out.stdout)
    assert report["sources"]["cluster"]["available"] and report["sources"]["github"]["available"]
    assert report["stage"]["basis"] == "observed"
    observed = [f for f in report["findings"] if f["confidence"] == "observed" and f["outcome"] != "unknown"]
    assert any(f["check_id"] == "reconciler-running" and f["outcome"] == "pass" for f in observed)
