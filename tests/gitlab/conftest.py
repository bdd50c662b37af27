"""Shared by the GitLab tests: the tokens a test must not inherit, a materialised sample repository, the fake."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from assess.collectors.samples import get_sample, materialise
from tests.fakes.gitlab_server import FakeGitLab, well_run

TOKENS = ("GITHUB_TOKEN", "GH_TOKEN", "GITLAB_TOKEN", "CI_JOB_TOKEN", "KUBECONFIG")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The stage-2 sample as a real repository (the estate the GitLab project holds)."""
    return materialise(get_sample("stage2-argocd"), tmp_path_factory.mktemp("gl") / "stage2-argocd")


@pytest.fixture
def fake() -> Iterator[FakeGitLab]:
    """A local GitLab-compatible server with one well-run project, platform/deploy."""
    with FakeGitLab({"platform/deploy": well_run()}) as server:
        yield server
