"""Argo CD apps as real estates declare them: ApplicationSet templates and templatePatch, Applications rendered by
a Helm `range`, and the project each app names."""

from __future__ import annotations

from collections.abc import Callable

from assess.model.context import CheckContext
from assess.model.finding import Outcome
from tests.conftest import Files, catalogued

APPSET = """apiVersion: argoproj.io/v1alpha1
kind: ApplicationSet
metadata:
  name: apps
spec:
  goTemplate: true
  generators:
    - list:
        elements:
          - name: web
  template:
    metadata:
      name: '{{.name}}'
    spec:
      project: platform
      source:
        repoURL: https://git.example/acme/deploy.git
        path: 'apps/{{.name}}'
      destination:
        name: in-cluster
  templatePatch: |
    spec:
      syncPolicy:
        automated:
          prune: true
          selfHeal: true
"""
RANGED = """{{- range .Values.apps }}
---
apiVersion: argoproj.io/v1alpha1
kind: Application
metadata:
  name: {{ .name }}
spec:
  project: default
  source:
    repoURL: https://git.example/acme/deploy.git
    path: apps/{{ .name }}
  syncPolicy:
    automated:
      prune: true
      selfHeal: true
{{- end }}
"""


def test_template_patch_sets_the_sync_policy(context_of: Callable[[Files], CheckContext]) -> None:
    ctx = context_of({"argocd/apps.yaml": APPSET, "apps/web/cm.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    for check_id in ("auto-sync-enabled", "prune-enabled", "self-heal-enabled"):
        found = catalogued(check_id).run(ctx)
        assert found.outcome is Outcome.PASS, (check_id, found.message)


def test_apps_rendered_by_a_range_count_as_at_least(context_of: Callable[[Files], CheckContext]) -> None:
    ctx = context_of({"charts/apps/Chart.yaml": "apiVersion: v2\nname: apps\nversion: 1.0.0\n",
                      "charts/apps/templates/apps.yaml": RANGED})
    declared = catalogued("reconciler-declared").run(ctx)
    assert declared.outcome is Outcome.PASS and declared.message.startswith("at least 1 reconciled unit")
    projects = catalogued("appprojects-scoped").run(ctx)
    assert projects.outcome is Outcome.FAIL and "built-in `default` project" in projects.message
