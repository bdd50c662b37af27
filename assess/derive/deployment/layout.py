"""Environments when no reconciler applies the repository: per-environment folders, referenced values files,
Terraform variable files and the paths CI deploy commands apply (pure)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from assess.derive.ci import ci_commands
from assess.derive.deployment.grouping import DECLARATION_KINDS, ENV_PARENTS, NOT_CLUSTERS, closure, env_name, is_env
from assess.derive.deployment.paths import Found, PathTree, list_of, norm
from assess.model.deployment import DeploymentMap, EnvBasis
from assess.model.evidence import FileKind, RepoEvidence

VALUES_ENV = re.compile(r"^(.*/)?values[-.]([a-z0-9_-]+)\.ya?ml$")
TFVARS_ENV = re.compile(r"^(?:(.*)/)?([a-z0-9_-]+)\.tfvars$")


def from_layout(ev: RepoEvidence, tree: PathTree, found: Found) -> DeploymentMap:
    """No reconciler applies this repository: environments from per-environment folders, referenced values files,
    Terraform variable files, and the paths CI deploy commands apply."""
    globs: dict[str, set[str]] = {}
    how: dict[str, str] = {}
    referenced = _referenced_text(ev)
    charts = {posixpath.dirname(f.path) for f in ev.files if FileKind.HELM_CHART in f.kinds}
    for f in ev.files:
        if not set(f.kinds) & DECLARATION_KINDS:
            continue
        parts = f.path.split("/")
        for i, part in enumerate(parts[:-1]):
            if i > 0 and parts[i - 1].lower() in ENV_PARENTS and part.lower() not in NOT_CLUSTERS:
                root = "/".join(parts[: i + 1])
                globs.setdefault(part, set()).add(root + "/**")
                how.setdefault(part, f"folder {root}/")
                break
        else:
            values = VALUES_ENV.match(f.path)
            if values and is_env(values.group(2)) and posixpath.basename(f.path) in referenced:
                chart = posixpath.dirname(f.path)
                shared = {f"{chart}/templates/**", f"{chart}/values.yaml", f"{chart}/Chart.yaml"} \
                    if chart in charts else set()
                globs.setdefault(values.group(2), set()).update({f.path} | shared)
                how.setdefault(values.group(2), f"values file {f.path} (referenced)")
                continue
            tfvars = TFVARS_ENV.match(f.path)
            if tfvars and is_env(tfvars.group(2)):
                directory = tfvars.group(1) or ""
                env = tfvars.group(2)
                globs.setdefault(env, set()).update({f.path, f"{directory}/*.tf" if directory else "*.tf"})
                how.setdefault(env, f"Terraform variables {f.path}")
    for path, line, applied in _ci_deploy_paths(ev):
        if not tree.expand(applied):
            found.warnings.append(f"CI deploy command at {path}:{line} applies ./{applied}, which matches no file "
                                  "in this repository")
            continue
        env = env_name(applied) or "production"
        globs.setdefault(env, set()).add(f"{applied}/**" if applied in tree.dirs else applied)
        how.setdefault(env, f"CI deploy command at {path}:{line} applies ./{applied}")
    if not globs:
        return DeploymentMap(basis=EnvBasis.NONE, external=tuple(found.external), warnings=tuple(found.warnings))
    kustomizations = {posixpath.dirname(d.path): d for d in ev.docs
                      if FileKind.KUSTOMIZATION in ev.kinds_by_path.get(d.path, ())}
    for pats in globs.values():
        for pattern in list(pats):
            if pattern.endswith("/**"):
                pats |= closure(pattern[:-3], kustomizations, tree)
    environments = {env: tuple(sorted(p)) for env, p in sorted(globs.items())}
    return DeploymentMap(environments, EnvBasis.LAYOUT, how, external=tuple(found.external),
                         warnings=tuple(found.warnings))


CI_APPLY = re.compile(r"\b(?:kubectl|oc)\b.*?\bapply\b.*?(?:-f|--filename|-k|--kustomize)[= ]+([^\s;|&]+)")
CI_KUSTOMIZE = re.compile(r"\bkustomize\s+build\s+([^\s;|&]+)")
CI_HELM = re.compile(r"\bhelm\s+(?:upgrade|install)\b(.*)")


def _ci_deploy_paths(ev: RepoEvidence) -> Iterator[tuple[str, int, str]]:
    """(file, line, repository path) of what CI deploy commands apply."""
    for cmd in ci_commands(ev):
        if cmd.uses is not None:
            continue
        for rx in (CI_APPLY, CI_KUSTOMIZE):
            m = rx.search(cmd.text)
            if m and "$" not in m.group(1) and "://" not in m.group(1) and m.group(1) != "-":
                yield cmd.path, cmd.line, norm(m.group(1))
        helm = CI_HELM.search(cmd.text)
        if helm:
            words = [w for w in helm.group(1).split() if not w.startswith("-")]
            chart = words[1] if len(words) > 1 else None
            if chart and (chart.startswith(("./", "../")) or "/" in chart) and "$" not in chart \
                    and "://" not in chart:
                yield cmd.path, cmd.line, norm(chart)


def _referenced_text(ev: RepoEvidence) -> set[str]:
    """File names mentioned by CI commands, Argo CD value files and HelmRelease values files."""
    names: set[str] = set()
    for cmd in ci_commands(ev):
        names |= {posixpath.basename(w.strip("'\"")) for w in cmd.text.replace("=", " ").split()}
    for doc in ev.docs:
        for key in ("spec.source.helm.valueFiles", "spec.chart.spec.valuesFiles"):
            names |= {posixpath.basename(v) for v in list_of(doc.get(key)) if isinstance(v, str)}
    return names
