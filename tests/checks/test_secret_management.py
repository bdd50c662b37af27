"""secret-management-declared: Secrets named by Flux objects need a mechanism too; the bootstrap deploy key does not."""

from __future__ import annotations

from collections.abc import Callable

from assess.model.context import CheckContext
from assess.model.finding import Outcome
from tests.conftest import Files, catalogued

BOOTSTRAP = """apiVersion: source.toolkit.fluxcd.io/v1
kind: GitRepository
metadata:
  name: flux-system
  namespace: flux-system
spec:
  url: ssh://git@github.com/acme/fleet
  secretRef:
    name: flux-system
"""
SPOKE = """apiVersion: kustomize.toolkit.fluxcd.io/v1
kind: Kustomization
metadata:
  name: apps
  namespace: flux-system
spec:
  path: ./apps
  prune: true
  sourceRef:
    kind: GitRepository
    name: flux-system
  kubeConfig:
    secretRef:
      name: staging-kubeconfig
---
apiVersion: helm.toolkit.fluxcd.io/v2
kind: HelmRelease
metadata:
  name: grafana
spec:
  chart:
    spec:
      chart: grafana
      version: 8.5.1
  valuesFrom:
    - kind: ConfigMap
      name: grafana-values
    - kind: Secret
      name: grafana-admin
"""


def test_flux_objects_naming_secrets_need_a_mechanism(context_of: Callable[[Files], CheckContext]) -> None:
    check = catalogued("secret-management-declared")
    alone = check.run(context_of({"clusters/prod/flux-system/gotk-sync.yaml": BOOTSTRAP}))
    assert alone.outcome is Outcome.NOT_APPLICABLE, "the bootstrap deploy key is created by `flux bootstrap`"
    found = check.run(context_of({"clusters/prod/flux-system/gotk-sync.yaml": BOOTSTRAP,
                                  "clusters/prod/apps.yaml": SPOKE}))
    assert found.outcome is Outcome.FAIL, found.message
    assert found.message.startswith("2 Flux objects use Secrets"), found.message
    assert sorted(str(r) for r in found.refs) == ["clusters/prod/apps.yaml:13", "clusters/prod/apps.yaml:28"]
    sealed = check.run(context_of({"clusters/prod/apps.yaml": SPOKE, "clusters/prod/secret.yaml":
                                   "apiVersion: secrets-store.csi.x-k8s.io/v1\nkind: SecretProviderClass\n"
                                   "metadata:\n  name: vault\n"}))
    assert sealed.outcome is Outcome.PASS, sealed.message
