"""`scan` with GitHub evidence from the local server: JSON and terminal sections, caching, org scans, secrets."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.cli_runner import invoke
from tests.conftest import assert_valid_report, git
from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, token: str | None = ADMIN_TOKEN) -> subprocess.CompletedProcess[str]:
    return invoke(*args, env={"COLUMNS": "160", **({"GITHUB_TOKEN": token} if token else {})},
                  unset=("GITHUB_TOKEN", "GH_TOKEN"))


def test_scan_shows_github_sections_in_json_and_terminal(fake_github: FakeGitHub, sample_repos: dict[str, Path],
                                                         tmp_path: Path) -> None:
    repo = sample_repos["stage2-argocd"]
    common = ["--github", "acme/stage2-argocd", "--github-url", fake_github.base_url, "--cache-dir",
              str(tmp_path / "cache")]
    out = run("scan", str(repo), *common, "-q", "-f", "terminal,json", "-o", str(tmp_path / "out"),
              "--save-evidence", str(tmp_path / "evidence.json"))
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(tmp_path / "out" / "report.json")
    assert report["sources"]["github"]["available"] is True
    assert report["github"]["policy"]["required_approvals"] == 1
    outcomes = {f["check_id"]: (f["outcome"], f["confidence"]) for f in report["findings"]}
    assert outcomes["default-branch-protected"] == ("pass", "observed")
    assert outcomes["signed-commits-required"] == ("fail", "observed")
    assert "GitHub acme/stage2-argocd (main)" in out.stdout and "protected by classic" in out.stdout
    confirmed = [r for r in report["audit_trail"] if r["confirmed_by"]]
    assert confirmed and all(r["approvers"] for r in confirmed if r["confirmed_by"].startswith("github:pr#"))
    first_count = len(fake_github.requests)
    assert {r.method for r in fake_github.requests} == {"GET"}
    everything = out.stdout + out.stderr + "".join(p.read_text() for p in (tmp_path / "out").iterdir())
    everything += (tmp_path / "evidence.json").read_text()
    assert ADMIN_TOKEN not in everything
    fake_github.requests.clear()
    again = run("scan", str(repo), *common, "-q", "-f", "json")
    report2 = assert_valid_report(again.stdout)
    assert len(fake_github.requests) == first_count
    assert report2["github"]["conditional_hits"] == sum(r.status == 304 for r in fake_github.requests) > 0


def test_without_token_public_data_is_used_and_said(fake_github: FakeGitHub, sample_repos: dict[str, Path]) -> None:
    out = run("scan", str(sample_repos["stage2-argocd"]), "--github", "acme/stage2-argocd", "--github-url",
              fake_github.base_url, "--no-cache", "-q", "-f", "json", token=None)
    report = assert_valid_report(out.stdout)
    assert "no token: public data only" in report["sources"]["github"]["detail"]
    outcomes = {f["check_id"]: f for f in report["findings"]}
    assert outcomes["default-branch-protected"]["outcome"] == "unknown"
    assert "GITHUB_TOKEN" in outcomes["default-branch-protected"]["message"]
    assert outcomes["ci-success-rate"]["outcome"] == "pass"


def test_missing_repository_leaves_the_scan_standing(fake_github: FakeGitHub, sample_repos: dict[str, Path]) -> None:
    out = run("scan", str(sample_repos["stage2-argocd"]), "--github", "acme/nope", "--github-url",
              fake_github.base_url, "--no-cache", "-q", "-f", "json")
    assert out.returncode == 0, out.stderr
    report = assert_valid_report(out.stdout)
    assert report["sources"]["github"]["available"] is False
    assert "not-found" in report["sources"]["github"]["reason"]
    assert {f["outcome"] for f in report["findings"] if f["check_id"] == "review-required"} == {"unknown"}


def test_target_is_detected_from_the_origin_remote(fake_github: FakeGitHub, sample_repos: dict[str, Path],
                                                   tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(sample_repos["stage3-platform"]), str(clone)], check=True)
    host = fake_github.base_url.split("//")[1].split(":")[0]
    git(clone, "remote", "set-url", "origin", f"git@{host}:acme/stage3-platform.git")
    out = run("scan", str(clone), "--github-url", fake_github.base_url, "--no-cache", "-q", "-f", "json")
    report = assert_valid_report(out.stdout)
    assert report["github"]["repo"] == "acme/stage3-platform"
    no_token = assert_valid_report(run("scan", str(clone), "--github-url", fake_github.base_url, "-q", "-f", "json",
                                       token=None).stdout)
    assert "no token is set" in no_token["sources"]["github"]["reason"]


def test_org_scan_writes_a_report_per_repository_and_a_fleet_summary(fake_github: FakeGitHub,
                                                                     tmp_path: Path) -> None:
    out = run("scan", "--github-org", "acme", "--github-url", fake_github.base_url, "--no-cache", "-o",
              str(tmp_path), "--concurrency", "3")
    assert out.returncode == 0, out.stderr
    summary = json.loads((tmp_path / "fleet.json").read_text())
    names = [row["repo"] for row in summary["rows"]]
    assert names == sorted(f"acme/{s}" for s in ("stage0-scripts", "stage1-pushed", "stage2-argocd",
                                                 "stage3-platform", "stage4-fleet"))
    stages = {row["repo"]: row["stage"] for row in summary["rows"]}
    assert stages["acme/stage0-scripts"] == 0 and stages["acme/stage4-fleet"] == 4
    assert stages["acme/stage2-argocd"] == 2 and stages["acme/stage3-platform"] == 3
    for name in names:
        report = assert_valid_report(tmp_path / name.replace("/", "__") / "report.json")
        assert report["sources"]["history"]["available"] is False
    assert "acme/stage4-fleet" in out.stdout
    assert {r.method for r in fake_github.requests} == {"GET"}
    per_repo = len([r for r in fake_github.requests if "/repos/acme/stage2-argocd" in r.path])
    assert per_repo >= 5


def test_org_filters(fake_github: FakeGitHub, tmp_path: Path) -> None:
    out = run("scan", "--github-org", "acme", "--github-url", fake_github.base_url, "--no-cache", "-o",
              str(tmp_path), "--include-archived", "--include-forks", "--name-pattern", "*deploy*", "-f", "json")
    summary = json.loads((tmp_path / "fleet.json").read_text())
    assert [row["repo"] for row in summary["rows"]] == ["acme/old-deploy"]
    assert out.returncode == 3  # the archived fixture has no data to assess: said, and the exit code shows it
    none = run("scan", "--github-org", "acme", "--github-url", fake_github.base_url, "--no-cache", "-o",
               str(tmp_path / "t"), "--topic", "no-such-topic", "-f", "json")
    assert json.loads((tmp_path / "t" / "fleet.json").read_text())["repositories"] == 0
    assert none.returncode == 0


def test_org_scan_needs_an_output_directory(fake_github: FakeGitHub) -> None:
    out = run("scan", "--github-org", "acme", "--github-url", fake_github.base_url)
    assert out.returncode == 2 and "--output" in out.stderr


def test_shards_cover_the_organisation_exactly_once_and_merge_back(fake_github: FakeGitHub, tmp_path: Path) -> None:
    seen: list[str] = []
    for i in (1, 2, 3):
        out_dir = tmp_path / f"shard{i}"
        out = run("scan", "--github-org", "acme", "--github-url", fake_github.base_url, "--no-cache", "-o",
                  str(out_dir), "--include-archived", "--include-forks", "--shard", f"{i}/3", "-f", "json")
        assert out.returncode in (0, 3), out.stderr  # 3: the archived/fork fixtures carry no tree to read
        fleet = json.loads((out_dir / "fleet.json").read_text())
        assert f"(shard {i}/3)" in fleet["name"]
        seen += [row["repo"] for row in fleet["rows"]]
    everyone = sorted(f"acme/{s}" for s in ("stage0-scripts", "stage1-pushed", "stage2-argocd", "stage3-platform",
                                            "stage4-fleet", "old-deploy", "forked-charts"))
    assert sorted(seen) == everyone  # every repository once, none twice
    merged = run("merge", *(str(tmp_path / f"shard{i}") for i in (1, 2, 3)), "-o", str(tmp_path / "all"),
                 "--name", "acme")
    assert merged.returncode == 0, merged.stderr
    assert sorted(r["repo"] for r in json.loads((tmp_path / "all" / "fleet.json").read_text())["rows"]) == everyone
    bad = run("scan", "--github-org", "acme", "--github-url", fake_github.base_url, "--shard", "4/3")
    assert bad.returncode == 2 and "--shard" in bad.stderr and "Traceback" not in bad.stderr
