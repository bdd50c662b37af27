"""The speed work of the scan changes no verdict: full reports (minus timestamps, paths and the evidence digest's
definition) equal those recorded with the unoptimised pipeline, on the samples and on a synthetic repository.

The goldens in tests/golden/parity/ were written by `python -m tests.test_optimisation_parity DIR` run with the
optimisations reverted (the timeline recomputing every view, every YAML document built, the bundle hashed as JSON)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.bench.conftest import build_repo
from tests.cli_runner import invoke

GOLDEN = Path(__file__).parent / "golden" / "parity"
SAMPLES = ("stage2-argocd", "stage3-platform", "stage4-fleet")
UNTIL = "2024-03-01"
VOLATILE = ("generated_at", "evidence_sha256", "tool_version")


def synthetic(where: Path) -> Path:
    """1,500 commits of merges, squashes, bot updates and direct pushes over 160 manifests."""
    return build_repo(where / "synthetic.git", 1_500, 40, 5)


def normalised(report: dict[str, Any]) -> dict[str, Any]:
    """A report without what differs between runs: timestamps, temporary paths, the digest."""
    out = {k: v for k, v in report.items() if k not in VOLATILE}
    out["target"] = {k: v for k, v in report["target"].items() if k not in ("name", "path")}
    text = json.dumps(out, sort_keys=True)
    for path in {report["target"].get("path"), report["target"].get("name")} - {None, ""}:
        text = text.replace(str(path), "<repo>")
    data: dict[str, Any] = json.loads(text)
    for source in data.get("sources", {}).values():
        source.pop("obtained_at", None)
    return data


def scan(args: list[str]) -> dict[str, Any]:
    out = invoke("scan", *args, "--no-github", "-q", "-f", "json")
    assert out.returncode == 0, out.stderr
    return normalised(json.loads(out.stdout))


@pytest.mark.parametrize("sample", SAMPLES)
def test_sample_reports_equal_the_unoptimised_ones(sample: str) -> None:
    expected = json.loads((GOLDEN / f"{sample}.json").read_text(encoding="utf-8"))
    assert scan(["--sample", sample]) == expected


def test_a_synthetic_repositorys_report_equals_the_unoptimised_one(tmp_path: Path) -> None:
    expected = json.loads((GOLDEN / "synthetic.json").read_text(encoding="utf-8"))
    assert scan([str(synthetic(tmp_path)), "--until", UNTIL]) == expected


def _record(directory: Path) -> None:
    """Write the goldens with whatever pipeline is on sys.path (run it with the optimisations reverted)."""
    import tempfile

    directory.mkdir(parents=True, exist_ok=True)
    for sample in SAMPLES:
        (directory / f"{sample}.json").write_text(json.dumps(scan(["--sample", sample]), indent=1, sort_keys=True))
    with tempfile.TemporaryDirectory() as tmp:
        report = scan([str(synthetic(Path(tmp))), "--until", UNTIL])
    (directory / "synthetic.json").write_text(json.dumps(report, indent=1, sort_keys=True))


if __name__ == "__main__":
    _record(Path(sys.argv[1]) if len(sys.argv) > 1 else GOLDEN)
    subprocess.run(["ls", "-la", str(GOLDEN)], check=False)
