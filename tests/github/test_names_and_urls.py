"""Organisation and repository names from the command line or the API are checked before they become paths, and a
plain-http API URL to another machine is warned about."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from assess.collectors.github.names import plain_http_warning, valid_full_name
from assess.scans.github_org import report_dir
from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub, RepoFixture

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("GITHUB_TOKEN", "GH_TOKEN")}
    env["GITHUB_TOKEN"] = ADMIN_TOKEN
    return subprocess.run([sys.executable, "-m", "assess", *args], capture_output=True, text=True, cwd=ROOT, env=env,
                          timeout=300)


@pytest.mark.parametrize("name", ["..", "acme/..", "acme/.", "../x", "a/../../x", "acme/a/b", "-x/y", "acme/",
                                  "acme/a b", "acme/\x1b[31m"])
def test_names_github_would_never_give_are_refused(name: str) -> None:
    assert not valid_full_name(name)
    with pytest.raises(ValueError):
        report_dir(Path("out"), name)


def test_real_names_are_accepted() -> None:
    assert valid_full_name("acme/stage2-argocd") and valid_full_name("Octo-Cat/.github")
    assert report_dir(Path("out"), "acme/web.app") == Path("out/acme__web.app")


def test_an_org_listing_with_hostile_names_writes_nothing_outside_the_output(fixtures: dict[str, RepoFixture],
                                                                             tmp_path: Path) -> None:
    good = fixtures["acme/stage2-argocd"]
    repos = {"acme/stage2-argocd": good}
    for hostile in ("..", "acme/../../escaped", "acme/.."):
        repos[hostile] = RepoFixture(repo={**good.repo, "name": hostile, "full_name": hostile})
    work = tmp_path / "work"
    work.mkdir()
    with FakeGitHub(repos, orgs={"acme": list(repos)}, answer_any="acme/stage2-argocd") as gh:
        out = run("scan", "--github-org", "acme", "--github-url", gh.base_url, "--no-cache", "-o",
                  str(work / "out"), "-f", "json")
    assert out.returncode == 3, out.stderr  # a listed repository was not assessed
    assert "Traceback" not in out.stderr
    said = " ".join(out.stderr.split())  # the console wraps long lines
    assert said.count("refused: the API listed a name that is not a GitHub owner/repository name") == 3
    assert sorted(p.name for p in work.iterdir()) == ["out"]  # nothing one level up
    assert sorted(p.name for p in (work / "out").iterdir() if p.is_dir()) == ["acme__stage2-argocd"]


def test_a_bad_org_name_on_the_command_line_is_a_usage_error(tmp_path: Path) -> None:
    out = run("scan", "--github-org", "../etc", "-o", str(tmp_path / "out"))
    assert out.returncode == 2 and "not a GitHub organisation name" in out.stderr
    bad_repo = run("scan", str(tmp_path), "--github", "acme/..")
    assert bad_repo.returncode == 2 and "is not owner/repo" in bad_repo.stderr


@pytest.mark.parametrize(("url", "warns"), [
    ("http://example.com/api/v3", True), ("http://10.0.0.5", True), ("https://example.com", False),
    ("http://127.0.0.1:8080", False), ("http://localhost/api", False), ("http://[::1]:9000", False),
    ("http://user:secret@example.com", True)])
def test_plain_http_is_warned_about_unless_it_stays_on_this_machine(url: str, warns: bool) -> None:
    warning = plain_http_warning(url)
    assert (warning is not None) is warns
    assert "secret" not in (warning or "")


def test_the_warning_reaches_stderr_and_loopback_fakes_stay_quiet(fake_github: FakeGitHub,
                                                                  sample_repos: dict[str, Path]) -> None:
    repo = str(sample_repos["stage2-argocd"])
    remote = run("scan", repo, "--github", "acme/stage2-argocd", "--github-url", "http://192.0.2.1:9",
                 "--max-wait", "1", "--no-history", "--no-cache", "-f", "json", "-q")
    assert "warning: the GitHub API URL is plain http (host 192.0.2.1)" in remote.stderr
    local = run("scan", repo, "--github", "acme/stage2-argocd", "--github-url", fake_github.base_url,
                "--no-history", "--no-cache", "-f", "json", "-q")
    assert local.returncode == 0 and "warning" not in local.stderr
