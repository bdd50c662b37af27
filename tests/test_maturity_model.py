"""The maturity model is data: a policy file renames a stage and moves a check to another stage, and every format
shows the changed verdict; the report names the model it was judged by; an unknown check id is refused with its
line."""

from __future__ import annotations

import json
from pathlib import Path

from assess.checks.catalog import load_catalog
from assess.policy.maturity import packaged
from assess.policy.maturity import seed_model
from tests.cli_runner import invoke

SEED_NAMES = {0: "Not versioned", 1: "Versioned IaC", 2: "Application GitOps", 3: "Cluster lifecycle & policy",
              4: "Fleet management"}
POLICY = """version: 1
maturity:
  stages:
    "2":
      name: Pull-based delivery
  gates:
    no-human-direct-pushes: 2
    reconciler-running: 0
"""


def test_the_packaged_model_is_the_seed_model_of_the_check_specs() -> None:
    model = seed_model(frozenset(c.spec.id for c in load_catalog()))
    assert dict(model.stage_names) == dict(packaged().stage_names) == SEED_NAMES
    assert dict(model.gates) == {c.spec.id: c.spec.stage for c in load_catalog() if c.spec.gates_stage}


def test_a_moved_gate_and_a_renamed_stage_change_the_verdict_in_every_format(tmp_path: Path) -> None:
    base = invoke("scan", "--sample", "stage2-argocd", "-q", "-f", "json")
    assert json.loads(base.stdout)["stage"]["reached"] == 2
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    out = tmp_path / "out"
    moved = invoke("scan", "--sample", "stage2-argocd", "--config", str(policy), "-f", "terminal,json,md,html",
                   "-o", str(out))
    assert moved.returncode == 0, moved.stderr
    report = json.loads((out / "report.json").read_text())
    # A failing check made a stage-2 gate holds the team at stage 1; the renamed stage is named everywhere.
    assert report["stage"]["reached"] == 1
    assert report["stage"]["blockers"] == ["no-human-direct-pushes"]
    assert "Stage 2 (Pull-based delivery) is blocked by: no-human-direct-pushes" in report["stage"]["explanation"]
    assert report["maturity"]["adapted"] is True and report["maturity"]["gates"]["no-human-direct-pushes"] == 2
    assert "reconciler-running" not in report["maturity"]["gates"]
    assert report["maturity"]["digest"] != json.loads(base.stdout).get("maturity", {}).get("digest")
    assert "Pull-based delivery" in (out / "summary.md").read_text()
    assert "Pull-based delivery" in (out / "summary.txt").read_text()
    assert "Pull-based delivery" in (out / "report.html").read_text()


def test_an_unknown_check_in_the_model_is_refused_with_its_line(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nmaturity:\n  gates:\n    no-such-check: 2\n", encoding="utf-8")
    out = invoke("scan", "--sample", "stage2-argocd", "--config", str(policy))
    assert out.returncode == 2
    assert f"{policy}:4: maturity.gates: unknown check 'no-such-check'" in out.stderr, out.stderr
