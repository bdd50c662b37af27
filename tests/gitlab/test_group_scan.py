"""`scan --gitlab-group`: every project of a group and its subgroups (keyset pagination), one report per project
from its archive and GitLab evidence, a fleet summary, filters and shards, GET only."""

from __future__ import annotations

import json
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest

from assess.collectors.samples import get_sample, materialise
from tests.cli_runner import invoke
from tests.fakes.gitlab_server import MAINTAINER_TOKEN, FakeGitLab, well_run
from tests.gitlab.conftest import TOKENS


@pytest.fixture(scope="module")
def archive(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    repo = materialise(get_sample("stage2-argocd"), tmp_path_factory.mktemp("gg") / "stage2-argocd")
    return subprocess.run(["git", "-C", str(repo), "archive", "--format=tar.gz", "--prefix=deploy-main-abc/", "main"],
                          capture_output=True, check=True).stdout


def group(archive: bytes) -> FakeGitLab:
    deploy = replace(well_run("platform/deploy", pid=42), archive=archive)
    apps = replace(well_run("platform/team/apps", pid=43), archive=archive)
    old = well_run("platform/old", pid=44)
    old.project["archived"] = True
    tools = well_run("platform/tools", pid=45)  # no archive: its declared state cannot be read
    projects = {p.project["path_with_namespace"]: p for p in (deploy, apps, old, tools)}
    return FakeGitLab(projects, groups={"platform": sorted(projects)})


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return invoke(*args, env={"COLUMNS": "160", "GITLAB_TOKEN": MAINTAINER_TOKEN}, unset=TOKENS)


def test_group_scan_writes_a_report_per_project_and_a_fleet(archive: bytes, tmp_path: Path) -> None:
    with group(archive) as fake:
        fake.max_per_page = 2
        out = run("scan", "--gitlab-group", "platform", "--gitlab-url", fake.url, "-f", "json",
                  "-o", str(tmp_path))
        listing = [r for r in fake.requests if r.path == "/api/v4/groups/platform/projects"]
        methods = {r.method for r in fake.requests}
    assert out.returncode == 3, out.stderr  # platform/tools' declared state is not readable: said, exit 3
    assert "platform/tools: declared state not readable: archive not readable" in out.stderr
    # keyset pagination: the second page is asked for by the Link header's id_after, never by page number
    assert [r.query.get("id_after") for r in listing] == [None, ["43"]]
    assert all(r.query["pagination"] == ["keyset"] for r in listing)
    assert methods == {"GET"}
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["fleet.json", "platform__deploy", "platform__team__apps", "platform__tools"]
    report = json.loads((tmp_path / "platform__team__apps" / "report.json").read_text())
    assert report["github"]["forge"] == "GitLab" and report["sources"]["gitlab"]["available"] is True
    protected = next(f for f in report["findings"] if f["check_id"] == "default-branch-protected")
    assert protected["outcome"] == "pass" and "GitLab protected branch main" in protected["message"]
    fleet = json.loads((tmp_path / "fleet.json").read_text())
    assert "platform" in json.dumps(fleet)


def test_group_filters_and_shards(archive: bytes, tmp_path: Path) -> None:
    with group(archive) as fake:
        shards = [run("scan", "--gitlab-group", "platform", "--gitlab-url", fake.url, "-q", "-f", "json",
                      "--include-archived", "--name-pattern", "[ad]*", "--shard", f"{i}/2", "-o",
                      str(tmp_path / str(i))) for i in (1, 2)]
    assert all(s.returncode == 0 for s in shards), [s.stderr for s in shards]
    seen = sorted(p.name for i in (1, 2) for p in (tmp_path / str(i)).iterdir() if p.is_dir())
    assert seen == ["platform__deploy", "platform__team__apps"]


def test_unknown_group_is_source_unreachable_and_options_are_checked(archive: bytes, tmp_path: Path) -> None:
    with group(archive) as fake:
        missing = run("scan", "--gitlab-group", "nobody", "--gitlab-url", fake.url, "-q", "-o", str(tmp_path))
    assert missing.returncode == 3 and "cannot list projects of GitLab group nobody" in missing.stderr
    assert run("scan", "--gitlab-group", "platform", "-q").returncode == 2  # needs -o
    assert run("scan", "--gitlab-group", "../x", "-q", "-o", str(tmp_path)).returncode == 2
