"""A GitLab project that cannot be read is unavailable with a cause decided on the status code (not the sentence),
and the token scope that fixes it when a permission is what is missing."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.cli_runner import invoke
from tests.conftest import assert_valid_report
from tests.fakes.gitlab_server import MAINTAINER_TOKEN, FakeGitLab, Fault
from tests.gitlab.conftest import TOKENS


def scan(fake: FakeGitLab, repo: Path, project: str = "platform/deploy") -> dict[str, object]:
    out: subprocess.CompletedProcess[str] = invoke(
        "scan", str(repo), "--gitlab", project, "--gitlab-url", fake.url, "-q", "-f", "json", "--max-wait", "3",
        env={"GITLAB_TOKEN": MAINTAINER_TOKEN}, unset=TOKENS)
    assert out.returncode == 0, out.stderr
    return assert_valid_report(out.stdout)["sources"]["gitlab"]  # type: ignore[no-any-return]


@pytest.mark.parametrize(("status", "cause", "scope"), [(401, "unauthorized", "read_api"),
                                                        (403, "forbidden", "read_api"),
                                                        (502, "unreachable", None)])
def test_a_refused_project_names_its_cause_and_the_scope(fake: FakeGitLab, repo: Path, status: int, cause: str,
                                                        scope: str | None) -> None:
    fake.faults.append(Fault(r"/projects/platform/deploy$", status, {"message": f"{status}"}, times=20))
    source = scan(fake, repo)
    assert (source["available"], source["cause"], source.get("scope")) == (False, cause, scope)


def test_a_missing_project_is_not_found(fake: FakeGitLab, repo: Path) -> None:
    source = scan(fake, repo, "platform/nope")
    assert (source["available"], source["cause"], source["scope"]) == (False, "not-found", "read_api")
