"""The maturity model is data: a policy file renames a stage and moves a check to another stage, and every format
shows the changed verdict; the report names the model it was judged by; an unknown check id is refused with its
line."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assess.checks.catalog import load_catalog
from assess.model.check import CheckSpec, FailureMode, Principle, Signal
from assess.model.finding import Severity
from assess.model.schema import report_schema
from assess.policy.maturity import adapted, gated, packaged, seed_model
from assess.reporters.registry import output_formats
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


def test_the_specs_defaults_agree_with_the_packaged_model_wherever_it_names_a_check() -> None:
    # The model wins where it names a check; the seed checks' own defaults must not tell a reader something else.
    specs = [c.spec for c in load_catalog()]
    assert gated(specs, seed_model(tuple(specs))) == specs


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


# --- the whole model as data: every format, any number of stages, signals, failure modes, dimensions -------------

def _text(path: Path) -> str:
    """A written file's text (a PDF's through pdftotext)."""
    if path.suffix == ".pdf":
        if shutil.which("pdftotext") is None:
            pytest.skip("pdftotext not installed")
        return subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    return path.read_text(encoding="utf-8")


def _sarif_rule(text: str, check_id: str) -> dict[str, Any]:
    rules = json.loads(text)["runs"][0]["tool"]["driver"]["rules"]
    return next(r for r in rules if r["id"] == check_id)


def _junit(text: str) -> ET.Element:
    suite = ET.fromstring(text).find("testsuite")
    assert suite is not None
    return suite


def test_every_registered_format_shows_the_moved_check_and_the_renamed_stage(tmp_path: Path) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text(POLICY, encoding="utf-8")
    formats = output_formats()
    out = tmp_path / "out"
    done = invoke("scan", "--sample", "stage2-argocd", "--config", str(policy), "-q", "-f", ",".join(formats),
                  "-o", str(out))
    assert done.returncode == 0, done.stderr
    human = {"terminal", "md", "html", "pdf"}
    for name, fmt in formats.items():
        path = out / fmt.file_name
        assert path.is_file() and path.stat().st_size, name
        if name not in (*human, "json", "sarif", "junit"):
            continue  # a plugin's format: written from the same report
        text = _text(path)
        if name in human:
            # the renamed stage blocks the team now: stage 1 reached, stage 2 named by its new name
            assert "Pull-based delivery" in text, name
            assert "Application GitOps" not in text, name
        elif name == "json":
            report = json.loads(text)
            assert (report["stage"]["reached"], report["maturity"]["stages"]["2"]) == (1, "Pull-based delivery")
            spec = next(c for c in report["checks"] if c["id"] == "no-human-direct-pushes")
            assert (spec["stage"], spec["gates_stage"]) == (2, True)
        elif name == "sarif":
            assert json.loads(text)["runs"][0]["properties"]["stage"] == 1
            assert "stage-2" in _sarif_rule(text, "no-human-direct-pushes")["properties"]["tags"]
        else:
            suite = _junit(text)
            assert {p.get("name"): p.get("value") for p in suite.iter("property")}["stage"] == "1"
            case = next(c for c in suite.iter("testcase") if c.get("name") == "no-human-direct-pushes")
            assert case.get("classname") == "gitops-assess.stage-2"
    # without the policy file the same check gates nothing and the team is at stage 2
    seed = json.loads(invoke("scan", "--sample", "stage2-argocd", "-q", "-f", "sarif").stdout)
    assert seed["runs"][0]["properties"]["stage"] == 2
    assert not any(t.startswith("stage-") for t in _sarif_rule(json.dumps(seed), "no-human-direct-pushes")
                   ["properties"]["tags"])


SIX_STAGES = """version: 1
maturity:
  name: ACME GitOps maturity, six stages
  stages:
    "5":
      name: Estate-wide assurance
  gates:
    images-pinned: 5
    no-plaintext-secrets: 5
"""
THREE_STAGES = """version: 1
maturity:
  stages:
    "3": {remove: true}
    "4": {remove: true}
