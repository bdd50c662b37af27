"""From entry points to environments: what each applies (Kustomize followed), which entry point applies which,
and the environment names the top of each chain gives (pure)."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator

from assess.derive.deployment.paths import MAX_DEPTH, Found, Ignore, PathTree, glob_regex, ignored, list_of, norm
from assess.model.deployment import DeploymentMap, EntryPoint, EnvBasis
from assess.model.evidence import FileKind, RepoEvidence, YamlDoc
from assess.model.wording import plural

ENV_NAMES = frozenset({"dev", "development", "test", "testing", "qa", "stage", "staging", "uat", "preprod",
                       "pre-prod", "prod", "production", "prd", "live", "sandbox", "perf", "demo", "int",
                       "integration", "load"})
ENV_WORD = re.compile(r"^(" + "|".join(sorted(ENV_NAMES, key=len, reverse=True)) + r")([-_][a-z0-9-]+)?$")
ENV_PARENTS = frozenset({"overlays", "envs", "environments", "env", "clusters", "cluster"})
# Directories under kubernetes/ that hold shared content rather than one cluster's state.
NOT_CLUSTERS = frozenset({
    "apps", "app", "applications", "base", "bases", "components", "component", "infrastructure", "infra", "core",
    "flux", "flux-system", "bootstrap", "system", "platform", "common", "shared", "templates", "crds", "config",
    "configs", "tenants", "namespaces", "overlays", "lib", "libs", "modules", "charts", "monitoring", "networking",
    "storage", "security", "addons", "argocd", "argo-cd", "argo", "manifests", "deploy", "services", "operators",
    "controllers", "clusters", "cluster", "global", "default", "archive", "policies", "secrets", "utils", "tools",
})
# What a per-cluster folder (`kubernetes/<cluster>/…`) holds; `kubernetes/<app>/ks.yaml` is an app, not a cluster.
CLUSTER_CONTENT = frozenset({"apps", "flux", "bootstrap", "infrastructure", "infra", "cluster", "clusters", "core",
                             "components", "system", "platform", "talos", "config", "flux-system", "argocd"})
DECLARATION_KINDS = frozenset({FileKind.KUBERNETES, FileKind.KUSTOMIZATION, FileKind.HELM_CHART,
                               FileKind.HELM_TEMPLATE, FileKind.TERRAFORM, FileKind.HELM_VALUES, FileKind.TEMPLATED})


def from_entry_points(ev: RepoEvidence, tree: PathTree, found: Found) -> DeploymentMap:
    """Follow each entry point's folder through Kustomize references, name it after the topmost entry point of
    the chain that applies it, and group the folders into environments."""
    kustomizations = {posixpath.dirname(d.path): d for d in ev.docs
                      if FileKind.KUSTOMIZATION in ev.kinds_by_path.get(d.path, ())}
    entries = _reachable(found)
    closures = {id(e): {e.file} | closure(e.applies, kustomizations, tree) for e in entries}
    if any(_is_bootstrap(e) for e in entries):
        entries = _from_bootstrap(entries, closures, found)
    else:
        entries += _inferred_bootstraps(entries, closures, tree)
        for e in entries:
            closures.setdefault(id(e), {e.file} | closure(e.applies, kustomizations, tree))
    parents = _parents(entries, closures)
    envs: dict[str, set[str]] = {}
    how: dict[str, str] = {}
    shared: set[str] = set()
    owner: dict[str, str] = {}  # declaring file -> the environment its entry point belongs to
    for entry in entries:
        named = _named(entry, parents)
        if named:
            envs.setdefault(named[0], set()).update(closures[id(entry)])
            how.setdefault(named[0], named[1].describe())
            owner.setdefault(entry.file, named[0])
        else:
            shared |= closures[id(entry)]
    if not envs:
        roots = [e for e in entries if parents[id(e)] is None]
        envs["production"] = shared
        how["production"] = "one reconciled target, no environment naming: " + "; ".join(
            r.describe() for r in roots[:3]) + ("; …" if len(roots) > 3 else "")
    elif shared:
        for env in envs:
            envs[env] |= _shared_for(env, shared, owner, tree)
    environments = {env: tuple(sorted(_without_ignored(globs, found.ignored, tree)))
                    for env, globs in sorted(envs.items())}
    reach = {f"{e.file}:{e.line}": tuple(sorted(closures[id(e)])) for e in entries}
    return DeploymentMap(environments, EnvBasis.RECONCILER, how, tuple(entries), tuple(found.external),
                         _not_deployed(ev, environments), tuple(found.warnings), reach)


def _shared_for(env: str, shared: set[str], owner: dict[str, str], tree: PathTree) -> set[str]:
    """What unnamed entry points apply, as it reaches one environment: a hub's folder holds one file per spoke, and
    `hub/staging.yaml` is not a production change."""
    foreign = {f for f, e in owner.items() if e != env}
    out: set[str] = set()
    for glob in shared:
        if glob.endswith("**") and foreign:
            rx = glob_regex((glob,))
            if any(rx.match(f) for f in foreign):
                out |= {p for p in tree.paths if rx.match(p) and p not in foreign}
                continue
        if glob not in foreign:
            out.add(glob)
    return out


def _is_bootstrap(entry: EntryPoint) -> bool:
    """What the cluster reconciles first: a bootstrap folder, a FluxInstance sync, or the `flux-system`
    Kustomization that `flux bootstrap` writes."""
    return entry.kind == "bootstrap" or (entry.kind == "Kustomization" and entry.name == "flux-system")


def _from_bootstrap(entries: list[EntryPoint], closures: dict[int, set[str]], found: Found) -> list[EntryPoint]:
    """With the bootstrap path known, Flux objects it does not reach (directly or through other Flux objects) are
    applied by nothing: a Kustomization whose overlay line is commented out is not deployed."""
    parents = _parents(entries, closures)
    kept: list[EntryPoint] = []
    dropped: dict[str, int] = {}
    for entry in entries:
        node: EntryPoint | None = entry
        seen: set[int] = set()
        while node is not None and not _is_bootstrap(node) and id(node) not in seen:
            seen.add(id(node))
            node = parents[id(node)]
        if node is not None or entry.tool != "Flux":
            kept.append(entry)
        else:
            folder = posixpath.dirname(entry.file)
            dropped[folder] = dropped.get(folder, 0) + 1
    if dropped:
        sample = ", ".join(sorted(dropped)[:5]) + (", …" if len(dropped) > 5 else "")
        total = sum(dropped.values())
        found.warnings.append(f"{plural(total, 'Flux object')} {'is' if total == 1 else 'are'} not reached from "
                              "the bootstrap path "
                              f"(nothing applies them): not counted as deployed ({sample})")
    return kept


def _parents(entries: list[EntryPoint], closures: dict[int, set[str]]) -> dict[int, EntryPoint | None]:
    """For each entry point, the entry point whose applied content holds the file declaring it (the most specific
    one when several do; never one declared in the same file)."""
    matchers = [(e, glob_regex(tuple(closures[id(e)] - {e.file}))) for e in entries]
    out: dict[int, EntryPoint | None] = {}
    for entry in entries:
        best: EntryPoint | None = None
        for other, rx in matchers:
            if other.file == entry.file or not rx.match(entry.file):
                continue
            if best is None or len(other.applies) > len(best.applies):
                best = other
        out[id(entry)] = best
    return out


def _inferred_bootstraps(entries: list[EntryPoint], closures: dict[int, set[str]],
                         tree: PathTree) -> list[EntryPoint]:
    """Root Flux objects on the bootstrap source live in the folder `flux bootstrap` (or a FluxInstance `sync.path`)
    reconciles: that folder is deployed too, even when the bootstrap manifests are not committed."""
    parents = _parents(entries, closures)
    out: list[EntryPoint] = []
    known = {e.applies for e in entries if e.kind == "bootstrap"}
    for e in entries:
        if parents[id(e)] is None and e.tool == "Flux" and e.kind == "Kustomization" and "flux-system" in e.source:
            folder = posixpath.dirname(e.file)
            if folder not in known:
                known.add(folder)
                out.append(EntryPoint("Flux", "bootstrap", "flux-system", e.file, 1, folder,
                                      "the folder holding root Flux objects (bootstrap path, inferred)",
                                      inferred=True))
    return out


def _reachable(found: Found) -> list[EntryPoint]:
    """Entry points something applies: a root declared outside what its own source delivers is dead (an
    `.archive/` folder beside an OCI artifact built from `./kubernetes`), and so is everything only it applies."""
    entries = list(found.entry_points)
    dead = list(found.stale)
    while True:
        parents = _parents(entries, {id(e): {e.file, f"{e.applies}/**" if e.applies else "**"} for e in entries})
        newly = [e for e in entries if e.outside_source and parents[id(e)] is None]
        dead += newly
        entries = [e for e in entries if e not in newly]
        if not newly:
            break
    if dead:
        groups: dict[str, int] = {}
        for e in dead:
            folder = "/".join(e.file.split("/")[:2])
            groups[folder] = groups.get(folder, 0) + 1
        found.warnings += [f"{plural(n, 'Flux object')} under {folder}/ {'is' if n == 1 else 'are'} declared "
                           "outside the content their source "
                           "delivers, and nothing else applies them: not counted as deployed"
                           for folder, n in sorted(groups.items())]
    return entries


def _named(entry: EntryPoint, parents: dict[int, EntryPoint | None]) -> tuple[str, EntryPoint] | None:
    """The environment an entry point belongs to: the naming nearest the top of the chain applying it (the cluster
    decides; a folder called `development` deep inside one cluster's apps is a namespace, not an environment)."""
    chain: list[EntryPoint] = []
    node: EntryPoint | None = entry
    while node is not None and node not in chain:
        chain.append(node)
        node = parents.get(id(node))
    for node in reversed(chain):
        name = node.environment or env_name(node.applies) or env_name(node.file)
        if name:
            return name, node
    return None


def _without_ignored(globs: set[str], specs: list[Ignore], tree: PathTree) -> set[str]:
    """Replace folder globs that contain ignored content by their non-ignored children (source `ignore` rules)."""
    if not specs:
        return globs
    out: set[str] = set()
    for glob in globs:
        out |= _split_ignored(glob, specs, tree, 0)
    return out


def _split_ignored(glob: str, specs: list[Ignore], tree: PathTree, depth: int) -> set[str]:
    if not (glob == "**" or glob.endswith("/**")):
        return set() if ignored(glob, specs) else {glob}
    base = glob.removesuffix("**").rstrip("/")
    if base and ignored(base, specs):
        return set()
    inside = list(tree.under(base))
    if not any(ignored(p, specs) for p in inside):
        return {glob}
    if depth > MAX_DEPTH:
        return {p for p in inside if not ignored(p, specs)}
    prefix = f"{base}/" if base else ""
    children = {prefix + p[len(prefix):].split("/", 1)[0] for p in inside}
    out: set[str] = set()
    for child in children:
        out |= _split_ignored(child + "/**", specs, tree, depth + 1) if child in tree.dirs else (
            set() if ignored(child, specs) else {child})
    return out


def closure(directory: str, kustomizations: dict[str, YamlDoc], tree: PathTree, depth: int = 0) -> set[str]:
    """What applying a folder applies. With a kustomization.yaml: that file and what it lists, followed
    transitively (a folder it does not list is not applied). Without one: every manifest in it, and each sub-folder
    applied the same way (as Flux generates a kustomization); `folder/**` when nothing below lists anything."""
    if directory not in tree.dirs or depth > MAX_DEPTH:
        return {directory} if directory in tree.files else set()
    doc = kustomizations.get(directory)
    if doc is not None and isinstance(doc.body, dict):
        out = {doc.path}
        for ref in _kustomize_refs(doc):
            target = norm(posixpath.join(directory, ref))
            if target.startswith(".."):
                continue
            if target in tree.dirs:
                out |= closure(target, kustomizations, tree, depth + 1)
            elif target in tree.files:
                out.add(target)
        return out
    prefix = f"{directory}/" if directory else ""
    if doc is None and f"{prefix}Chart.yaml" in tree.files:
        # A Helm chart: its templates and default values; another values-*.yaml applies only where a source names
        # it (`helm.valueFiles`, added as an entry point of its own).
        return {p for p in tree.under(directory) if not _extra_values(p, directory)}
    if doc is None and not any(k.startswith(prefix) for k in kustomizations if k != directory):
        return {f"{directory}/**" if directory else "**"}
    files, subdirs = tree.children.get(directory, ([], []))
    out = set(files)
    for sub in subdirs:
        out |= closure(sub, kustomizations, tree, depth + 1)
    return out


def _extra_values(path: str, chart: str) -> bool:
    """A values file beside a chart's own values.yaml (values-seed.yaml, values-prod.yaml)."""
    name = posixpath.basename(path)
    return (posixpath.dirname(path) == chart and name.startswith("values") and name.endswith((".yaml", ".yml"))
            and name not in ("values.yaml", "values.yml"))


def _kustomize_refs(doc: YamlDoc) -> Iterator[str]:
    """Local paths a kustomization.yaml builds from (resources, components, patches, generator files)."""
    for key in ("resources", "bases", "components", "patchesStrategicMerge", "crds"):
        for entry in list_of(doc.get(key)):
            if isinstance(entry, str) and "://" not in entry and not entry.startswith("github.com/"):
                yield entry
    for key in ("patches", "patchesJson6902"):
        for entry in list_of(doc.get(key)):
            if isinstance(entry, dict) and isinstance(entry.get("path"), str):
                yield entry["path"]
    for key in ("configMapGenerator", "secretGenerator"):
        for gen in list_of(doc.get(key)):
            for item in list_of(gen.get("files") if isinstance(gen, dict) else None):
                if isinstance(item, str):
                    yield item.split("=", 1)[-1]
    for chart in list_of(doc.get("helmCharts")):
        if isinstance(chart, dict) and isinstance(chart.get("valuesFile"), str):
            yield chart["valuesFile"]


def env_name(path: str) -> str | None:
    """The environment a path names: `clusters/<name>`, `overlays/<env>`, an env word, or `kubernetes/<cluster>`."""
    parts = [p for p in path.split("/") if p]
    for i, part in enumerate(parts[:-1] if posixpath.splitext(path)[1] else parts):
        low = part.lower()
        if i > 0 and parts[i - 1].lower() in ENV_PARENTS and low not in NOT_CLUSTERS:
            return part
        if ENV_WORD.match(low):
            return part
        if (i > 0 and parts[i - 1].lower() in ("kubernetes", "k8s") and low not in NOT_CLUSTERS
                and i + 1 < len(parts) and parts[i + 1].lower() in CLUSTER_CONTENT):
            return part
    return None


def _not_deployed(ev: RepoEvidence, environments: dict[str, tuple[str, ...]]) -> tuple[tuple[str, int], ...]:
    """Declaration files no environment covers, grouped by their first two folders."""
    matcher = glob_regex(tuple(g for globs in environments.values() for g in globs))
    counts: dict[str, int] = {}
    for f in ev.files:
        if not set(f.kinds) & DECLARATION_KINDS or matcher.match(f.path):
            continue
        head = "/".join(f.path.split("/")[:2]) if "/" in f.path else f.path
        counts[head] = counts.get(head, 0) + 1
    return tuple(sorted(counts.items()))


def is_env(word: str) -> bool:
    """Whether a directory name reads as an environment (prod, staging, dev, …)."""
    return bool(ENV_WORD.match(word.lower()))


def remote_bases(ev: RepoEvidence) -> list[str]:
    """Kustomizations that build on a remote base or run a generator: what those add is not visible here."""
    out: list[str] = []
    for doc in ev.docs:
        if FileKind.KUSTOMIZATION not in ev.kinds_by_path.get(doc.path, ()) or not isinstance(doc.body, dict):
            continue
        remote = [e for key in ("resources", "bases", "components") for e in list_of(doc.get(key))
                  if isinstance(e, str) and ("://" in e or e.startswith(("github.com/", "git@")))]
        generators = [k for k in ("generators", "transformers", "helmCharts") if doc.get(k)]
        if remote:
            out.append(f"{doc.path} builds on a remote base ({remote[0]}{', …' if len(remote) > 1 else ''}): the "
                       "objects it adds are not visible here, so checks judge only the local part")
        if generators:
            out.append(f"{doc.path} runs {', '.join(generators)}: what they generate is not rendered here")
    return out
