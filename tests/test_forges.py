"""Forge-neutral evidence: GitHub and GitLab behind one collector interface, picked from one table, judged by the same
checks that read only the neutral model and take the forge's words and links from the evidence."""

from __future__ import annotations

import ast
import json
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assess.checks.catalog import load_catalog
from assess.checks.runner import run_checks
from assess.collectors.forge_collector import ForgePeriod
from assess.collectors.forges import COLLECTORS, pick_collector
from assess.collectors.github.api import GitHubApi, WaitBudget
from assess.collectors.github.repo import collect_github
from assess.collectors.gitlab.collect import GitLabAccess, client, collect_gitlab
from assess.collectors.samples import get_sample, materialise
from assess.engine import Settings
from assess.evaluation.digest import evidence_json
from assess.model.check import FORGE_SOURCE
from assess.model.codec import from_plain
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle
from assess.model.finding import Finding, Outcome
from assess.model.forge import TERMS, Forge, ForgeEvidence
from assess.model.provenance import Unavailable
from assess.scans.forges import ORG_SCANNERS
from tests.conftest import git, make_repo
from tests.fakes.github_fixture import PROFILES
from tests.fakes.github_fixture import build_fixture as github_fixture
from tests.fakes.github_server import ADMIN_TOKEN, FakeGitHub
from tests.fakes.gitlab_fixture import build_fixture as gitlab_fixture
from tests.fakes.gitlab_server import MAINTAINER_TOKEN, FakeGitLab

ROOT = Path(__file__).resolve().parents[1]
NOW = datetime(2026, 1, 20, 12, tzinfo=UTC)
FORGE_CHECKS = [c for c in load_catalog() if FORGE_SOURCE in c.spec.sources]


