"""`scan` and `snapshot` with clusters: live contexts, snapshots, parity, unreachable servers, no secrets."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import assert_valid_report, make_repo
from tests.fakes.cluster_fixture import CANARY_TOKEN, stage3_clusters, stage4_objects
from tests.fakes.k8s_server import FakeKubernetes, env_dumping_plugin

ROOT = Path(__file__).resolve().parents[2]


def run(*args: str, kubeconfig: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("KUBECONFIG", "GITHUB_TOKEN", "GH_TOKEN")}
    if kubeconfig:
        env["KUBECONFIG"] = str(kubeconfig)
    return subprocess.run([sys.executable, "-m", "assess", *args], capture_output=True, text=True, cwd=ROOT, env=env)


def repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"clusters/production/apps.yaml": (
        "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: apps\nspec:\n"
        "  prune: true\n  path: ./apps\n")})


def test_live_contexts_snapshot_and_parity(tmp_path: Path) -> None:
    prod, staging = stage3_clusters()["production"], stage3_clusters()["staging"]
    with FakeKubernetes(prod) as a, FakeKubernetes(staging) as b:
        (tmp_path / "kc").write_text(yaml.safe_dump({
            "apiVersion": "v1", "kind": "Config", "current-context": "production",
            "clusters": [{"name": n, "cluster": {"server": k.url}} for n, k in (("a", a), ("b", b))],
            "users": [{"name": "reader", "user": {"token": "t"}}],
            "contexts": [{"name": c, "context": {"cluster": n, "user": "reader"}}
                         for c, n in (("production", "a"), ("staging", "b"))]}))
        live = run("scan", str(repo(tmp_path)), "--kube-context", "production", "--kube-context", "staging", "-q",
                   "-f", "json", "--no-github", kubeconfig=tmp_path / "kc")
        snap = run("snapshot", "-o", str(tmp_path / "snap.yaml"), "--all-contexts", "-q", kubeconfig=tmp_path / "kc")
        methods = {r.method for r in a.requests + b.requests}
    assert live.returncode == 0, live.stderr
    assert snap.returncode == 0, snap.stderr
    assert methods == {"GET"}
    report = assert_valid_report(live.stdout)
    assert report["sources"]["cluster"]["detail"].startswith("production (live")
    assert "staging (live" in report["sources"]["cluster"]["detail"]
    offline = assert_valid_report(run("scan", str(repo(tmp_path)), "--cluster-snapshot", str(tmp_path / "snap.yaml"),
                                      "-q", "-f", "json", "--no-github").stdout)
    cluster_ids = {c["id"] for c in report["checks"] if "cluster" in c["sources"]}
    pick = [(f["check_id"], f["outcome"], f["message"]) for f in report["findings"] if f["check_id"] in cluster_ids]
    again = [(f["check_id"], f["outcome"], f["message"]) for f in offline["findings"] if f["check_id"] in cluster_ids]
    assert pick == again


def test_current_context_by_default_and_unreachable_server(tmp_path: Path) -> None:
    with FakeKubernetes(stage4_objects()) as k8s:
        config = k8s.kubeconfig(tmp_path / "kc", ("hub",))
        ok = run("scan", str(repo(tmp_path)), "--cluster", "-q", "-f", "json", "--no-github", kubeconfig=config)
    assert "hub (live" in assert_valid_report(ok.stdout)["sources"]["cluster"]["detail"]
    down = run("scan", str(repo(tmp_path)), "--cluster", "-q", "-f", "json", "--no-github", kubeconfig=config)
    assert down.returncode == 0 and "Traceback" not in down.stderr
    source = assert_valid_report(down.stdout)["sources"]["cluster"]
    assert source["available"] is False and "unreachable" in source["reason"]
    missing = run("snapshot", "-o", str(tmp_path / "x.yaml"), kubeconfig=config)
    assert missing.returncode == 3 and "unreachable" in missing.stderr and not (tmp_path / "x.yaml").exists()


def test_secrets_never_leave_the_cluster(tmp_path: Path) -> None:
    with FakeKubernetes(stage4_objects()) as k8s:
        config = k8s.kubeconfig(tmp_path / "kc", ("hub",))
        out = run("scan", str(repo(tmp_path)), "--cluster", "-v", "-f", "terminal,json", "-o", str(tmp_path / "o"),
                  "--save-evidence", str(tmp_path / "ev.json"), "--no-github", kubeconfig=config)
        snap = run("snapshot", "-o", str(tmp_path / "s.yaml"), kubeconfig=config)
    produced = out.stdout + out.stderr + snap.stderr + (tmp_path / "ev.json").read_text()
    produced += "".join(p.read_text() for p in (tmp_path / "o").iterdir()) + (tmp_path / "s.yaml").read_text()
    assert "cluster-aws-euw1-1" in produced  # the Secret's name is evidence; its data never is
    assert CANARY_TOKEN not in produced


def test_bad_snapshot_is_a_usage_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: List\nitems: [\n")
    out = run("scan", str(repo(tmp_path)), "--cluster-snapshot", str(bad), "--no-github")
    assert out.returncode == 2 and out.stderr.startswith("gitops-assess: error:") and "invalid YAML" in out.stderr


def test_kubeconfig_exec_plugins_do_not_inherit_the_github_token(tmp_path: Path) -> None:
    # An exec credential plugin runs (as with kubectl), but the token read for GitHub has left the environment.
    plugin, dump = env_dumping_plugin(tmp_path)
    with FakeKubernetes(stage4_objects()) as k8s:
        k8s.kubeconfig(tmp_path / "kc", exec_command=plugin)
        env = {**os.environ, "GITHUB_TOKEN": "ghp_canary_exec", "GH_TOKEN": "ghp_canary_exec2",
               "KUBECONFIG": str(tmp_path / "kc"), "COLUMNS": "120"}
        out = subprocess.run([sys.executable, "-m", "assess", "scan", str(repo(tmp_path)), "--cluster",
                              "--no-github", "--no-history", "-q", "-f", "json"], capture_output=True, text=True,
                             env=env, cwd=Path(__file__).resolve().parents[2])
    assert out.returncode == 0, out.stderr
    seen = dump.read_text()
    assert "PATH=" in seen, "the plugin ran"
    assert "ghp_canary" not in seen and "ghp_canary" not in out.stdout + out.stderr