"""


def _scan(tmp_path: Path, name: str, policy: str | None, sample: str = "stage4-fleet") -> Path:
    out = tmp_path / name
    args = ["scan", "--sample", sample, "-q", "-f", "json", "-o", str(out)]
    if policy is not None:
        (tmp_path / f"{name}.yaml").write_text(policy, encoding="utf-8")
        args += ["--config", str(tmp_path / f"{name}.yaml")]
    done = invoke(*args)
    assert done.returncode == 0, done.stderr
    return out / "report.json"


def _render_all(report: Path, out: Path) -> dict[str, str]:
    """Every registered format rendered from the saved report; the human-readable ones' text."""
    formats = output_formats()
    done = invoke("render", str(report), "-q", "-f", ",".join(formats), "-o", str(out))
    assert done.returncode == 0, done.stderr
    return {name: _text(out / fmt.file_name) for name, fmt in formats.items() if name in ("terminal", "md", "html")}


def test_a_sixth_stage_added_by_the_policy_file_is_scored_rendered_diffed_and_merged(tmp_path: Path) -> None:
    seed, six = _scan(tmp_path, "seed", None), _scan(tmp_path, "six", SIX_STAGES)
    report = json.loads(six.read_text())
    assert report["stage"]["reached"] == 5 and report["stage"]["name"] == "Estate-wide assurance"
    assert set(report["stage"]["progress"]) == {"1", "2", "3", "4", "5"}
    assert report["maturity"]["stages"]["5"] == "Estate-wide assurance"
    assert report["maturity"]["name"] == "ACME GitOps maturity, six stages"
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    for name, text in _render_all(six, tmp_path / "rendered").items():
        assert "Estate-wide assurance" in text and "Fleet management" in text, name
    # the HTML's one-line verdict counts the model's stages
    assert "Stage 5 of 5 (Estate-wide assurance) reached" in (tmp_path / "rendered" / "report.html").read_text()
    diff = invoke("diff", str(seed), str(six), "-f", "json")
    assert diff.returncode == 0, diff.stderr
    changes = json.loads(diff.stdout)
    stage = next(c for c in changes["improved"] if c["kind"] == "stage")
    assert (stage["before"], stage["after"], stage["note"]) == (4, 5, "Fleet management → Estate-wide assurance")
    assert any(c["kind"] == "maturity" for c in changes["notes"])
    merged = invoke("merge", str(seed), str(six), "-o", str(tmp_path / "fleet"))
    assert merged.returncode == 0, merged.stderr
    fleet = json.loads((tmp_path / "fleet" / "fleet.json").read_text())
    assert fleet["stage_distribution"] == {"0": 0, "1": 0, "2": 0, "3": 0, "4": 1, "5": 1}
    assert fleet["stages"]["5"] == "Estate-wide assurance"
    assert "| 5 Estate-wide assurance | 1 |" in (tmp_path / "fleet" / "fleet.md").read_text()
    assert "Estate-wide assurance" in (tmp_path / "fleet" / "fleet.html").read_text()


def test_a_three_stage_model_is_scored_rendered_diffed_and_merged(tmp_path: Path) -> None:
    seed, three = _scan(tmp_path, "seed", None), _scan(tmp_path, "three", THREE_STAGES)
    report = json.loads(three.read_text())
    assert report["stage"]["reached"] == 2 and set(report["stage"]["progress"]) == {"1", "2"}
    assert report["maturity"]["stages"] == {"0": "Not versioned", "1": "Versioned IaC", "2": "Application GitOps"}
    assert "fleet-scale" not in report["maturity"]["gates"]
    assert next(c for c in report["checks"] if c["id"] == "fleet-scale")["stage"] is None
    assert report["stage"]["explanation"] == "Stage 2 (Application GitOps) reached on observed evidence."
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    for name, text in _render_all(three, tmp_path / "rendered").items():
        assert "Application GitOps" in text and "Fleet management" not in text, name
    diff = invoke("diff", str(seed), str(three))
    assert diff.returncode == 0 and "stage reached: 4 → 2  (Fleet management → Application GitOps)" in diff.stdout
    merged = invoke("merge", str(three), str(seed), "-o", str(tmp_path / "fleet"))
    assert merged.returncode == 0, merged.stderr
    fleet = json.loads((tmp_path / "fleet" / "fleet.json").read_text())
    assert fleet["stage_distribution"] == {"0": 0, "1": 0, "2": 1, "3": 0, "4": 1}


