"""Review ownership and CI as real repositories write them: Prow OWNERS files, every Renovate config location,
GitLab includes, Forgejo workflows, and CI that holds cluster credentials."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from assess.model.context import CheckContext
from assess.model.evidence import FileKind
from assess.model.finding import Outcome
from tests.conftest import Files, catalogued, evidence_of

DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n"


def test_prow_owners_files_are_review_ownership(context_of: Callable[[Files], CheckContext]) -> None:
    ctx = context_of({"OWNERS": "approvers:\n  - platform-leads\nreviewers:\n  - alice\n",
                      "OWNERS_ALIASES": "aliases:\n  platform-leads:\n    - bob\n    - carol\n",
                      "deploy/web.yaml": DEPLOY, "deploy/OWNERS": "approvers:\n  - dave\n"})
    found = catalogued("codeowners-cover-deploy-paths").run(ctx)
    assert found.outcome is Outcome.PASS and "OWNERS" in found.message
    empty = context_of({"OWNERS": "labels:\n  - area/deploy\n", "deploy/web.yaml": DEPLOY})
    assert catalogued("codeowners-cover-deploy-paths").run(empty).outcome is Outcome.FAIL


@pytest.mark.parametrize("path", ["renovate.json5", ".renovaterc", ".renovaterc.json5", ".github/renovate.json5",
                                  ".gitlab/renovate.json", "package.json"])
def test_every_renovate_location_is_recognised(path: str, repo_factory) -> None:  # type: ignore[no-untyped-def]
    content = '{"name": "x", "renovate": {"extends": ["config:recommended"]}}' if path == "package.json" else "{}"
    ev = evidence_of(repo_factory({path: content}))
    assert [f.path for f in ev.files_by_kind.get(FileKind.RENOVATE, ())] == [path]


def test_package_json_without_renovate_is_not_a_renovate_config(repo_factory) -> None:  # type: ignore[no-untyped-def]
    ev = evidence_of(repo_factory({"package.json": '{"name": "x"}'}))
    assert FileKind.RENOVATE not in ev.files_by_kind


def test_gitlab_includes_and_forgejo_actions_are_pinned_or_named(
        context_of: Callable[[Files], CheckContext]) -> None:
    gitlab = ("include:\n  - project: acme/ci-templates\n    ref: v1.2\n    file: /build.yml\n"
              "  - component: gitlab.com/acme/lint/yamllint@2.0.0\n  - local: /ci/local.yml\n"
              "lint:\n  script:\n    - make lint\n")
    found = catalogued("actions-pinned-to-sha").run(context_of({".gitlab-ci.yml": gitlab}))
    assert found.outcome is Outcome.FAIL and "acme/ci-templates@v1.2" in found.message
    assert "gitlab.com/acme/lint/yamllint@2.0.0" in found.message
    forgejo = ("on: push\njobs:\n  t:\n    runs-on: docker\n    steps:\n"
               "      - uses: https://code.forgejo.org/actions/checkout@v4\n")
    ci = catalogued("ci-pipeline-defined").run(context_of({".forgejo/workflows/ci.yaml": forgejo,
                                                            "Dockerfile": "FROM scratch\n"}))
    assert ci.outcome is Outcome.PASS


def test_ci_holding_cluster_credentials_is_a_push_path(context_of: Callable[[Files], CheckContext]) -> None:
    workflow = ("on:\n  push:\n    branches: [main]\njobs:\n  sync:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: echo \"${{ secrets.KUBECONFIG }}\" > kubeconfig\n"
                "      - run: flux reconcile kustomization apps --with-source\n")
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n"
            "  prune: true\n  path: ./apps\n  sourceRef:\n    kind: GitRepository\n    name: flux-system\n")
    found = catalogued("no-push-deploy-from-ci").run(context_of({".github/workflows/sync.yaml": workflow,
                                                                 "clusters/prod/apps.yaml": flux}))
    assert found.outcome is Outcome.FAIL and "flux reconcile" in found.message
    assert "holds cluster credentials (.github/workflows/sync.yaml:8)" in found.message


E2E = ("on:\n  push:\n    branches: ['*']\njobs:\n  kubernetes:\n    runs-on: ubuntu-latest\n    steps:\n"
       "      - run: {setup}\n"
       "      - run: |\n          flux create source git flux-system --url=https://example.com/repo \\\n"
       "          --branch=main\n          flux create kustomization flux-system --source=flux-system --path=./hub\n")


@pytest.mark.parametrize(("setup", "files"), [
    ("make fleet-up", {"Makefile": ".PHONY: fleet-up\nfleet-up: # Start local clusters\n\tscripts/fleet-up.sh\n",
                       "scripts/fleet-up.sh": "#!/usr/bin/env bash\nkind create cluster --name flux-hub\n"}),
    ("bash ./hack/e2e.sh", {"hack/e2e.sh": "set -e\nk3d cluster create test\n"}),
    ("flux --context=kind-flux-hub install", {}),
])
def test_test_clusters_made_by_the_repositorys_own_scripts_are_not_push_deploys(
        setup: str, files: Files, context_of: Callable[[Files], CheckContext]) -> None:
    found = catalogued("no-push-deploy-from-ci").run(context_of({".github/workflows/e2e.yaml": E2E.format(setup=setup),
                                                                 "apps/web.yaml": DEPLOY, **files}))
    assert found.outcome is Outcome.PASS, found.message
    assert "1 job creating a throwaway test cluster" in found.message


def test_a_make_target_that_deploys_without_a_test_cluster_is_still_a_push(
        context_of: Callable[[Files], CheckContext]) -> None:
    files = {"Makefile": "deploy:\n\tkubectl apply -k deploy/\nfleet-up:\n\tkind create cluster\n",
             ".github/workflows/e2e.yaml": E2E.format(setup="make deploy"), "apps/web.yaml": DEPLOY}
    found = catalogued("no-push-deploy-from-ci").run(context_of(files))
    assert found.outcome is Outcome.FAIL and "flux create source git" in found.message
