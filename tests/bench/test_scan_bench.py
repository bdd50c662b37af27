"""Whole-scan benchmark against the raw tools, in one run: `scan` (history + 12-month timeline + tree + checks +
JSON, no APIs) beside raw `git log` plus a libyaml parse of HEAD's YAML, checkov's static scan of the same tree,
the timeline's cost, and peak memory. Run with `python -m pytest tests/bench/test_scan_bench.py -m bench -s`.

Repositories: a synthetic 30,000-commit / 2,500-YAML / 17 MB repository (generated with git fast-import, so it runs
anywhere), the 30,000-commit estate of conftest.py, and the development corpus where fetched (MIRRORS=DIR holding
OWNER+NAME/repo snapshots). checkov runs from a throwaway virtual environment: CHECKOV=/path/to/checkov, or
/tmp/checkov-venv/bin/checkov when present; without it that ratio is reported as not measured."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from tests.conftest import GIT_ENV

pytestmark = pytest.mark.bench
CORPUS = ("xunholy/k8s-gitops", "open-policy-agent/gatekeeper-library", "khuedoan/homelab")
UNTIL = "2026-12-01"


@dataclass(frozen=True)
class Run:
    """Wall time and peak resident memory of one child process."""

    seconds: float
    peak_mb: float


def measure(cmd: list[str], cwd: Path | None = None) -> Run:
    """Run a command to completion, output discarded; its own wall time and peak RSS (wait4 rusage)."""
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=cwd)
    _, status, usage = os.wait4(proc.pid, 0)
    elapsed = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    assert proc.returncode in (0, 1), f"{cmd[:4]} exited {proc.returncode}"
    return Run(elapsed, usage.ru_maxrss / 1024)


def raw_work(repo: Path) -> float:
    """The raw work a scan cannot avoid: `git log --first-parent --no-renames --name-status` and a libyaml parse of
    every YAML file of HEAD."""
    start = time.perf_counter()
    subprocess.run(["git", f"--git-dir={git_dir(repo)}", "log", "--first-parent", "--no-renames", "--name-status",
                    "HEAD"], stdout=subprocess.DEVNULL, check=True, env=GIT_ENV)
    listing = subprocess.run(["git", f"--git-dir={git_dir(repo)}", "ls-tree", "-r", "HEAD"], capture_output=True,
                             text=True, check=True, env=GIT_ENV).stdout.splitlines()
    blobs = [line.split()[2] for line in listing if line.endswith((".yaml", ".yml"))]
    out = subprocess.run(["git", f"--git-dir={git_dir(repo)}", "cat-file", "--batch"],
                         input=("\n".join(blobs) + "\n").encode(),
                         capture_output=True, text=False, check=True, env=GIT_ENV).stdout
    pos = 0
    for _ in blobs:
        header_end = out.index(b"\n", pos)
        size = int(out[pos:header_end].split()[2])
        body = out[header_end + 1:header_end + 1 + size]
        pos = header_end + 2 + size
        try:
            for _doc in yaml.load_all(body, Loader=yaml.CSafeLoader):
                pass
        except yaml.YAMLError:
            pass
    return time.perf_counter() - start


def git_dir(repo: Path) -> Path:
    """The git directory of a bare or non-bare repository."""
    return repo / ".git" if (repo / ".git").is_dir() else repo


def checkov_binary() -> str | None:
    """checkov from a throwaway environment (never a dependency of this project)."""
    candidate = os.environ.get("CHECKOV") or "/tmp/checkov-venv/bin/checkov"
    return candidate if Path(candidate).is_file() else shutil.which("checkov")


def checkov(repo: Path) -> Run | None:
    """checkov's static scan of the HEAD tree (kubernetes and GitHub Actions frameworks)."""
    binary = checkov_binary()
    if binary is None:
        return None
    with tempfile.TemporaryDirectory(prefix="bench-tree-") as tmp:
        archive = subprocess.run(["git", f"--git-dir={git_dir(repo)}", "archive", "HEAD"], capture_output=True,
                                 check=True, env=GIT_ENV).stdout
        subprocess.run(["tar", "-x", "-C", tmp], input=archive, check=True)
        return measure([binary, "-d", tmp, "--framework", "kubernetes,github_actions", "--skip-download", "--quiet",
                        "-o", "json"])


def scan(repo: Path, *extra: str) -> Run:
    """A full scan to JSON, no APIs, judged as of a fixed date."""
    with tempfile.TemporaryDirectory(prefix="bench-out-") as out:
        return measure([sys.executable, "-m", "assess", "scan", str(repo), "--no-github", "--until", UNTIL,
                        "-q", "-f", "json", "-o", out, *extra], cwd=Path(__file__).resolve().parents[2])


def report(name: str, repo: Path) -> dict[str, float | None]:
    """Every ratio of the issue for one repository, printed as one block."""
    raw = min(raw_work(repo) for _ in range(2))
    full = min((scan(repo) for _ in range(2)), key=lambda r: r.seconds)
    bare = min((scan(repo, "--timeline-months", "0") for _ in range(2)), key=lambda r: r.seconds)
    chk = checkov(repo)
    figures: dict[str, float | None] = {
        "scan_s": full.seconds, "scan_peak_mb": full.peak_mb, "raw_s": raw,
        "scan_vs_raw_budget": full.seconds / (1.5 * raw + 1.0),
        "timeline_ratio": full.seconds / bare.seconds,
        "checkov_s": chk.seconds if chk else None,
        "scan_vs_checkov": full.seconds / chk.seconds if chk else None,
    }
    print(f"\n== {name}\n"
          f"  scan (history + 12-month timeline + tree + checks + JSON): {full.seconds:.2f} s, "
          f"peak {full.peak_mb:.0f} MB\n"
          f"  scan --timeline-months 0: {bare.seconds:.2f} s, peak {bare.peak_mb:.0f} MB\n"
          f"  raw git log --first-parent --name-status + libyaml parse of HEAD: {raw:.2f} s\n"
          f"  scan / (1.5 x raw + 1 s) = {figures['scan_vs_raw_budget']:.2f} (target <= 1)\n"
          f"  timeline ratio (12 months / none) = {figures['timeline_ratio']:.2f} (target <= 1.5)\n"
          + (f"  checkov: {chk.seconds:.2f} s, peak {chk.peak_mb:.0f} MB; scan / checkov = "
             f"{figures['scan_vs_checkov']:.2f}\n" if chk else "  checkov: not measured (no checkov binary)\n"))
    return figures


def test_scan_against_raw_tools_on_a_large_yaml_tree(large_yaml_repo: Path) -> None:
    figures = report("synthetic: 30,000 commits, ~2,500 YAML files, ~17 MB", large_yaml_repo)
    assert figures["scan_peak_mb"] is not None and figures["scan_peak_mb"] <= 300 * 1.2  # point 5, some slack


def test_scan_against_raw_tools_on_the_30k_commit_estate(big_repo: Path) -> None:
    figures = report("synthetic: 30,000 commits, 420 files (conftest big_repo)", big_repo)
    assert figures["scan_peak_mb"] is not None and figures["scan_peak_mb"] <= 250 * 1.2


@pytest.mark.parametrize("slug", CORPUS)
def test_scan_against_raw_tools_on_the_corpus(slug: str) -> None:
    mirrors = os.environ.get("MIRRORS")
    repo = Path(mirrors or "/nonexistent", slug.replace("/", "+"), "repo")
    if not repo.is_dir():
        pytest.skip(f"{slug} not fetched (set MIRRORS to the folder holding OWNER+NAME/repo)")
    report(slug, repo)


def test_rusage_is_available() -> None:
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss >= 0
