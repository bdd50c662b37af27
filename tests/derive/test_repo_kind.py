"""What a repository is decides whether it is graded: estates are; product source trees, example catalogues,
policy libraries and templates are not (their CI and supply-chain checks still run)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from assess.cli import cli
from assess.derive.repo_kind import RepoKind
from assess.derive.view import ViewOptions, tree_view
from tests.conftest import Files, evidence_of
from tests.conftest import scan_json as scan

APP = ("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: demo\nspec:\n  project: default\n"
       "  source:\n    repoURL: https://github.com/acme/demo\n    path: manifests\n  destination:\n"
       "    server: https://kubernetes.default.svc\n  syncPolicy:\n    automated: {}\n")
SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\nstringData:\n  password: hunter2-real-looking\n"
WORKFLOW = ("on: push\npermissions: {}\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - uses: actions/checkout@v4\n      - uses: reviewdog/action-setup@v1\n")
TEMPLATE = ("apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: ConstraintTemplate\nmetadata:\n  name: k8s{n}\n"
            "spec:\n  crd:\n    spec:\n      names:\n        kind: K8s{n}\n")


def product_source() -> Files:
    files: Files = {"go.mod": "module github.com/acme/tool\n", ".github/workflows/ci.yaml": WORKFLOW}
    files.update({f"pkg/p{i}/p.go": "package p\n" for i in range(30)})
    files.update({f"pkg/p{i}/testdata/app.yaml": APP for i in range(5)})
    files["docs/example/secret.yaml"] = SECRET
    files["manifests/install.yaml"] = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: tool\n"
    return files


KINDS: dict[RepoKind, Callable[[], Files]] = {
    RepoKind.PRODUCT: product_source,
    RepoKind.EXAMPLES: lambda: {f"examples/{name}/app.yaml": APP for name in ("a", "b", "c")},
    RepoKind.POLICY: lambda: {f"library/k8s{n}/template.yaml": TEMPLATE.format(n=n) for n in range(6)},
    RepoKind.TEMPLATE: lambda: {"makejinja.toml": "[makejinja]\n", **{
        f"templates/kubernetes/app{n}/ks.yaml.j2": "apiVersion: kustomize.toolkit.fluxcd.io/v1\n"
        "kind: Kustomization\nmetadata:\n  name: #{ name }#\nspec:\n  path: ./kubernetes/{{ app }}\n"
        for n in range(6)}},
    RepoKind.ESTATE: lambda: {"clusters/prod/apps.yaml": APP.replace("manifests", "apps"),
                              "apps/web.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: web\n"},
}


@pytest.mark.parametrize("kind", list(KINDS), ids=[k.value for k in KINDS])
def test_each_kind_is_recognised(kind: RepoKind, repo_factory: Callable[[Files], Path]) -> None:
    view = tree_view(evidence_of(repo_factory(KINDS[kind]())), ViewOptions())
    assert view.kind.kind is kind, view.kind.reason



def test_a_product_source_tree_is_not_graded(repo_factory: Callable[[Files], Path]) -> None:
    report = scan(repo_factory(product_source()))
    assert report["target"]["kind"] == "product-source"
    assert "go.mod" in report["target"]["kind_reason"] and "30 source files" in report["target"]["kind_reason"]
    assert report["stage"]["reached"] == 0 and "Not a GitOps estate" in report["stage"]["explanation"]
    assert report["premature"]["verdict"] is None  # no "premature" verdict for a code project
    by_id = {f["check_id"]: f for f in report["findings"]}
    # Estate checks are not judged; the fixtures under testdata/ and docs/ drive nothing.
    assert by_id["auto-sync-enabled"]["outcome"] == "not-applicable"
    assert by_id["no-plaintext-secrets"]["outcome"] == "pass"  # docs/ is excluded from estate evidence
    # CI and supply-chain checks still run.
    assert by_id["actions-pinned-to-sha"]["outcome"] == "fail"
    assert by_id["workflow-permissions-restricted"]["outcome"] in ("pass", "warn")
    assert all(m.get("tiers") is None for m in (report["metrics"].get("environments") or {}).values())


def test_kind_can_be_forced_and_paths_reincluded(repo_factory: Callable[[Files], Path]) -> None:
    repo = repo_factory(product_source())
    forced = scan(repo, "--kind", "gitops-estate")
    assert forced["target"]["kind"] == "gitops-estate" and forced["target"]["kind_overridden"]
    (repo / ".gitops-assess.yaml").write_text("paths:\n  include: [docs/]\n", encoding="utf-8")
    included = scan(repo, "--kind", "gitops-estate")
    secret = next(f for f in included["findings"] if f["check_id"] == "no-plaintext-secrets")
    assert secret["outcome"] == "fail" and "docs/example/secret.yaml" in json.dumps(secret["refs"])


def test_unknown_kind_is_a_usage_error(repo_factory: Callable[[Files], Path]) -> None:
    result = CliRunner().invoke(cli, ["scan", str(repo_factory({"a.yaml": "a: 1\n"})), "--kind", "monorepo"])
    assert result.exit_code == 2 and "monorepo" in result.output
