"""Fixtures: sample repositories served by a local GitHub-compatible server."""

from __future__ import annotations

import io
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from assess.collectors.samples import list_samples, materialise
from tests.fakes.github_fixture import PROFILES, build_fixture
from tests.fakes.github_server import FakeGitHub, RepoFixture


def tarball_of(repo: Path, name: str) -> bytes:
    """What GitHub's tarball endpoint returns: the tree under one top directory."""
    raw = subprocess.run(["git", "-C", str(repo), "archive", "--format=tar", f"--prefix={name}-abc123/", "main"],
                         capture_output=True, check=True).stdout
    out = io.BytesIO()
    with tarfile.open(fileobj=out, mode="w:gz") as gz, tarfile.open(fileobj=io.BytesIO(raw)) as src:
        for member in src.getmembers():
            gz.addfile(member, src.extractfile(member) if member.isfile() else None)
    return out.getvalue()


@pytest.fixture(scope="session")
def sample_repos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every GitHub sample materialised once per session (a GitLab variant is not part of the GitHub organisation)."""
    root = tmp_path_factory.mktemp("gh-samples")
    return {s.name: materialise(s, root / s.name) for s in list_samples() if s.forge == "github"}


@pytest.fixture(scope="session")
def fixtures(sample_repos: dict[str, Path]) -> dict[str, RepoFixture]:
    """GitHub data for each sample, named acme/<sample>."""
    stages = {s.name: s.stage for s in list_samples()}
    out = {}
    for name, repo in sample_repos.items():
        out[f"acme/{name}"] = build_fixture(repo, f"acme/{name}", PROFILES[stages[name]], tarball_of(repo, name))
    return out


@pytest.fixture
def fake_github(fixtures: dict[str, RepoFixture]) -> Iterator[FakeGitHub]:
    """A fresh server (empty request log, no faults) over the sample fixtures plus an archived repo and a fork."""
    repos = dict(fixtures)
    archived = RepoFixture(repo={**fixtures["acme/stage2-argocd"].repo, "name": "old-deploy",
                                 "full_name": "acme/old-deploy", "archived": True})
    fork = RepoFixture(repo={**fixtures["acme/stage2-argocd"].repo, "name": "forked-charts",
                             "full_name": "acme/forked-charts", "fork": True})
    repos["acme/old-deploy"] = archived
    repos["acme/forked-charts"] = fork
    with FakeGitHub(repos, orgs={"acme": sorted(repos)}) as server:
        yield server
