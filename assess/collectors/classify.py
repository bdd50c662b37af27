"""Recognise what a repository file is, first by its path, then by its documents."""

from __future__ import annotations

import posixpath
import re

from assess.model.evidence import FileKind, YamlDoc

YAML_SUFFIXES = (".yaml", ".yml")
TEMPLATE_SUFFIXES = (".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".gotmpl")
TEXT_KINDS = frozenset({FileKind.TERRAFORM, FileKind.CODEOWNERS, FileKind.JENKINSFILE, FileKind.DOCKERFILE,
                        FileKind.RENOVATE, FileKind.SOURCE_IGNORE, FileKind.SCRIPT})
MAX_TEXT_BYTES = 2 * 1024 * 1024

# Kinds whose full body the checks need; other documents keep only their header.
BODY_KINDS = frozenset({
    "Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job", "Pod", "ReplicaSet",
    "Application", "ApplicationSet", "AppProject",
    "GitRepository", "OCIRepository", "HelmRepository", "HelmChart", "Bucket", "ArtifactGenerator", "ExternalArtifact",
    "FluxInstance",
    "Kustomization", "HelmRelease", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation",
    "ConstraintTemplate", "ClusterPolicy", "Policy", "ValidatingPolicy", "ValidatingAdmissionPolicy",
    "Cluster", "Composition", "CompositeResourceDefinition", "Template", "PodTemplate", "ReplicationController",
    "DeploymentConfig", "Rollout", "List",
    "Secret", "SecretList", "SealedSecret", "ExternalSecret", "SecretStore", "ClusterSecretStore",
    "ConfigMap",  # Flux `substituteFrom` values
})

# JSON files that are never Kubernetes manifests (tooling configs, lock files).
JSON_NOISE = frozenset({"package.json", "package-lock.json", "composer.json", "composer.lock", "tsconfig.json",
                        "jsconfig.json", ".eslintrc.json", "tslint.json", "lerna.json", "nx.json", "angular.json",
                        "deno.json", ".babelrc.json", "turbo.json", "vercel.json", "app.json", "manifest.json",
                        "launch.json", "settings.json", "extensions.json", "devcontainer.json", ".devcontainer.json"})
ACTIONS_FOLDERS = (".github/workflows/", ".forgejo/workflows/", ".gitea/workflows/")
OTHER_CI_FILES = frozenset({".woodpecker.yml", ".woodpecker.yaml", ".drone.yml", ".drone.yaml", "azure-pipelines.yml",
                            "azure-pipelines.yaml", "bitbucket-pipelines.yml", ".travis.yml", "codefresh.yml",
                            "codefresh.yaml", "cloudbuild.yaml", "cloudbuild.yml", ".cirrus.yml", "buildspec.yml"})
OTHER_CI_FOLDERS = (".woodpecker/", ".buildkite/", ".tekton/", ".azure-pipelines/", ".codefresh/")
_CODEOWNERS = {"CODEOWNERS", ".github/CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS"}
_RENOVATE = {"renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json", ".renovaterc.json5",
             ".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
             "package.json"}  # package.json counts only with a "renovate" key (checked on reading)
_TEMPLATE_MARK = re.compile(r"\{\{|\{%")


def path_kinds(path: str) -> set[FileKind]:
    """File kinds that follow from the path alone."""
    name = posixpath.basename(path)
    lower = name.lower()
    kinds: set[FileKind] = set()
    if path.startswith(ACTIONS_FOLDERS) and lower.endswith(YAML_SUFFIXES):
        kinds.add(FileKind.GITHUB_WORKFLOW)  # GitHub, Forgejo and Gitea Actions share the workflow syntax
    if path in OTHER_CI_FILES or (path.startswith(OTHER_CI_FOLDERS) and lower.endswith(YAML_SUFFIXES)):
        kinds.add(FileKind.CI_OTHER)
    if lower.endswith(".gitlab-ci.yml") or lower == ".gitlab-ci.yml":
        kinds.add(FileKind.GITLAB_CI)
    if name.startswith("Jenkinsfile"):
        kinds.add(FileKind.JENKINSFILE)
    if name in ("Makefile", "GNUmakefile") or lower.endswith((".mk", ".sh", ".bash")):
        kinds.add(FileKind.SCRIPT)
    if path == ".circleci/config.yml":
        kinds.add(FileKind.CIRCLECI)
    if path in _CODEOWNERS:
        kinds.add(FileKind.CODEOWNERS)
    if name in ("OWNERS", "OWNERS_ALIASES"):
        kinds.add(FileKind.OWNERS)
    if path in _RENOVATE:
        kinds.add(FileKind.RENOVATE)
    if path in (".github/dependabot.yml", ".github/dependabot.yaml"):
        kinds.add(FileKind.DEPENDABOT)
    if path in ("zizmor.yml", "zizmor.yaml", ".github/zizmor.yml", ".github/zizmor.yaml"):
        kinds.add(FileKind.ZIZMOR_CONFIG)
    if name == ".sourceignore":
        kinds.add(FileKind.SOURCE_IGNORE)
    if lower == ".sops.yaml":
        kinds.add(FileKind.SOPS)
    if lower.endswith(".json") and lower not in JSON_NOISE and "node_modules/" not in path and not kinds:
        kinds.add(FileKind.JSON_MANIFEST)
    if lower in ("talconfig.yaml", "talconfig.yml"):
        kinds.add(FileKind.TALOS)
    if lower in ("chart.yaml", "chart.yml"):
        kinds.add(FileKind.HELM_CHART)
    if lower.startswith("values") and lower.endswith(YAML_SUFFIXES):
        kinds.add(FileKind.HELM_VALUES)
    if lower in ("kustomization.yaml", "kustomization.yml", "kustomization"):
        kinds.add(FileKind.KUSTOMIZATION)
    if lower.endswith((".tf", ".tf.json", ".tfvars")) or lower == "terragrunt.hcl":
        kinds.add(FileKind.TERRAFORM)
    if lower.startswith(("dockerfile", "containerfile")) or lower.endswith(".dockerfile"):
        kinds.add(FileKind.DOCKERFILE)
    if lower.endswith(TEMPLATE_SUFFIXES) and any(s in lower for s in YAML_SUFFIXES):
        kinds.add(FileKind.TEMPLATED)
    elif lower.endswith(YAML_SUFFIXES) and FileKind.KUSTOMIZATION not in kinds:
        kinds.add(FileKind.YAML)
    return kinds


def is_helm_template(path: str, chart_dirs: set[str]) -> bool:
    """A file under `templates/` of a directory that holds a Chart.yaml."""
    parts = path.split("/")
    return any(part == "templates" and "/".join(parts[:i]) in chart_dirs for i, part in enumerate(parts[:-1]))


_TALOS_MACHINE = re.compile(r"^machine:\s*$", re.MULTILINE)
_TALOS_CLUSTER = re.compile(r"^cluster:\s*$", re.MULTILINE)


def looks_like_talos(text: str) -> bool:
    """A Talos machine configuration: top-level `machine:` and `cluster:` sections (a patch has only one)."""
    return _TALOS_MACHINE.search(text) is not None and _TALOS_CLUSTER.search(text) is not None


def looks_templated(text: str) -> bool:
    """Go-template or Jinja markers that make a file not plain YAML."""
    return _TEMPLATE_MARK.search(text) is not None


def wants_content(kinds: set[FileKind]) -> bool:
    """Whether the collector needs to read the blob at all."""
    return bool(kinds)


def doc_kinds(doc: YamlDoc) -> set[FileKind]:
    """File kinds implied by one parsed document."""
    if doc.kind and doc.api_version:
        return {FileKind.KUBERNETES}
    if _looks_like_pipeline(doc.body):
        return {FileKind.CI_OTHER}
    return set()


def _looks_like_pipeline(body: object) -> bool:
    """A pipeline of container steps wherever it is kept (Codefresh `build/ci.yml`, Woodpecker, Drone): `steps` whose
    entries run commands in an image."""
    if not isinstance(body, dict) or "steps" not in body:
        return False
    steps = body["steps"]
    items = list(steps.values()) if isinstance(steps, dict) else steps if isinstance(steps, list) else []
    return any(isinstance(s, dict) and ("image" in s or "type" in s) and ("commands" in s or "arguments" in s)
               for s in items)
