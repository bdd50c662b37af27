"""`audit-trail` for auditors: approvals confirmed with GitHub in CSV and JSON, and reproducible samples."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

from tests.cli_runner import invoke
from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub

NEW_COLUMNS = ("approvers", "self_approved", "review_hours", "ci_result", "tickets")


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return invoke(*args, env={"GITHUB_TOKEN": ADMIN_TOKEN}, unset=("GITHUB_TOKEN", "GH_TOKEN"))


def test_csv_carries_the_approval_evidence_read_from_github(fake_github: FakeGitHub,
                                                             sample_repos: dict[str, Path]) -> None:
    out = run("audit-trail", str(sample_repos["stage2-argocd"]), "--github", "acme/stage2-argocd", "--github-url",
              fake_github.base_url, "--no-cache", "-f", "csv")
    assert out.returncode == 0, out.stderr
    rows = list(csv.DictReader(io.StringIO(out.stdout)))
    assert rows and all(col in rows[0] for col in NEW_COLUMNS) and "ticket_refs" in rows[0]
    prs = [r for r in rows if r["confirmed_by"].startswith("github:pr#")]
    assert prs, "the fake GitHub knows the sample's pull requests"
    approved = [r for r in prs if r["approvers"]]
    # The fixture approves 3 hours after opening, by someone other than the author; CI runs on every commit.
    assert approved and all(r["self_approved"] == "false" and r["review_hours"] == "3.0" for r in approved)
    assert {r["ci_result"] for r in rows} <= {"success", "failure"} and all(r["ci_result"] for r in rows)
    assert ADMIN_TOKEN not in out.stdout + out.stderr
    offline = run("audit-trail", str(sample_repos["stage2-argocd"]), "--no-github", "-f", "json")
    assert offline.returncode == 0, offline.stderr
    assert not any(r["approvers"] or r["ci_result"] for r in json.loads(offline.stdout))


def test_an_unreadable_github_is_said_not_silently_left_blank(fake_github: FakeGitHub,
                                                              sample_repos: dict[str, Path]) -> None:
    out = run("audit-trail", str(sample_repos["stage2-argocd"]), "--github", "acme/nope", "--github-url",
              fake_github.base_url, "--no-cache")
    assert out.returncode == 0, out.stderr
    assert "approvals not confirmed: GitHub not read" in out.stderr


def test_a_seeded_sample_is_reproducible_and_names_its_population() -> None:
    def draw(seed: str) -> tuple[list[str], str]:
        out = invoke("audit-trail", "--sample", "stage4-fleet", "--sample-size", "3", "--seed", seed)
        assert out.returncode == 0, out.stderr
        return [r["sha"] for r in csv.DictReader(io.StringIO(out.stdout))], out.stderr

    first, err = draw("7")
    again, _ = draw("7")
    other, _ = draw("8")
    assert len(first) == 3 and first == again and set(other) != set(first)
    assert "population of 51 changes" in err and "seed 7" in err
    whole = invoke("audit-trail", "--sample", "stage4-fleet", "-f", "json")
    population = {r["sha"] for r in json.loads(whole.stdout)}
    assert len(population) == 51 and set(first) <= population
    sampled = json.loads(invoke("audit-trail", "--sample", "stage4-fleet", "-f", "json", "--sample-size", "3",
                                "--seed", "7").stdout)
    assert (sampled["seed"], sampled["population"]) == (7, 51)
    assert [r["sha"] for r in sampled["records"]] == first


def test_a_seed_without_a_sample_size_is_a_usage_error() -> None:
    out = invoke("audit-trail", "--sample", "stage4-fleet", "--seed", "7")
    assert out.returncode == 2 and "--sample-size" in out.stderr
