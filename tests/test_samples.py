"""Every sample estate reaches its intended stage; a bare clone gives the same verdict."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml

from assess.collectors.forge_collector import ForgePeriod
from assess.collectors.gitlab.replay import load_recording
from assess.collectors.gitlab.source import GitLabCollector
from assess.collectors.samples import get_sample, list_samples, materialise
from assess.engine import Settings, run_assessment
from assess.model.forge import ForgeEvidence
from tests.cli_runner import invoke
from tests.conftest import assert_valid_report
from tests.fakes.gitlab_recording import record_sample
from tests.fakes.gitlab_replay_server import ReplayGitLab

ROOT = Path(__file__).resolve().parents[1]

SAMPLES = list_samples()


def test_one_sample_per_stage() -> None:
    assert sorted(s.stage for s in SAMPLES if s.variant_of is None) == [0, 1, 2, 3, 4]
    # A variant shows an estate of its stage on another forge, sharing that estate's history.
    variants = {s.name: s for s in SAMPLES if s.variant_of is not None}
    assert {name: (s.forge, s.stage) for name, s in variants.items()} == {"gitlab-argocd": ("gitlab", 2)}
    assert all(get_sample(s.variant_of).stage == s.stage for s in variants.values() if s.variant_of)


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


DEAD_PROXY = {"HTTPS_PROXY": "http://127.0.0.1:9", "HTTP_PROXY": "http://127.0.0.1:9", "NO_PROXY": ""}


def test_the_gitlab_sample_shows_the_gitlab_sections_offline(tmp_path: Path) -> None:
    # No token and no way out (any connection would go to a dead proxy): the recorded answers are replayed.
    out = invoke("scan", "--sample", "gitlab-argocd", "-q", "-f", "terminal,json,html", "-o", str(tmp_path),
                 env={"COLUMNS": "160", **DEAD_PROXY}, unset=("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN",
                                                             "CI_JOB_TOKEN", "KUBECONFIG"))
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(tmp_path / "report.json")
    assert report["stage"]["reached"] == 2 and "github" not in report["sources"]
    assert report["sources"]["gitlab"]["available"] and "not visible" not in report["sources"]["gitlab"]["detail"]
    forge = report["github"]
    assert forge["forge"] == "GitLab" and forge["repo"] == "acme/stage2-argocd"
    assert forge["html_url"] == "https://gitlab.com/acme/stage2-argocd" and forge["not_visible"] == {}
    policy = forge["policy"]  # the protected branch and its approval settings and rules
    assert policy["sources"] == ["GitLab protected branch main"] and policy["required_approvals"] == 1
    assert policy["require_code_owner_reviews"] and policy["dismiss_stale_reviews"] and policy["force_push_blocked"]
    assert forge["merged_pull_requests"] == forge["independently_approved"] == 42  # merge requests, approved
    assert forge["ci_runs"] == 44 and forge["ci_success_rate"] == 0.9545  # default-branch pipelines
    found = {f["check_id"]: f for f in report["findings"]}
    assert found["default-branch-protected"]["message"] == "main is protected by GitLab protected branch main."
    assert found["no-self-approval"]["message"] == ("All 42 merged GitLab merge requests were approved by someone "
                                                    "other than the author.")
    assert found["ci-success-rate"]["message"].startswith("95% of 44 completed GitLab pipelines succeeded")
    assert [r["url"] for r in found["review-required"]["refs"]] == [
        "https://gitlab.com/acme/stage2-argocd/-/settings/repository"]
    assert {c["id"]: c["sources"] for c in report["checks"]}["review-required"] == ["gitlab"]
    html = (tmp_path / "report.html").read_text()
    assert "<h3>GitLab settings and access snapshot</h3>" in html
    assert "42 merged merge requests, 42 independently approved · CI: 95% of 44 GitLab pipelines succeeded" in html
    assert "<td>Merge request required</td>" in html and "<td>Required approvals</td><td>1</td>" in html
    assert "GitLab acme/stage2-argocd (main)" in out.stdout
    # The summary and the finding state one rate (the summary was rounded before it was printed: 95.45% → 96%).
    assert "CI success 95% over 44 pipelines" in out.stdout
    assert "protected by GitLab protected branch main: 1 approval, code owners, no force push" in out.stdout
    assert "42 merged merge requests, 42 independently approved" in out.stdout


def test_the_gitlab_ci_job_runs_against_the_recorded_sample(tmp_path: Path) -> None:
    job = yaml.safe_load((ROOT / "samples" / "ci" / "gitlab" / ".gitlab-ci.yml").read_text())["gitops-assess"]
    assert {"if": '$CI_PIPELINE_SOURCE == "schedule"'} in job["rules"] and job["variables"]["GIT_DEPTH"] == "0"
    repo = materialise(get_sample("gitlab-argocd"), tmp_path / "project")
    shim = tmp_path / "bin" / "gitops-assess"  # this checkout's tool, as `pip install` would put it on PATH
    shim.parent.mkdir()
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -m assess \"$@\"\n")
    shim.chmod(0o755)
    # The job names its project (--gitlab) and so reads the network: here a local server answering from the
    # sample's recording, as GitLab answered the collector.
    with ReplayGitLab(load_recording(ROOT / "samples" / "gitlab-argocd" / "gitlab-api.json")) as gitlab:
        env = {"PATH": f"{shim.parent}:{os.environ['PATH']}", "PYTHONPATH": str(ROOT), "HOME": str(tmp_path),
               "CI_PIPELINE_SOURCE": "schedule", "CI_PROJECT_PATH": "acme/stage2-argocd",
               "CI_SERVER_URL": gitlab.url, "GITLAB_TOKEN": "glpat-scheduled-audit"}
        done = subprocess.run(["bash", "-eo", "pipefail", "-c", "\n".join(job["script"])], cwd=repo, env=env,
                              capture_output=True, text=True, timeout=300)
        requests = list(gitlab.requests)
    assert done.returncode == 0, done.stderr
    report = assert_valid_report(repo / "gitops-report" / "report.json")
    assert report["stage"]["reached"] == 2 and report["sources"]["gitlab"]["available"]
    assert report["github"]["forge"] == "GitLab" and report["github"]["not_visible"] == {}
    assert {p.name for p in (repo / "gitops-report").iterdir()} >= {"report.json", "report.html", "junit.xml",
                                                                    "summary.md"}
    assert "**GitLab settings** of acme/stage2-argocd" in (repo / "gitops-report" / "summary.md").read_text()
    assert requests and {r.method for r in requests} == {"GET"}
    assert all(r.status == 200 for r in requests), [(r.path, r.status) for r in requests if r.status != 200]
    everything = done.stdout + done.stderr + "".join(p.read_text() for p in (repo / "gitops-report").iterdir())
    assert "glpat-scheduled-audit" not in everything


def test_the_recorded_gitlab_answers_are_what_the_local_server_gives_the_collector_today(tmp_path: Path) -> None:
    sample = get_sample("gitlab-argocd")
    repo = materialise(sample, tmp_path / "project")
    assert sample.as_of is not None
    recording, live = record_sample(repo, "acme/stage2-argocd", sample.as_of)
    committed = json.loads((sample.directory / "gitlab-api.json").read_text())
    assert recording == committed, "the GitLab sample is stale: run `python samples/build_samples.py --gitlab`"
    # Replayed without the network, the real collector reads the same evidence it read from the server.
    replayed = GitLabCollector().collect(Settings(path=str(repo), forge_recording=sample.directory / "gitlab-api.json"),
                                         ForgePeriod(None, tuple(live.commit_pulls)), sample.as_of, lambda _: None)
    assert isinstance(replayed, ForgeEvidence)
    # The same evidence but for where it came from: the recorded instance, not the local server.
    assert replace(replayed, provenance=live.provenance, api_url=live.api_url) == live
    assert replayed.api_url == "https://gitlab.com/api/v4" and "recorded answers" in replayed.provenance.method


def test_a_shorter_period_replays_only_what_gitlab_would_return_for_it() -> None:
    out = invoke("scan", "--sample", "gitlab-argocd", "--since", "2025-12-20", "-q", "-f", "json",
                 env=DEAD_PROXY, unset=("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "KUBECONFIG"))
    forge = assert_valid_report(out.stdout)["github"]
    # 15 of the 42 merge requests were merged, and 16 of the 44 pipelines ran, on or after 20 December.
    assert (forge["merged_pull_requests"], forge["ci_runs"]) == (15, 16)