def test_a_report_without_a_model_renders_with_the_packaged_stages(tmp_path: Path) -> None:
    report = json.loads(_scan(tmp_path, "seed", None, "stage2-argocd").read_text())
    del report["maturity"]
    old = tmp_path / "old.json"
    old.write_text(json.dumps(report), encoding="utf-8")
    done = invoke("render", str(old), "-f", "md")
    assert done.returncode == 0 and "| ⏳ 3 Cluster lifecycle & policy |" in done.stdout


def test_signals_failure_modes_dimensions_and_premature_rules_are_adapted_by_the_policy_file(tmp_path: Path) -> None:
    policy = """version: 1
maturity:
  signals:
    infrastructure-as-code:
      checks: [yaml-well-formed]
    signed-history:
      name: Signed history
      checks: [deployment-commits-signed]
  failure_modes:
    FM5:
      name: Unsigned deployments
      mitigations: [deployment-commits-signed, signed-commits-required]
  dimensions:
    audit-trail:
      checks: [deployment-commits-signed, changes-through-prs]
  premature:
    - check: signed-commits-required
      reason: nobody signs commits yet
"""
    report = json.loads(_scan(tmp_path, "adapted", policy, "stage2-argocd").read_text())
    signals = {s["id"]: s for s in report["signals"]}
    assert signals["infrastructure-as-code"]["checks"] == ["iac-in-git", "yaml-well-formed"]
    assert signals["signed-history"]["status"] == "not-met" and signals["signed-history"]["name"] == "Signed history"
    fm5 = next(fm for fm in report["failure_modes"] if fm["id"] == "FM5")
    assert fm5["name"] == "Unsigned deployments" and fm5["risk"] == "high"
    assert [m["check_id"] for m in fm5["mitigations"]] == ["deployment-commits-signed", "signed-commits-required"]
    audit = next(d for d in report["dimensions"] if d["id"] == "audit-trail")
    assert audit["placement"] == "devops"  # deployment-commits-signed, now decisive, fails on this sample
    assert "nobody signs commits yet" in report["premature"]["reasons"]
    spec = next(c for c in report["checks"] if c["id"] == "deployment-commits-signed")
    assert spec["signals"] == ["signed-history"] and spec["failure_modes"] == ["FM1", "FM5"]
    # the report carries the parts that differ from the packaged model, and so does its digest
    assert {"signals", "failure_modes", "dimensions", "premature"} <= set(report["maturity"])
    assert "progress" not in report["maturity"]
    jsonschema.Draft202012Validator(report_schema()).validate(report)
    md = invoke("render", str(tmp_path / "adapted" / "report.json"), "-f", "md").stdout
    assert "Signed history" in md and "Unsigned deployments" in md


def test_the_packaged_models_report_carries_only_stage_names_and_gates() -> None:
    model = seed_model(tuple(c.spec for c in load_catalog()))
    assert set(model.to_json()) == {"name", "version", "adapted", "digest", "stages", "gates"}
    # the digest of the seed model is the one reports carried before the rest of the model became data
    assert model.digest == "c96f9a4e171dec3d7195959135aa629f1eed5c57e37f1f242d84186e90db46dd"


