"""Shared test helpers: throwaway Git repositories and report-schema validation."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from assess.checks.catalog import Check, find_check, load_catalog
from assess.collectors.repo_tree import collect_repo
from assess.derive.view import ViewOptions, tree_view
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle, RepoEvidence
from assess.model.schema import report_schema

GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": "/dev/null",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test Author",
    "GIT_AUTHOR_EMAIL": "author@example.test",
    "GIT_COMMITTER_NAME": "Test Author",
    "GIT_COMMITTER_EMAIL": "author@example.test",
    "GIT_AUTHOR_DATE": "2026-03-01T10:00:00+00:00",
    "GIT_COMMITTER_DATE": "2026-03-01T10:00:00+00:00",
}

Files = dict[str, str | bytes]


def git(repo: Path, *args: str) -> str:
    """Run git in a test repository."""
    out = subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, env=GIT_ENV)
    return out.stdout.decode()


def write_files(root: Path, files: Files) -> None:
    """Write a dict of path -> content under root."""
    for path, content in files.items():
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def make_repo(root: Path, files: Files, message: str = "initial") -> Path:
    """A repository on branch main with one commit holding files."""
    root.mkdir(parents=True, exist_ok=True)
    git(root, "init", "-q", "--initial-branch=main")
    write_files(root, files)
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return root


@pytest.fixture
def repo_factory(tmp_path: Path) -> Callable[[Files], Path]:
    """Create committed repositories from file dicts."""
    counter = iter(range(1000))

    def factory(files: Files) -> Path:
        return make_repo(tmp_path / f"repo{next(counter)}", files)

    return factory


def evidence_of(repo: Path, worktree: bool = False) -> RepoEvidence:
    """Collect repository evidence the way a scan does."""
    return collect_repo(str(repo), "HEAD", worktree, datetime(2026, 3, 2, tzinfo=UTC))


@pytest.fixture
def context_of(repo_factory: Callable[[Files], Path]) -> Callable[[Files], CheckContext]:
    """Build a check context from a file dict, through a real Git repository."""

    def build(files: Files) -> CheckContext:
        return tree_context(evidence_of(repo_factory(files)))

    return build


def tree_context(tree: RepoEvidence) -> CheckContext:
    """A check context for a tree, seen the way a scan sees it (estate view, deployment map)."""
    view = tree_view(tree, ViewOptions())
    return CheckContext(EvidenceBundle(git=view.estate), deployment=view.deployment,
                        production_envs=view.deployment.production, deployed=view.deployed)


def assert_valid_report(data: dict[str, Any] | str | Path) -> dict[str, Any]:
    """Validate a report (dict, JSON text or file) against the published schema and return it."""
    if isinstance(data, Path):
        data = data.read_text(encoding="utf-8")
    if isinstance(data, str):
        data = json.loads(data)
    assert isinstance(data, dict)
    jsonschema.Draft202012Validator(report_schema(), format_checker=jsonschema.FormatChecker()).validate(data)
    return data


def catalogued(check_id: str) -> Check:
    """The check of that id from the real catalog (fails the test if it is missing)."""
    check = find_check(load_catalog(), check_id)
    assert check is not None, f"no check {check_id!r} in the catalog"
    return check


def scan_json(repo: Path, *args: str) -> dict[str, Any]:
    """`gitops-assess scan REPO -f json` in-process (no GitHub), the report validated against the schema."""
    from click.testing import CliRunner

    from assess.cli import cli

    result = CliRunner().invoke(cli, ["scan", str(repo), "-f", "json", "-q", "--no-github", *args])
    assert result.exit_code in (0, 1), result.output
    return assert_valid_report(result.stdout)


def finding_of(report: dict[str, Any], check_id: str) -> dict[str, Any]:
    """The finding of one check in a report's JSON."""
    found: dict[str, Any] = next(f for f in report["findings"] if f["check_id"] == check_id)
    return found
