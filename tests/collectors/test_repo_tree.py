"""The repository collector reads Git objects: bare clones, work trees, odd files and broken repositories."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from assess.collectors.git_repo import NotARepositoryError, RepositoryError
from assess.collectors.repo_tree import MAX_YAML_BYTES
from assess.model.evidence import FileKind, FileProblem
from tests.conftest import Files, evidence_of, git, make_repo, write_files

ESTATE: Files = {
    "apps/web/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n",
    "apps/web/kustomization.yaml": "resources:\n  - deployment.yaml\n",
    "charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\n",
    "charts/web/values.yaml": "image:\n  repository: web\n  tag: 1.0.0\n",
    "charts/web/templates/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
    "  name: {{ .Release.Name }}\n{{- if .Values.x }}\n  labels: {}\n{{- end }}\n",
    "infra/main.tf": 'resource "aws_eks_cluster" "prod" {\n  name = "prod"\n}\n',
    "ansible/site.yaml.j2": "hosts: {{ groups['web'] }}\n",
    "argocd/appset.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: apps\n"
    "spec:\n  template:\n    metadata:\n      name: '{{name}}-app'\n",
    ".github/workflows/ci.yml": "on:\n  push:\njobs:\n  a:\n    runs-on: x\n    steps:\n"
    "      - run: echo ${{ github.sha }}\n",
    ".gitlab-ci.yml": "test:\n  script: [make]\n",
    "Jenkinsfile": "pipeline {}\n",
    ".circleci/config.yml": "version: 2.1\n",
    ".github/CODEOWNERS": "* @acme/platform\n",
    "renovate.json": "{}\n",
    ".github/dependabot.yml": "version: 2\n",
    ".sops.yaml": "creation_rules: []\n",
    "Dockerfile": "FROM scratch\n",
    "docs/readme.md": "# not interesting\n",
    "assets/logo.yaml": b"\x00\x01\x02binary",
}


def kinds_by_path(repo: Path) -> dict[str, set[FileKind]]:
    return {f.path: set(f.kinds) for f in evidence_of(repo).files}


def test_classifies_what_a_gitops_repository_holds(repo_factory: Callable[[Files], Path]) -> None:
    found = kinds_by_path(repo_factory(ESTATE))
    assert FileKind.KUBERNETES in found["apps/web/deployment.yaml"]
    assert FileKind.KUSTOMIZATION in found["apps/web/kustomization.yaml"]
    assert FileKind.HELM_CHART in found["charts/web/Chart.yaml"]
    assert FileKind.HELM_VALUES in found["charts/web/values.yaml"]
    assert {FileKind.HELM_TEMPLATE, FileKind.TEMPLATED} <= found["charts/web/templates/deploy.yaml"]
    assert FileKind.TERRAFORM in found["infra/main.tf"]
    assert FileKind.TEMPLATED in found["ansible/site.yaml.j2"]
    assert FileKind.GITHUB_WORKFLOW in found[".github/workflows/ci.yml"]
    assert FileKind.GITLAB_CI in found[".gitlab-ci.yml"]
    assert FileKind.JENKINSFILE in found["Jenkinsfile"]
    assert FileKind.CIRCLECI in found[".circleci/config.yml"]
    assert FileKind.CODEOWNERS in found[".github/CODEOWNERS"]
    assert FileKind.RENOVATE in found["renovate.json"]
    assert FileKind.DEPENDABOT in found[".github/dependabot.yml"]
    assert FileKind.SOPS in found[".sops.yaml"]
    assert FileKind.DOCKERFILE in found["Dockerfile"]
    assert "docs/readme.md" not in found


def test_templates_are_not_broken_yaml_and_appset_placeholders_parse(repo_factory: Callable[[Files], Path]) -> None:
    ev = evidence_of(repo_factory(ESTATE))
    problems = {f.path: f.problem for f in ev.files if f.problem}
    assert set(problems) == {"assets/logo.yaml"}
    assert problems["assets/logo.yaml"].kind is FileProblem.BINARY
    appset = next(d for d in ev.docs if d.kind == "ApplicationSet")
    assert not appset.templated and appset.get("spec.template.metadata.name") == "{{name}}-app"
    template = next(d for d in ev.docs if d.path == "charts/web/templates/deploy.yaml")
    assert template.templated and template.kind == "Deployment"


def test_bare_clone_reads_the_same_tree(repo_factory: Callable[[Files], Path], tmp_path: Path) -> None:
    repo = repo_factory(ESTATE)
    bare = tmp_path / "mirror.git"
    subprocess.run(["git", "clone", "-q", "--mirror", str(repo), str(bare)], check=True)
    a, b = evidence_of(repo), evidence_of(bare)
    assert b.bare and not a.bare
    assert [(f.path, f.kinds) for f in a.files] == [(f.path, f.kinds) for f in b.files]
    assert a.revision == b.revision


def test_worktree_mode_includes_uncommitted_files(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory({"k8s/a.yaml": "kind: ConfigMap\napiVersion: v1\n"})
    write_files(repo, {"k8s/new.yaml": "kind: Secret\napiVersion: v1\n"})
    assert "k8s/new.yaml" not in {f.path for f in evidence_of(repo).files}
    assert "k8s/new.yaml" in {f.path for f in evidence_of(repo, worktree=True).files}


def test_scanning_never_touches_the_work_tree_or_index(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory(ESTATE)
    before = git(repo, "status", "--porcelain=v1", "--ignored")
    index_mtime = os.stat(repo / ".git" / "index").st_mtime_ns
    evidence_of(repo)
    evidence_of(repo, worktree=True)
    assert os.stat(repo / ".git" / "index").st_mtime_ns == index_mtime
    assert git(repo, "status", "--porcelain=v1", "--ignored") == before


def test_huge_files_and_symlinks_are_recorded_not_read(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory({"big/huge.yaml": "a: " + "x" * (MAX_YAML_BYTES + 10) + "\n"})
    (repo / "loop.yaml").symlink_to("loop.yaml")
    git(repo, "add", "loop.yaml")
    git(repo, "commit", "-q", "-m", "symlink")
    problems = {f.path: f.problem.kind for f in evidence_of(repo).files if f.problem}
    assert problems == {"big/huge.yaml": FileProblem.TOO_LARGE, "loop.yaml": FileProblem.SYMLINK}
    worktree_problems = {f.path: f.problem.kind for f in evidence_of(repo, worktree=True).files if f.problem}
    assert worktree_problems["loop.yaml"] is FileProblem.SYMLINK


def test_empty_repository_is_a_clear_empty_result(tmp_path: Path) -> None:
    repo = tmp_path / "empty"
    repo.mkdir()
    git(repo, "init", "-q")
    ev = evidence_of(repo)
    assert ev.empty and ev.files == () and ev.revision == ""


def test_not_a_repository_and_unknown_revision(tmp_path: Path) -> None:
    with pytest.raises(NotARepositoryError):
        evidence_of(tmp_path)
    repo = make_repo(tmp_path / "r", {"a.yaml": "a: 1\n"})
    from datetime import UTC, datetime

    from assess.collectors.repo_tree import collect_repo

    with pytest.raises(RepositoryError, match="not found"):
        collect_repo(str(repo), "no-such-branch", False, datetime.now(UTC))


def test_corrupt_object_database_is_a_repository_error(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory({"a.yaml": "a: 1\n"})
    for obj in (repo / ".git" / "objects").glob("??/*"):
        obj.chmod(0o644)
        obj.write_bytes(b"garbage")
    with pytest.raises(RepositoryError):
        evidence_of(repo)