def test_a_check_the_model_does_not_name_keeps_the_defaults_of_its_spec() -> None:
    specs = tuple(c.spec for c in load_catalog())
    new = CheckSpec("flux-receivers-declared", "Flux receivers are declared", Principle.PULLED, Severity.MEDIUM,
                    "why", "how", stage=3, gates_stage=True, signals=(Signal.KUBERNETES,),
                    failure_modes=(FailureMode.FM3,))
    model = seed_model((*specs, new))
    assert model.gates["flux-receivers-declared"] == 3
    assert "flux-receivers-declared" in next(s for s in model.signals if s.id == "kubernetes").checks
    assert "flux-receivers-declared" in next(f for f in model.failure_modes if f.id == "FM3").mitigations
    # where the model names a check, the model wins: the policy file moves the new check's gate
    moved = adapted(model, {"gates": {"flux-receivers-declared": 0}})
    spec = next(s for s in gated([new], moved))
    assert (spec.stage, spec.gates_stage) == (3, False)


@pytest.mark.parametrize(("override", "line", "where"), [
    ("  signals:\n    kubernetes:\n      checks: [no-such-check]\n", 5, "maturity.signals.kubernetes.checks.0"),
    ("  failure_modes:\n    FM2:\n      mitigations:\n        - actions-pinned-to-sha\n        - no-such-check\n", 7,
     "maturity.failure_modes.FM2.mitigations.1"),
    ("  dimensions:\n    rollback:\n      checks: [no-such-check]\n", 5, "maturity.dimensions.rollback.checks.0"),
    ("  premature:\n    - check: no-such-check\n      reason: r\n", 4, "maturity.premature.0.check"),
    ("  progress:\n    no-such-check: 2\n", 4, "maturity.progress"),
    ("  signals:\n    prs-are-a-real-gate:\n      drop: [no-such-check]\n", 5,
     "maturity.signals.prs-are-a-real-gate.drop.0"),
])
def test_an_unknown_check_anywhere_in_the_model_is_refused_with_its_line(tmp_path: Path, override: str, line: int,
                                                                        where: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nmaturity:\n" + override, encoding="utf-8")
    out = invoke("scan", "--sample", "stage2-argocd", "--config", str(policy))
    assert out.returncode == 2
    assert f"{policy}:{line}: {where}: unknown check 'no-such-check'" in out.stderr, out.stderr
    assert "Traceback" not in out.stderr


@pytest.mark.parametrize(("override", "line", "message"), [
    ('  stages:\n    "6": {name: Beyond}\n', 4, "stages must stay numbered 0 to N without gaps"),
    ('  stages:\n    "5": {name: Beyond}\n', 4, "stage 5 (Beyond) has no gating check"),
    ('  stages:\n    "3": {remove: true}\n', 4, "stages must stay numbered 0 to N without gaps"),
    ("  gates:\n    images-pinned: 7\n", 4, "stage 7 does not exist (the model has stages 0-4)"),
    ("  signals:\n    new-signal:\n      checks: [images-pinned]\n", 4, "signal new-signal is new: give it a name"),
    ("  gates:\n    iac-in-git: 0\n", 3, "stage 1 (Versioned IaC) has no gating check"),
    ("  signals:\n    kubernetes:\n      drop: [kubernetes-declared]\n", 4, "signal kubernetes would have no checks"),
    ("  premature:\n    - drop: team-sizes\n", 4, "no premature rule 'team-sizes' to drop"),
    ("  failure_modes:\n    FM9: {remove: true}\n", 4, "failure mode FM9 does not exist"),
])
def test_a_model_the_policy_file_leaves_inconsistent_is_refused_with_its_line(tmp_path: Path, override: str,
                                                                             line: int, message: str) -> None:
    policy = tmp_path / "policy.yaml"
    policy.write_text("version: 1\nmaturity:\n" + override, encoding="utf-8")
    out = invoke("scan", "--sample", "stage2-argocd", "--config", str(policy))
    assert out.returncode == 2
    assert f"{policy}:{line}: maturity" in out.stderr and message in out.stderr, out.stderr


def test_fail_under_stage_accepts_the_stages_of_the_model_judged_by(tmp_path: Path) -> None:
    policy = tmp_path / "six.yaml"
    policy.write_text(SIX_STAGES, encoding="utf-8")
    assert invoke("scan", "--sample", "stage4-fleet", "--config", str(policy), "--fail-under-stage", "5", "-q",
                  "-f", "json").returncode == 0
    refused = invoke("scan", "--sample", "stage4-fleet", "--fail-under-stage", "5", "-q", "-f", "json")
    assert refused.returncode == 2 and "the maturity model has stages 0-4" in refused.stderr


def test_checks_and_explain_place_checks_as_the_policy_file_does(tmp_path: Path) -> None:
    """`checks --config` and `explain --config` show the model a scan with that policy would be judged by."""
    from tests.cli_runner import invoke

    policy = tmp_path / "policy.yaml"
    policy.write_text('maturity:\n  stages:\n    "2": {name: Pull-based delivery}\n  gates:\n'
                      "    codeowners-valid: 2\n", encoding="utf-8")
    listed = json.loads(invoke("checks", "--format", "json", "--config", str(policy)).stdout)
    moved = next(c for c in listed if c["id"] == "codeowners-valid")
    assert (moved["stage"], moved["gates_stage"]) == (2, True)
    default = json.loads(invoke("checks", "--format", "json").stdout)
    assert next(c for c in default if c["id"] == "codeowners-valid")["gates_stage"] is False
    explained = invoke("explain", "codeowners-valid", "--config", str(policy))
    assert "Stage:       2 (Pull-based delivery) (gates the stage)" in explained.stdout
    bad = tmp_path / "bad.yaml"
    bad.write_text("maturity:\n  gates:\n    no-such-check: 2\n", encoding="utf-8")
    refused = invoke("checks", "--config", str(bad))
    assert refused.returncode == 2 and f"{bad}:3: maturity.gates: unknown check 'no-such-check'" in refused.stderr


def test_the_policy_file_removes_signals_failure_modes_premature_rules_and_checks_from_them(tmp_path: Path) -> None:
    policy = """version: 1
maturity:
  signals:
    tooling-owner: {remove: true}
    prs-are-a-real-gate:
      drop: [codeowners-valid, codeowners-cover-deploy-paths]
  failure_modes:
    FM4: {remove: true}
    FM2:
      drop: [actions-pinned-to-sha]
  premature:
    - drop: team-size
"""
    seed = json.loads(_scan(tmp_path, "seed", None, "stage2-argocd").read_text())
    report = json.loads(_scan(tmp_path, "trimmed", policy, "stage2-argocd").read_text())
    signals = {s["id"]: s for s in report["signals"]}
    assert "tooling-owner" not in signals and "tooling-owner" in {s["id"] for s in seed["signals"]}
    assert "codeowners-valid" not in signals["prs-are-a-real-gate"]["checks"]
    assert {f["id"] for f in report["failure_modes"]} == {"FM1", "FM2", "FM3"}
    fm2 = next(f for f in report["failure_modes"] if f["id"] == "FM2")
    assert "actions-pinned-to-sha" not in [m["check_id"] for m in fm2["mitigations"]]
    assert report["maturity"]["digest"] != seed["maturity"]["digest"]
    # stage 0's two people make GitOps premature by the team-size rule, which the policy dropped
    small = json.loads(_scan(tmp_path, "small-seed", None, "stage0-scripts").read_text())["premature"]
    assert "only 2 people authored changes in the period (fewer than 5)" in small["reasons"]
    small = json.loads(_scan(tmp_path, "small", policy, "stage0-scripts").read_text())["premature"]
    assert small["verdict"] is True and not any("people authored" in r for r in small["reasons"])
    jsonschema.Draft202012Validator(report_schema()).validate(report)


def test_the_readme_example_of_the_maturity_key_is_a_valid_policy(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text(encoding="utf-8")
    example = re.search(r"```yaml\n(maturity:\n.*?)```", readme, re.S)
    assert example is not None
    report = json.loads(_scan(tmp_path, "readme", "version: 1\n" + example.group(1), "stage2-argocd").read_text())
    assert report["maturity"]["stages"]["5"] == "Estate-wide assurance"
    assert "tooling-owner" not in {s["id"] for s in report["signals"]}