@pytest.fixture(scope="module")
def estate(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return materialise(get_sample("stage2-argocd"), tmp_path_factory.mktemp("forges") / "web")


def judge(ev: ForgeEvidence) -> dict[str, Finding]:
    return {f.check_id: f for f in run_checks(FORGE_CHECKS, CheckContext(EvidenceBundle(forge=ev)))}


def test_equivalent_github_and_gitlab_data_give_the_same_outcomes_in_each_forges_words(estate: Path) -> None:
    # The same history and the same rules (main protected, one approval with code owners, stale approvals
    # dismissed, CI required, no force push, unsigned commits accepted), served by each forge's local server.
    with FakeGitHub({"acme/web": github_fixture(estate, "acme/web", PROFILES[2])}) as gh:
        github = collect_github(GitHubApi(gh.base_url, ADMIN_TOKEN, None, WaitBudget(10)), "acme/web", None, None,
                                [], NOW)
    with FakeGitLab({"acme/web": gitlab_fixture(estate, "acme/web", failed_every=0)}) as gl:
        access = GitLabAccess(gl.url, MAINTAINER_TOKEN)
        session, counter = client(access, WaitBudget(10))
        gitlab = collect_gitlab(session, counter, access, "acme/web", None, (), NOW)
    on_github, on_gitlab = judge(github), judge(gitlab)
    assert len(FORGE_CHECKS) == 11
    outcomes = {k: (f.outcome, on_gitlab[k].outcome) for k, f in on_github.items()}
    # GitLab's API reports no CODEOWNERS errors: a capability the evidence states, not a verdict on the project.
    assert outcomes.pop("codeowners-valid") == (Outcome.PASS, Outcome.NOT_APPLICABLE)
    assert all(a == b for a, b in outcomes.values()), outcomes
    assert on_github["signed-commits-required"].outcome is Outcome.FAIL
    # The same verdict in each forge's words, pointing at each forge's pages.
    assert on_github["default-branch-protected"].message == "main is protected by classic."
    assert on_gitlab["default-branch-protected"].message == "main is protected by GitLab protected branch main."
    assert on_github["no-self-approval"].message.endswith("merged pull requests were approved by someone other than "
                                                          "the author.")
    assert on_gitlab["no-self-approval"].message.endswith("merged GitLab merge requests were approved by someone "
                                                          "other than the author.")
    assert on_gitlab["ci-success-rate"].message.startswith("100% of 44 completed GitLab pipelines succeeded")
    assert on_github["ci-success-rate"].message.startswith("100% of 44 completed runs succeeded")
    assert "merged merge requests a day" in on_gitlab["review-latency-and-volume"].message
    for found in on_gitlab.values():
        assert "GitHub" not in found.message and "pull request" not in found.message, found.message
        assert all(str(r.target).startswith("https://gitlab.com/acme/web/-/") for r in found.refs), found.refs
    for found in on_github.values():
        assert "GitLab" not in found.message and "merge request" not in found.message, found.message
        assert all(str(r.target).startswith("https://github.com/acme/web/") for r in found.refs), found.refs
    assert str(on_gitlab["review-required"].refs[0].target) == "https://gitlab.com/acme/web/-/settings/repository"
    assert str(on_github["review-required"].refs[0].target) == "https://github.com/acme/web/settings/branches"


FORGE_SPECIFIC_CALLS = {"is_gitlab", "is_github", "forge_of"}


def _offences(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            modules = [node.module or ""]
            found += [f"imports {a.name}" for a in node.names if a.name in FORGE_SPECIFIC_CALLS]
        for module in modules:
            parts = module.split(".")
            if {"github", "gitlab", "gitlab_group", "github_org", "forges", "forge_collector"} & set(parts):
                found.append(f"imports {module}")
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in (
                "Forge", "Source") and node.attr in ("GITHUB", "GITLAB"):
            found.append(f"names {node.value.id}.{node.attr}")
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and any(
                url in node.value for url in ("github.com", "gitlab.com", "/pull/", "/-/", "/settings/")):
            found.append(f"builds a forge URL: {node.value!r}")
    return found


def test_no_check_module_depends_on_a_particular_forge() -> None:
    offences = {p.name: o for p in sorted((ROOT / "assess" / "checks").glob("*.py")) if (o := _offences(p))}
    assert offences == {}


def test_every_forge_has_its_words_and_one_collector_in_the_table() -> None:
    assert {c.forge for c in COLLECTORS} == set(Forge) == set(TERMS)
    assert len({c.recording for c in COLLECTORS}) == len(COLLECTORS)


@pytest.mark.parametrize(("remote", "kwargs", "forge", "reason"), [
    (None, {}, Forge.GITHUB, "no GitHub repository to read"),
    (None, {"gitlab_repo": "acme/web"}, Forge.GITLAB, None),
    (None, {"github_repo": "acme/web"}, Forge.GITHUB, None),
    ("git@gitlab.com:acme/web.git", {}, Forge.GITLAB, "origin is acme/web on GitLab, but no token is set"),
    ("https://github.com/acme/web.git", {}, Forge.GITHUB, "origin is acme/web on GitHub, but no token is set"),
    ("https://gitlab.com/acme/web.git", {"github": False}, Forge.GITHUB, "GitHub evidence not requested"),
    ("git@gitlab.com:acme/web.git", {"github_repo": "acme/web"}, Forge.GITHUB, None),  # named beats the origin
    (None, {"forge_recording": ROOT / "samples" / "gitlab-argocd" / "gitlab-api.json"}, Forge.GITLAB, None),
    (None, {"forge_recording": ROOT / "samples" / "stage2-argocd" / "github.json"}, Forge.GITHUB, None),
])
def test_the_collector_is_picked_by_forge_from_one_table(tmp_path: Path, remote: str | None,
                                                         kwargs: dict[str, object], forge: Forge,
                                                         reason: str | None) -> None:
    repo = make_repo(tmp_path / "r", {"a.yaml": "a: 1\n"})
    if remote:
        git(repo, "remote", "add", "origin", remote)
    settings = Settings(path=str(repo), **kwargs)  # type: ignore[arg-type]
    chosen = pick_collector(settings)
    assert chosen.forge is forge
    if reason is not None:
        result = chosen.collect(settings, ForgePeriod(None), NOW, lambda _: None)
        assert isinstance(result, Unavailable) and result.reason.startswith(reason), result
        assert result.source is forge.source


def test_saved_evidence_keeps_its_github_key_and_old_bundles_load() -> None:
    recorded = json.loads((ROOT / "samples" / "stage2-argocd" / "github.json").read_text())  # an older recording
    old = from_plain(EvidenceBundle, {"github": recorded, "unavailable": []})
    assert old.forge is not None and old.forge.forge is Forge.GITHUB and old.forge.repo == "acme/stage2-argocd"
    gitlab = replace(old.forge, provenance=replace(old.forge.provenance, source=Forge.GITLAB.source))
    saved = json.loads(evidence_json(EvidenceBundle(forge=gitlab)))
    assert "forge" not in saved and saved["github"]["provenance"]["source"] == "gitlab"
    again = from_plain(EvidenceBundle, saved)
    assert again.forge == gitlab and again.forge is not None and again.forge.forge_name == "GitLab"


def test_every_forge_has_a_collector_and_an_organisation_scanner() -> None:
    # a forge added to the model without its collector or its organisation scan fails here, not in a user's scan
    assert {c.forge for c in COLLECTORS} == set(Forge) == set(ORG_SCANNERS)
    assert all(scanner.forge is forge for forge, scanner in ORG_SCANNERS.items())
