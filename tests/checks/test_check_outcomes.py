"""Every check: a PASS case and a FAIL case, and each FAIL names its evidence as path:line."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pytest

from assess.checks.catalog import load_catalog
from assess.model.context import CheckContext, Thresholds
from assess.model.finding import Outcome, Ref, Severity
from tests.conftest import Files, catalogued

CATALOG = load_catalog()


def deployment(image: str = "ghcr.io/acme/web:1.2.3", name: str = "web") -> str:
    return (
        f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n  template:\n"
        f"    spec:\n      containers:\n        - name: {name}\n          image: {image}\n"
    )


def argo_app(policy: str = "    automated:\n      prune: true\n      selfHeal: true\n", name: str = "web") -> str:
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n"
        f"  name: {name}\n  namespace: argocd\nspec:\n  project: default\n  source:\n"
        "    repoURL: https://git.example/acme/deploy.git\n    targetRevision: main\n    path: apps/web\n"
        "  destination:\n    server: https://kubernetes.default.svc\n    namespace: web\n"
        f"  syncPolicy:\n{policy}"
    )


def flux_ks(prune: str = "true", suspend: str = "false", path: str = "clusters/prod/apps.yaml") -> Files:
    return {path: (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
        f"  namespace: flux-system\nspec:\n  interval: 5m\n  prune: {prune}\n  suspend: {suspend}\n"
        "  sourceRef:\n    kind: GitRepository\n    name: flux-system\n  path: ./apps\n")}


def workflow(steps: str, permissions: str = "permissions:\n  contents: read\n") -> str:
    return f"name: ci\non:\n  push:\n{permissions}jobs:\n  build:\n    runs-on: ubuntu-24.04\n    steps:\n{steps}"


SHA = "11bd71901bbe5b1630ceea73d27597364c9af683"
CAPI = (
    "apiVersion: cluster.x-k8s.io/v1beta1\nkind: Cluster\nmetadata:\n  name: {name}\nspec:\n  infrastructureRef:\n"
    "    apiVersion: infrastructure.cluster.x-k8s.io/v1beta2\n    kind: {infra}\n    name: {name}\n"
)
KYVERNO = (
    "apiVersion: kyverno.io/v1\nkind: ClusterPolicy\nmetadata:\n  name: no-latest\nspec:\n"
    "  validationFailureAction: {action}\n  rules:\n    - name: no-latest\n      validate:\n        message: no\n"
)
GATEKEEPER = (
    "apiVersion: constraints.gatekeeper.sh/v1beta1\nkind: K8sDisallowedTags\nmetadata:\n  name: no-latest\n"
    "spec:\n  parameters:\n    tags: [latest]\n"
)


def appset(generators: str, path: str = "platform/policies", name: str = "policies") -> str:
    return (
        "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n"
        f"  name: {name}\n  namespace: argocd\nspec:\n  generators:\n{generators}  template:\n"
        "    metadata:\n      name: '{{name}}-policies'\n    spec:\n      project: default\n      source:\n"
        f"        repoURL: https://git.example/acme/fleet.git\n        targetRevision: main\n        path: {path}\n"
        "      destination:\n        server: '{{server}}'\n        namespace: policies\n"
        "      syncPolicy:\n        automated:\n          prune: true\n          selfHeal: true\n"
    )


def many_clusters(n: int, infra: str = "AWSCluster") -> Files:
    return {f"fleet/c{i}.yaml": CAPI.format(name=f"c{i}", infra=infra) for i in range(n)}


@dataclass(frozen=True)
class Case:
    check_id: str
    passing: Files
    failing: Files
    fail_ref: tuple[str, int | None]
    thresholds: Thresholds = field(default_factory=Thresholds)


CASES = [
    Case("iac-in-git", {"k8s/web.yaml": deployment()}, {"README.md": "# hi\n", "app.py": "print()\n"},
         ("", None)),
    Case("kubernetes-declared", {"k8s/web.yaml": deployment()}, {"deploy.sh": "rsync app/ vm:/srv\n"}, ("", None)),
    Case("yaml-well-formed", {"k8s/web.yaml": deployment()},
         {"k8s/web.yaml": deployment(), "k8s/bad.yaml": "kind: ConfigMap\ndata:\n  a: [1, 2\n  b: 3\n"},
         ("k8s/bad.yaml", 4)),
    Case("no-duplicate-yaml-keys", {"k8s/web.yaml": deployment()},
         {"k8s/web.yaml": deployment().replace("  replicas: 2\n", "  replicas: 2\n  replicas: 5\n")},
         ("k8s/web.yaml", 7)),
    Case("ci-pipeline-defined", {".gitlab-ci.yml": "test:\n  script:\n    - make test\n"},
         {"k8s/web.yaml": deployment(), "Dockerfile": "FROM scratch\n"}, ("", None)),
    Case("reconciler-declared", {"argocd/web.yaml": argo_app()}, {"k8s/web.yaml": deployment()}, ("", None)),
    Case("auto-sync-enabled", {"argocd/web.yaml": argo_app()},
         {"argocd/web.yaml": argo_app("    syncOptions:\n      - CreateNamespace=true\n")}, ("argocd/web.yaml", 15)),
    Case("self-heal-enabled", {"argocd/web.yaml": argo_app()},
         {"argocd/web.yaml": argo_app("    automated:\n      prune: true\n")}, ("argocd/web.yaml", 16)),
    Case("prune-enabled", flux_ks(), flux_ks(prune="false"), ("clusters/prod/apps.yaml", 6)),
    Case("no-push-deploy-from-ci",
         {".github/workflows/ci.yml": workflow("      - run: docker build -t web .\n"
                                               "      - run: kubectl diff -f k8s/\n")},
         {".github/workflows/ci.yml": workflow("      - run: |\n          make build\n"
                                               "          kubectl apply -f k8s/\n")},
         (".github/workflows/ci.yml", 12)),
    Case("actions-pinned-to-sha", {".github/workflows/ci.yml": workflow(f"      - uses: actions/checkout@{SHA}\n")},
         {".github/workflows/ci.yml": workflow(f"      - uses: actions/checkout@{SHA}\n"
                                               "      - uses: reviewdog/action-setup@v1\n")},
         (".github/workflows/ci.yml", 11)),
    Case("workflow-permissions-restricted",
         {".github/workflows/ci.yml": workflow("      - run: make\n")},
         {".github/workflows/ci.yml": workflow("      - run: make\n", permissions="permissions: write-all\n")},
         (".github/workflows/ci.yml", 4)),
    Case("no-plaintext-secrets",
         {"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: ENC[AES256_GCM,"
          "data:abc]\nsops:\n  version: 3.9.0\n"},
         {"k8s/secret.yaml": "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\ndata:\n  password: aHVudGVyMg==\n"},
         ("k8s/secret.yaml", 5)),
    Case("secret-management-declared",
         {"k8s/web.yaml": deployment(), ".sops.yaml": "creation_rules:\n  - age: age1xyz\n"},
         {"k8s/web.yaml": deployment().replace("          image:", "          envFrom:\n            - secretRef:\n"
                                               "                name: db\n          image:")},
         ("k8s/web.yaml", 1)),
    Case("images-pinned", {"k8s/web.yaml": deployment("ghcr.io/acme/web:1.2.3@sha256:" + "a" * 64)},
         {"k8s/web.yaml": deployment("nginx:latest")}, ("k8s/web.yaml", 11)),
    Case("helm-chart-versions-pinned",
         {"charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: redis\n"
          "    version: 18.1.2\n    repository: oci://registry.example/charts\n"},
         {"charts/web/Chart.yaml": "apiVersion: v2\nname: web\nversion: 1.0.0\ndependencies:\n  - name: redis\n"
          "    version: '>=18.0.0'\n    repository: oci://registry.example/charts\n"},
         ("charts/web/Chart.yaml", 6)),
    Case("policy-as-code-declared", {"k8s/web.yaml": deployment(), "policies/no-latest.yaml":
                                     KYVERNO.format(action="Enforce")},
         {"k8s/web.yaml": deployment()}, ("", None)),
    Case("policy-enforced", {"policies/no-latest.yaml": KYVERNO.format(action="Enforce")},
         {"policies/no-latest.yaml": KYVERNO.format(action="Audit")}, ("policies/no-latest.yaml", 6)),
    Case("environments-separated",
         {"overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
          "overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
          "base/kustomization.yaml": "resources:\n  - web.yaml\n", "base/web.yaml": deployment()},
         {"k8s/web.yaml": deployment()}, ("", None)),
    Case("appprojects-scoped",
         {"argocd/web.yaml": argo_app().replace("project: default", "project: web"),
          "argocd/project.yaml": "apiVersion: argoproj.io/v1alpha1\nkind: AppProject\nmetadata:\n  name: web\n"
          "spec:\n  sourceRepos: [https://git.example/acme/deploy.git]\n"
          "  destinations:\n    - {server: https://kubernetes.default.svc, namespace: web}\n"},
         {"argocd/web.yaml": argo_app()}, ("argocd/web.yaml", 7)),
    Case("promotion-via-overlays-or-appsets",
         {"overlays/prod/kustomization.yaml": "resources:\n  - ../../base\n",
          "overlays/staging/kustomization.yaml": "resources:\n  - ../../base\n",
          "base/kustomization.yaml": "resources:\n  - web.yaml\n", "base/web.yaml": deployment()},
         {"k8s/web.yaml": deployment()}, ("", None)),
    Case("image-update-automation",
         {"k8s/web.yaml": deployment(), "renovate.json": '{"extends": ["config:recommended"]}\n'},
         {"k8s/web.yaml": deployment()}, ("", None)),
    Case("codeowners-cover-deploy-paths",
         {"k8s/web.yaml": deployment(), ".github/CODEOWNERS": "/k8s/ @acme/platform\n"},
         {"k8s/web.yaml": deployment(), "infra/main.tf": 'resource "null_resource" "x" {}\n',
          ".github/CODEOWNERS": "/k8s/ @acme/platform\n"}, ("infra/main.tf", None)),
    Case("gitops-tooling-owned",
         {"argocd/web.yaml": argo_app(), "CODEOWNERS": "/argocd/ @acme/platform\n"},
         {"argocd/web.yaml": argo_app(), "CODEOWNERS": "/apps/ @acme/web\n"}, ("argocd/web.yaml", None)),
    Case("clusters-declared-as-code", {"fleet/c0.yaml": CAPI.format(name="c0", infra="AWSCluster")},
         {"k8s/web.yaml": deployment()}, ("", None)),
    Case("multiple-clusters", many_clusters(2), many_clusters(1), ("fleet/c0.yaml", 1)),
    Case("self-service-templates",
         {"platform/xrd.yaml": "apiVersion: apiextensions.crossplane.io/v1\nkind: CompositeResourceDefinition\n"
          "metadata:\n  name: xdbs.acme.example\n"},
         {"k8s/web.yaml": deployment()}, ("", None)),
    Case("fleet-control-plane", {"platform/appset.yaml": appset("    - clusters: {}\n")},
         {"platform/appset.yaml": appset("    - list:\n        elements: []\n")}, ("", None)),
    Case("fleet-scale", many_clusters(20), many_clusters(3), ("fleet/c0.yaml", 1)),
    Case("policy-uniform-across-fleet",
         {"platform/appset.yaml": appset("    - clusters: {}\n"), "platform/policies/tags.yaml": GATEKEEPER},
         {"platform/appset.yaml": appset("    - clusters:\n        selector:\n          matchLabels:\n"
                                         "            tier: edge\n"),
          "platform/policies/tags.yaml": GATEKEEPER}, ("platform/policies/tags.yaml", 1)),
]


def test_every_tree_check_has_a_case() -> None:
    tree_checks = [c.spec.id for c in CATALOG if c.spec.sources == ("git",)]
    assert sorted(tree_checks) == sorted(case.check_id for case in CASES)


def _run(case: Case, files: Files, context_of: Callable[[Files], CheckContext]):  # type: ignore[no-untyped-def]
    check = catalogued(case.check_id)
    ctx = context_of(files)
    return check.run(replace(ctx, thresholds=case.thresholds))


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_pass(case: Case, context_of: Callable[[Files], CheckContext]) -> None:
    res = _run(case, case.passing, context_of)
    assert res.outcome is Outcome.PASS, res.message


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_fail_with_evidence(case: Case, context_of: Callable[[Files], CheckContext]) -> None:
    res = _run(case, case.failing, context_of)
    assert res.outcome is Outcome.FAIL, res.message
    path, line = case.fail_ref
    if path:
        assert Ref.file(path, line) in res.refs, [str(r) for r in res.refs]
        if line is not None:
            assert f"{path}:{line}" in [str(r) for r in res.refs]


SECRET = "apiVersion: v1\nkind: Secret\nmetadata:\n  name: db\nstringData:\n  password: {value}\n"


@pytest.mark.parametrize(("path", "value", "outcome", "severity"), [
    ("k8s/db.yaml", "op://platform/db/password", Outcome.PASS, None),            # 1Password reference
    ("k8s/db.yaml", "'<path:kv/data/db#password>'", Outcome.PASS, None),         # argocd-vault-plugin
    ("k8s/db.yaml", "${DB_PASSWORD}", Outcome.PASS, None),                       # Flux substitution
    ("k8s/db.yaml", "changeme", Outcome.FAIL, Severity.HIGH),                    # a default, deployed as is
    ("deploy/examples/db.yaml", "changeme", Outcome.FAIL, Severity.LOW),         # a placeholder in an example
    ("deploy/examples/db.yaml", "k9Lq!x3Vv0", Outcome.FAIL, Severity.LOW),      # an example beside the estate
    ("k8s/db.yaml", "k9Lq!x3Vv0", Outcome.FAIL, Severity.CRITICAL),              # a real-looking value
])
def test_secret_values_by_kind(path: str, value: str, outcome: Outcome, severity: Severity | None,
                               context_of: Callable[[Files], CheckContext]) -> None:
    from assess.checks.runner import run_checks

    ctx = context_of({path: SECRET.format(value=value)})
    finding = run_checks([catalogued("no-plaintext-secrets")], ctx)[0]
    assert finding.outcome is outcome, finding.message
    if severity is not None:
        assert finding.severity is severity
    assert value.strip("'") not in finding.message
    if severity is Severity.LOW:
        assert "no rotation is needed" in finding.message


UPDATER = """name: bump images
on:
  schedule:
    - cron: "0 4 * * 1"
