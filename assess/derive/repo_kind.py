"""What a repository is, before judging it as a GitOps estate: estate, product source, examples, policy library or
template (pure)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

import pathspec

from assess.model.deployment import DeploymentMap, EnvBasis
from assess.model.evidence import FileKind, RepoEvidence
from assess.model.wording import plural

# Folders whose YAML describes tests, documentation or demos, not what runs: deep ones at any depth, the rest at the
# top of the repository (a `clusters/test/` environment must stay in).
DEFAULT_EXCLUDES = ("testdata/", "fixtures/", "__fixtures__/", "vendor/", "node_modules/", "/test/", "/tests/",
                    "/docs/", "/examples/", "/hack/")
SOURCE_EXTENSIONS = frozenset({".go", ".py", ".ts", ".tsx", ".js", ".jsx", ".java", ".rs", ".rb", ".cs", ".kt",
                               ".scala", ".php", ".swift", ".c", ".cc", ".cpp", ".h", ".hpp", ".ex", ".clj"})
BUILD_MANIFESTS = frozenset({"go.mod", "package.json", "Cargo.toml", "pyproject.toml", "setup.py", "pom.xml",
                             "build.gradle", "build.gradle.kts", "Gemfile", "composer.json", "mix.exs",
                             "CMakeLists.txt", "Makefile.am"})
TEMPLATE_CONFIGS = frozenset({"makejinja.toml", "copier.yml", "copier.yaml", "cookiecutter.json"})
POLICY_KINDS = frozenset({"ConstraintTemplate", "ClusterPolicy", "Policy", "ValidatingPolicy",
                          "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingPolicy",
                          "Assign", "AssignMetadata", "ModifySet", "AssignImage", "ClusterCleanupPolicy"})
POLICY_GROUPS = ("constraints.gatekeeper.sh", "kyverno.io", "mutations.gatekeeper.sh", "templates.gatekeeper.sh")
# Test suites of policy libraries (gator, kyverno CLI) and the admission requests they replay.
POLICY_TEST_GROUPS = ("test.gatekeeper.sh", "cli.kyverno.io", "admission.k8s.io")
DECLARATIONS = frozenset({FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART, FileKind.HELM_TEMPLATE,
                          FileKind.HELM_VALUES, FileKind.TERRAFORM, FileKind.TEMPLATED})
MIN_SOURCE_FILES = 20


class RepoKind(StrEnum):
    """What a repository is."""

    ESTATE = "gitops-estate"
    PRODUCT = "product-source"
    EXAMPLES = "examples"
    POLICY = "policy-library"
    TEMPLATE = "template"


@dataclass(frozen=True)
class KindVerdict:
    """The kind, why, and whether the user chose it."""

    kind: RepoKind
    reason: str
    overridden: bool = False


def exclusion(exclude: tuple[str, ...] | None, include: tuple[str, ...] = ()) -> pathspec.GitIgnoreSpec:
    """The paths kept out of estate evidence: the defaults (or the config's list), minus what the config includes."""
    lines = list(DEFAULT_EXCLUDES if exclude is None else exclude) + [f"!{p}" for p in include]
    return pathspec.GitIgnoreSpec.from_lines(lines)


# Repository governance files count wherever the forge reads them (GitHub reads docs/CODEOWNERS).
GOVERNANCE = frozenset({FileKind.CODEOWNERS, FileKind.OWNERS, FileKind.RENOVATE, FileKind.DEPENDABOT})
# CI runs the repository's scripts wherever they live (hack/, test/): they are read to follow a CI step.
ALWAYS_KEPT = GOVERNANCE | {FileKind.SCRIPT}


def estate_view(ev: RepoEvidence, spec: pathspec.GitIgnoreSpec) -> RepoEvidence:
    """The tree without excluded paths (tests, fixtures, docs, examples, vendored code)."""
    kept = tuple(f for f in ev.files if not spec.match_file(f.path) or ALWAYS_KEPT & set(f.kinds))
    if len(kept) == len(ev.files):
        return ev
    paths = {f.path for f in kept}
    return replace(ev, files=kept, docs=tuple(d for d in ev.docs if d.path in paths))


def classify_repository(full: RepoEvidence, estate: RepoEvidence, deployment: DeploymentMap,
                        forced: str | None = None) -> KindVerdict:
    """Decide what the repository is from its files, what is excluded, and what reconcilers apply."""
    if forced:
        return KindVerdict(RepoKind(forced), f"set by the user ({forced})", overridden=True)
    stats = full.stats
    reconciled = deployment.basis is EnvBasis.RECONCILER
    declarations = [f for f in full.files if set(f.kinds) & DECLARATIONS]
    kept = [f for f in estate.files if set(f.kinds) & DECLARATIONS]
    excluded = len(declarations) - len(kept)
    templated = [f for f in full.files if FileKind.TEMPLATED in f.kinds and FileKind.HELM_TEMPLATE not in f.kinds]
    template_config = sorted(TEMPLATE_CONFIGS & set(stats.root_files))
    if template_config and len(templated) >= max(5, len(kept) - len(templated)):
        return KindVerdict(RepoKind.TEMPLATE, f"a template others copy: {template_config[0]} renders "
                           f"{plural(len(templated), 'templated file')} into the repositories made from it")
    k8s_docs = [d for d in estate.docs if d.kind and d.api_version]
    policies = [d for d in k8s_docs if d.kind in POLICY_KINDS or d.group.endswith(POLICY_GROUPS)]
    tests = [d for d in k8s_docs if d.group.endswith(POLICY_TEST_GROUPS)]
    if not reconciled and len(policies) >= 5 and (len(policies) + len(tests)) * 10 >= 3 * len(k8s_docs):
        return KindVerdict(RepoKind.POLICY, f"a policy library: {len(policies):,} policies or constraints and "
                           f"{len(tests):,} policy test documents among {len(k8s_docs):,} Kubernetes documents (the "
                           "rest are their examples), and no reconciler applies this repository")
    source_files = sum(n for ext, n in stats.by_extension.items() if ext in SOURCE_EXTENSIONS)
    manifests = sorted(BUILD_MANIFESTS & set(stats.root_files))
    if manifests and source_files >= MIN_SOURCE_FILES and (not reconciled or source_files >= 3 * len(kept)):
        main_ext = max((e for e in stats.by_extension if e in SOURCE_EXTENSIONS), key=lambda e: stats.by_extension[e])
        return KindVerdict(RepoKind.PRODUCT, f"a code project ({manifests[0]}, {source_files:,} source files, mostly "
                           f"{main_ext}): {excluded:,} of {len(declarations):,} declaration files are tests, fixtures, "
                           "docs or examples" + ("" if reconciled else ", and no reconciler applies this repository"))
    if not kept and excluded:
        return KindVerdict(RepoKind.EXAMPLES, f"a catalogue of examples: all {excluded:,} declaration files sit in "
                           "example, documentation or test folders")
    return KindVerdict(RepoKind.ESTATE, "declarations applied by a reconciler" if reconciled else
                       "declarations in Git" if kept else "no declarations found")
