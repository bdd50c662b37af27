"""Benchmark fixtures: a generated repository of 30,000+ commits and 400+ YAML files (never committed)."""

from __future__ import annotations

import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import GIT_ENV

N_APPS = 100
PEOPLE = [(f"Engineer {i}", f"eng{i}@acme.example") for i in range(30)]
BOT = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")
GITHUB = ("GitHub", "noreply@github.com")


def _files(n_apps: int = N_APPS) -> list[str]:
    files = [f"apps/base/app-{i}/deployment.yaml" for i in range(n_apps)]
    files += [f"apps/base/app-{i}/kustomization.yaml" for i in range(n_apps)]
    files += [f"clusters/production/app-{i}.yaml" for i in range(n_apps)]
    files += [f"clusters/staging/app-{i}.yaml" for i in range(n_apps)]
    files += [f"docs/page-{i}.md" for i in range(20)]
    return files


def _manifest(path: str, version: int, padding: int = 0) -> bytes:
    name = path.split("/")[-2] if path.endswith("deployment.yaml") else path.rsplit("/", 1)[-1].split(".")[0]
    if path.endswith("kustomization.yaml"):
        return b"apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - deployment.yaml\n"
    if path.startswith("docs/"):
        return f"# {name}\n\nrevision {version}\n".encode()
    if path.startswith("clusters/"):
        return (f"apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: {name}\n"
                f"  namespace: flux-system\nspec:\n  interval: 10m\n  prune: true\n  path: ./apps/base/{name}\n"
                f"  sourceRef:\n    kind: GitRepository\n    name: fleet\n  # revision {version}\n").encode()
    # `padding` lines of settings make a product-sized manifest (a long env list, as real workloads carry)
    env = "".join(f"            - name: SETTING_{i}\n              value: \"value-{i}-{version % 7}\"\n"
                  for i in range(padding))
    return (f"apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {name}\nspec:\n  replicas: 2\n"
            f"  template:\n    spec:\n      containers:\n        - name: {name}\n"
            f"          image: ghcr.io/acme/{name}:1.{version // 100}.{version % 100}\n"
            + (f"          env:\n{env}" if padding else "")).encode()


def fast_import_stream(total_commits: int = 30_000, n_apps: int = N_APPS, padding: int = 0) -> Iterator[bytes]:
    """A realistic history: merges of two-commit PR branches, squash merges, bot updates, direct pushes."""
    files = _files(n_apps)
    rng = random.Random(42)
    hot = [f for f in files if f.endswith(".yaml")][:40]  # a few apps change often, most rarely
    mark = 0
    t = 1_700_000_000
    main_mark = None
    made = 0
    step = 0

    def commit(ref: str, who: tuple[str, str], committer: tuple[str, str], when: int, message: str,
               parents: list[int], changes: list[tuple[str, bytes]]) -> Iterator[bytes]:
        nonlocal mark
        mark += 1
        out = [f"commit {ref}\nmark :{mark}\n".encode(),
               f"author {who[0]} <{who[1]}> {when} +0000\n".encode(),
               f"committer {committer[0]} <{committer[1]}> {when} +0000\n".encode()]
        msg = message.encode()
        out.append(b"data %d\n%s\n" % (len(msg), msg))
        if parents:
            out.append(f"from :{parents[0]}\n".encode())
            out.extend(f"merge :{p}\n".encode() for p in parents[1:])
        for path, data in changes:
            out.append(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        yield b"".join(out)

    # initial import
    yield from commit("refs/heads/main", PEOPLE[0], PEOPLE[0], t, "Initial import", [],
                      [(f, _manifest(f, 0, padding)) for f in files])
    main_mark, made = mark, 1
    while made < total_commits:
        step += 1
        t += 2400  # about 14 months of history
        who = PEOPLE[step % len(PEOPLE)]
        target = rng.choice(hot) if rng.random() < 0.9 else rng.choice(files)
        kind = step % 8
        if kind in (0, 1, 2, 3):  # a PR merged with a merge commit: two branch commits, then the merge
            branch = f"refs/heads/feature-{step}"
            yield f"reset {branch}\nfrom :{main_mark}\n".encode()
            yield from commit(branch, who, who, t - 900, f"Work on {target}", [main_mark],
                              [(target, _manifest(target, step, padding))])
            side1 = mark
            other = rng.choice(hot) if rng.random() < 0.9 else rng.choice(files)
            yield from commit(branch, who, who, t - 600, f"Tidy {other}", [side1],
                              [(other, _manifest(other, step, padding))])
            side2 = mark
            yield from commit("refs/heads/main", who, GITHUB, t,
                              f"Merge pull request #{step} from acme/feature-{step}\n\nUpdate {target}",
                              [main_mark, side2], [])
            yield f"reset {branch}\n".encode()
            main_mark, made = mark, made + 3
        elif kind in (4, 5):  # squash merge
            yield from commit("refs/heads/main", who, GITHUB, t, f"Update {target} (#{step})", [main_mark],
                              [(target, _manifest(target, step, padding))])
            main_mark, made = mark, made + 1
        elif kind == 6:  # bot update through a PR (squash)
            yield from commit("refs/heads/main", BOT, GITHUB, t, f"Update image for {target} (#{step})", [main_mark],
                              [(target, _manifest(target, step, padding))])
            main_mark, made = mark, made + 1
        else:  # a direct push (sometimes a revert)
            message = (f'Revert "Update {target}"\n\nThis reverts commit deadbeef.' if step % 40 == 7
                       else f"Fix {target}")
            yield from commit("refs/heads/main", who, who, t, message, [main_mark],
                              [(target, _manifest(target, step + 1, padding))])
            main_mark, made = mark, made + 1


def build_repo(repo: Path, total_commits: int = 30_000, n_apps: int = N_APPS, padding: int = 0) -> Path:
    """A bare repository generated with git fast-import, packed, with a commit graph."""
    subprocess.run(["git", "init", "-q", "--bare", "--initial-branch=main", str(repo)], check=True, env=GIT_ENV)
    proc = subprocess.Popen(["git", f"--git-dir={repo}", "fast-import", "--quiet"], stdin=subprocess.PIPE,
                            env=GIT_ENV)
    assert proc.stdin is not None
    for chunk in fast_import_stream(total_commits, n_apps, padding):
        proc.stdin.write(chunk)
    proc.stdin.close()
    assert proc.wait() == 0
    subprocess.run(["git", f"--git-dir={repo}", "gc", "-q"], check=False, env=GIT_ENV)
    subprocess.run(["git", f"--git-dir={repo}", "commit-graph", "write", "--reachable"], check=False, env=GIT_ENV)
    return repo


@pytest.fixture(scope="session")
def big_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A bare repository with at least 30,000 commits and 400 YAML files, built with git fast-import."""
    repo = build_repo(tmp_path_factory.mktemp("bench") / "big.git")
    count = int(subprocess.run(["git", f"--git-dir={repo}", "rev-list", "--count", "main"], capture_output=True,
                               text=True, check=True).stdout)
    assert count >= 30_000
    return repo


@pytest.fixture(scope="session")
def large_yaml_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """30,000 commits and about 2,500 YAML files of about 17 MB: a product-sized tree."""
    return build_repo(tmp_path_factory.mktemp("bench") / "large.git", 30_000, 620, 440)