jobs:
  bump:
    runs-on: ubuntu-latest
    steps:
      - run: ./scripts/bump-image-tags.sh
      - uses: peter-evans/create-pull-request@v7
        with:
          title: Update image versions
"""


def test_a_scheduled_workflow_opening_version_prs_is_partial_image_automation(
        context_of: Callable[[Files], CheckContext]) -> None:
    check = catalogued("image-update-automation")
    found = check.run(context_of({"k8s/web.yaml": deployment(), ".github/workflows/bump.yml": UPDATER}))
    assert found.outcome is Outcome.WARN, found.message
    assert [str(r) for r in found.refs] == [".github/workflows/bump.yml:3"]
    # The same workflow run by hand only, or opening pull requests about something else, is no updater.
    manual = UPDATER.replace("  schedule:\n    - cron: \"0 4 * * 1\"\n", "  workflow_dispatch:\n")
    assert check.run(context_of({"k8s/web.yaml": deployment(), ".github/workflows/bump.yml": manual})).outcome \
        is Outcome.FAIL


def _release(version: str) -> str:
    return ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: grafana\nspec:\n  chart:\n"
            f"    spec:\n      chart: grafana\n      version: '{version}'\n")


def _apps(substitute: str) -> str:
    return ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
            f"  namespace: flux-system\nspec:\n  path: ./apps\n  prune: true\n  postBuild:\n{substitute}")


@pytest.mark.parametrize(("substitute", "outcome", "shown"), [
    ("    substitute:\n      grafana_version: 8.5.1\n", Outcome.PASS, ""),
    ("    substitute:\n      grafana_version: 8.x\n", Outcome.FAIL, "'${grafana_version}' = '8.x'"),
    ("    substituteFrom:\n      - kind: ConfigMap\n        name: versions\n", Outcome.FAIL, "= '>=8.0.0'"),
    ("    substituteFrom:\n      - kind: Secret\n        name: versions\n", Outcome.UNKNOWN, "substituted by Flux"),
])
def test_a_substituted_chart_version_is_judged_by_what_git_says_it_becomes(
        substitute: str, outcome: Outcome, shown: str, context_of: Callable[[Files], CheckContext]) -> None:
    files = {"apps/grafana.yaml": _release("${grafana_version}"), "clusters/prod/apps.yaml": _apps(substitute),
             "clusters/prod/versions.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: versions\n"
                                            "data:\n  grafana_version: '>=8.0.0'\n"}
    found = catalogued("helm-chart-versions-pinned").run(context_of(files))
    assert found.outcome is outcome, found.message
    assert shown in found.message
    assert "apps/grafana.yaml:9" in [str(r) for r in found.refs]


def test_a_default_password_in_a_reconciled_workload_is_reported_beside_real_ones(
        context_of: Callable[[Files], CheckContext]) -> None:
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
            "  namespace: flux-system\nspec:\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
            "    name: flux-system\n")
    release = ("apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: db\nspec:\n"
               "  chart:\n    spec:\n      chart: mariadb\n      version: 1.2.3\n  values:\n    env:\n"
               "      MARIADB_ROOT_PASSWORD: password\n")
    files = {"clusters/prod/apps.yaml": flux, "apps/db/helmrelease.yaml": release,
             "apps/app/secret.yaml": SECRET.format(value="k9Lq!x3Vv0")}
    found = catalogued("no-plaintext-secrets").run(context_of(files))
    assert found.outcome is Outcome.FAIL
    assert "1 default or placeholder credential in deployed workloads" in found.message, found.message
    assert {str(r) for r in found.refs} == {"apps/app/secret.yaml:5", "apps/db/helmrelease.yaml:12"}


def test_self_service_reads_values_declared_appsets_and_ignores_what_nothing_applies(
        context_of: Callable[[Files], CheckContext]) -> None:
    check = catalogued("self-service-templates")
    values = ("applicationsets:\n  apps:\n    generators:\n      - git:\n          repoURL: https://git.example/x\n"
              "          directories:\n            - path: apps/*\n    template:\n      spec: {}\n")
    found = check.run(context_of({"system/argocd/values.yaml": values, "system/argocd/Chart.yaml":
                                  "apiVersion: v2\nname: argocd\nversion: 1.0.0\n"}))
    assert found.outcome is Outcome.PASS and "system/argocd/values.yaml:2" in [str(r) for r in found.refs]
    flux = ("apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\n"
            "  namespace: flux-system\nspec:\n  path: ./apps\n  prune: true\n  sourceRef:\n    kind: GitRepository\n"
            "    name: flux-system\n")
    unapplied = check.run(context_of({"clusters/prod/apps.yaml": flux, "apps/web.yaml": deployment(),
                                      "crossplane/xrd.yaml": "apiVersion: apiextensions.crossplane.io/v1\n"
                                      "kind: CompositeResourceDefinition\nmetadata:\n  name: xdbs.acme.example\n"}))
    assert unapplied.outcome is Outcome.FAIL, unapplied.message
