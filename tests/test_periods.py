"""Verdicts over an assessment period: UTC instants, old offences kept apart, dormancy, tolerance, unknown
environments, and a timeline whose last point is the headline."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from click.testing import CliRunner

from assess.cli import cli
from tests.conftest import finding_of as finding
from tests.conftest import scan_json as scan
from tests.history_builder import HistoryBuilder, at

KS = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: cluster-apps\n"
      "  namespace: flux-system\nspec:\n  interval: 30m\n  prune: true\n  path: ./kubernetes/apps\n"
      "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
ESTATE = {"kubernetes/flux/cluster/ks.yaml": KS,
          "kubernetes/apps/web/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"}


def change(n: int) -> dict[str, str | bytes]:
    """A production change: a new ConfigMap under the applied folder."""
    return {f"kubernetes/apps/web/cm{n}.yaml": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm{n}\n"}




def test_commits_in_every_offset_are_read_as_utc_instants(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.commit(ESTATE, "bootstrap", at("2026-03-01T09:00", "+05:30"))
    india = b.squash_pr(change(1), "one", at("2026-03-02T09:00", "+05:30"))
    pacific = b.squash_pr(change(2), "two", at("2026-03-02T01:00", "-08:00"))
    # Author in California, committer in India: the commit instant is the committer's.
    mixed = b.commit(change(3), "three (#7)", at("2026-03-03T08:00", "-08:00"), ("Alice", "alice@x.test"),
                     ("GitHub", "noreply@github.com"), committed=at("2026-03-03T23:00", "+05:30"))
    b.squash_pr(change(4), "four", at("2026-03-04T10:00", "+00:00"))
    report = scan(b.root, "--until", "2026-03-31")
    trail = {r["sha"]: r for r in report["audit_trail"]}
    assert trail[india]["deployed_at"] == "2026-03-02T03:30:00+00:00"
    assert trail[pacific]["deployed_at"] == "2026-03-02T09:00:00+00:00"
    assert trail[mixed]["deployed_at"] == "2026-03-03T17:30:00+00:00"
    assert trail[mixed]["authored_at"] == "2026-03-03T16:00:00+00:00"
    production = report["metrics"]["environments"]["production"]
    # The bootstrap (the root commit) is reported apart and left out of every count of the period.
    assert report["window"]["bootstrap"]["commits"] == 1
    assert production["deployments"] == 4 and production["deployment_days"] == 3
    assert [m["month"] for m in production["monthly"]] == ["2026-03"]


def long_history(root: Path) -> tuple[HistoryBuilder, list[str]]:
    """Bootstrapped by three direct pushes on its first day in 2020, one direct push in 2021, pull requests every
    fortnight since; a burst of direct pushes in January 2026."""
    b = HistoryBuilder(root)
    b.push(ESTATE, "initial import", at("2020-11-05T10:00"))
    b.push(change(0), "add web", at("2020-11-05T14:00"))
    b.push(change(1), "tweak", at("2020-11-05T18:00"))
    b.squash_pr(change(2), "first PR", at("2020-12-01T10:00"))
    old = b.push(change(3), "hotfix on a Sunday", at("2021-03-07T10:00"))
    n, when = 4, datetime(2021, 4, 1, 10, tzinfo=UTC)
    pushes: list[str] = [old]
    while when < datetime(2026, 6, 20, tzinfo=UTC):
        if datetime(2026, 1, 5, tzinfo=UTC) <= when < datetime(2026, 1, 25, tzinfo=UTC):
            pushes.append(b.push(change(n), f"direct {n}", when))
        else:
            b.squash_pr(change(n), f"change {n}", when, (f"Dev{n % 6}", f"dev{n % 6}@x.test"))
        n += 1
        when += timedelta(days=4 if when.year == 2026 else 14)
    return b, pushes


def test_default_periods_keep_old_offences_apart(tmp_path: Path) -> None:
    b, pushes = long_history(tmp_path / "r")
    report = scan(b.root, "--until", "2026-06-30")
    window = report["window"]
    assert window["period"]["label"] == "last 90 days" and window["period"]["start"].startswith("2026-04-01")
    assert window["audit_period"]["label"] == "last 12 months"
    assert window["bootstrap"]["commits"] == 3 and window["bootstrap"]["first"].startswith("2020-11-05")
    historical = window["historical"]
    assert historical["count"] == len(pushes) and historical["first"].startswith("2021-03-07")
    assert historical["summary"].startswith(f"historical: {len(pushes)} direct pushes to production, 2021-03-07…")
    gate = finding(report, "changes-through-prs")
    assert gate["outcome"] == "pass", gate["message"]
    assert "last 90 days" in gate["message"] and "historical" in gate["message"]
    assert "changes-through-prs" not in report["stage"]["blockers"]
    # DORA over the period only: about one change every four days, not a six-year average.
    assert report["metrics"]["environments"]["production"]["deploys_per_week"] > 1.0
    assert all(r["deployed_at"] >= "2025-06-30" for r in report["audit_trail"])


def test_since_all_judges_the_whole_history(tmp_path: Path) -> None:
    b, pushes = long_history(tmp_path / "r")
    report = scan(b.root, "--until", "2026-06-30", "--since", "all")
    assert report["window"]["period"]["label"] == "all history" and report["window"]["period"]["start"] is None
    gate = finding(report, "changes-through-prs")
    assert gate["outcome"] in ("warn", "fail") and "all history" in gate["message"]
    listed = {r["sha"] for r in gate["refs"]}
    assert set(pushes) <= listed and not listed & set(report["window"]["bootstrap"]["shas"])


def test_tolerance_lists_each_exception_and_fails_below_the_threshold(tmp_path: Path) -> None:
    b, pushes = long_history(tmp_path / "r")
    # Period Dec 2025 to Mar 2026 holds the January burst: 5 direct pushes among about 30 human changes.
    failing = finding(scan(b.root, "--until", "2026-03-31"), "changes-through-prs")
    assert failing["outcome"] == "fail" and "below the 95% threshold" in failing["message"]
    # A wider period dilutes them under 5%: met with exceptions, each named with its date and author.
    report = scan(b.root, "--until", "2026-06-30", "--since", "2021-06-01")
    warned = finding(report, "changes-through-prs")
    assert warned["outcome"] == "warn" and warned["message"].startswith("Met with exceptions")
    assert "2026-01-05" in warned["message"] and "bob@x.test" in warned["message"]
    assert {r["sha"] for r in warned["refs"]} == set(pushes[1:])
    assert "changes-through-prs" not in report["stage"]["blockers"]


def test_a_dormant_repository_says_so(tmp_path: Path) -> None:
    b, _ = long_history(tmp_path / "r")
    report = scan(b.root, "--until", "2027-11-30")
    activity = report["window"]["activity"]
    assert activity["dormant"] and activity["summary"].startswith("no activity since 2026-06-")
    assert report["metrics"]["dormant"] is True
    production = report["metrics"]["environments"]["production"]
    assert production["tiers"] is None and production["activity"] == "no deployment in the period"
    # Gates are judged over the last active period of the same length, and say so: waiting out 90 days must not
    # turn a record of direct pushes into a passed gate.
    gate = finding(report, "changes-through-prs")
    assert gate["outcome"] == "pass" and "last active 90 days (2026-03-20 → 2026-06-18)" in gate["message"]
    assert report["window"]["gate_period"]["end"].startswith("2026-06-18")
    dormant = [p for p in report["timeline"] if p["dormant"]]
    assert len(dormant) >= 10 and all(p["note"].startswith("no activity since 2026-06-") for p in dormant)
    text = CliRunner().invoke(cli, ["scan", str(b.root), "--no-github", "--until", "2027-11-30", "-q"]).output
    assert "no activity since 2026-06-" in text
    assert text.count("no activity since") <= 3  # folded into one run, not twelve identical points


def test_timeline_judges_each_month_by_the_same_gates(tmp_path: Path) -> None:
    b, _ = long_history(tmp_path / "r")
    report = scan(b.root, "--until", "2026-06-30")
    points = {p["month"]: p for p in report["timeline"]}
    assert len(report["timeline"]) == 12
    # The January burst of direct pushes sits in the periods ending in January to March: stage 1 then.
    assert points["2026-02"]["stage"] == 1 and "changes-through-prs" in points["2026-02"]["blockers"]
    assert points["2025-09"]["stage"] == points["2026-06"]["stage"] == report["stage"]["reached"] == 2
    last = report["timeline"][-1]
    assert (last["stage"], last["provisional"], last["blockers"]) == (
        report["stage"]["reached"], report["stage"]["provisional"], report["stage"]["blockers"])


def test_no_environment_identified_is_unknown_and_the_stage_provisional(tmp_path: Path) -> None:
    app = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: web\nspec:\n  project: default\n"
           "  source:\n    repoURL: https://github.com/acme/elsewhere\n    path: deploy/web\n  destination:\n"
           "    server: https://kubernetes.default.svc\n  syncPolicy:\n    automated:\n      prune: true\n"
           "      selfHeal: true\n")
    b = HistoryBuilder(tmp_path / "r")
    b.push({"argocd/web.yaml": app}, "init", at("2026-03-01T10:00"))
    b.push({"argocd/README.md": "x"}, "docs", at("2026-03-02T10:00"))
    report = scan(b.root, "--until", "2026-03-31")
    gate = finding(report, "changes-through-prs")
    assert gate["outcome"] == "unknown" and gate["message"].startswith("No environment identified")
    assert report["stage"]["reached"] == 2 and report["stage"]["provisional"]
    assert "changes-through-prs" in report["stage"]["unverified"]
    assert report["deployment"]["external"][0]["source"] == "https://github.com/acme/elsewhere"
    text = CliRunner().invoke(cli, ["scan", str(b.root), "--no-github", "--until", "2026-03-31", "-q"]).output
    assert "environments: no environment identified" in text and "provisional" in text


def test_old_reports_still_render(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push(ESTATE, "init", at("2026-03-01T10:00"))
    report = scan(b.root, "--until", "2026-03-31")
    old = {k: v for k, v in report.items() if k != "deployment"}
    old["schema_version"] = "1.0"
    old["target"] = {k: v for k, v in report["target"].items() if not k.startswith("kind")}
    old["window"] = {"start": "2026-01-01T00:00:00+00:00", "end": "2026-03-31T00:00:00+00:00", "branch": "main"}
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old), encoding="utf-8")
    for fmt in ("terminal", "md", "sarif", "junit"):
        result = CliRunner().invoke(cli, ["render", str(path), "-f", fmt])
        assert result.exit_code == 0, (fmt, result.output)
    # A version 2 report without its period is not valid.
    broken = {**report, "window": {}}
    path.write_text(json.dumps(broken), encoding="utf-8")
    result = CliRunner().invoke(cli, ["render", str(path), "-f", "md"])
    assert result.exit_code == 2 and "period" in result.output


def test_waiting_does_not_pass_the_pull_request_gate(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push(ESTATE, "initial import", at("2025-01-02T10:00"))
    for n in range(1, 6):
        b.push(change(n), f"hand edit {n}", at(f"2025-02-0{n}T10:00"))
    report = scan(b.root, "--until", "2026-06-30")
    assert report["window"]["activity"]["dormant"]
    gate = finding(report, "changes-through-prs")
    assert gate["outcome"] == "fail" and "last active 90 days" in gate["message"]
    assert report["stage"]["reached"] < 2
