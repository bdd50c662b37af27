"""Cluster budgets: a misbehaving API server or a hostile snapshot costs bounded time and memory, and the report
says what was only partially observed."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from assess.collectors.cluster.live import ClusterLimits, collect_cluster
from assess.model.cluster import AccessStatus
from tests.bounded import run_bounded
from tests.conftest import make_repo
from tests.fakes.cluster_fixture import stage2_objects
from tests.fakes.k8s_server import FakeKubernetes

NOW = datetime(2026, 1, 22, tzinfo=UTC)
DEPLOYMENTS = "apps/deployments"
SCAN = ("import sys; from assess.cli import cli\n"
        "cli(['scan', *sys.argv[1:], '--no-github', '--no-history', '-f', 'json', '-q'])\n")


def _repo(tmp_path: Path) -> Path:
    return make_repo(tmp_path / "repo", {"apps/web.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                         "metadata: {name: web, namespace: prod}\n"})


def test_a_server_repeating_its_continue_token_is_read_once_and_reported_partial(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects(), misbehave={DEPLOYMENTS: "repeat"}) as k8s:
        kubeconfig = k8s.kubeconfig(tmp_path / "kc")
        # before the cap: 4.5 GB in 60 s, growing until the process died
        done = run_bounded(SCAN, memory_mb=1024, seconds=90,
                           args=(str(_repo(tmp_path)), "--kubeconfig", str(kubeconfig), "--cluster"))
        calls = [r for r in k8s.requests if r.path.endswith("/deployments")]
    assert done.returncode == 0, done.stderr[-2000:]
    assert len(calls) == 2  # the first page, then the repeated token is recognised
    detail = json.loads(done.stdout)["sources"]["cluster"]["detail"]
    assert "partially observed: apps/deployments (partially observed: the server repeated a continue token" in detail
    assert done.seconds < 60


def test_endless_pages_stop_at_the_page_and_object_caps(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects(), misbehave={DEPLOYMENTS: "endless"}) as k8s:
        kubeconfig = str(k8s.kubeconfig(tmp_path / "kc"))
        by_pages = collect_cluster(kubeconfig, None, NOW, ClusterLimits(pages_per_resource=3))
        by_objects = collect_cluster(kubeconfig, None, NOW, ClusterLimits(objects_per_resource=1200))
        by_total = collect_cluster(kubeconfig, None, NOW, ClusterLimits(objects=700))
    pages = by_pages.access_of(DEPLOYMENTS)
    assert pages is not None and pages.status is AccessStatus.PARTIAL and pages.count == 1500
    assert "more than 3 pages" in (pages.message or "")
    objects = by_objects.access_of(DEPLOYMENTS)
    assert objects is not None and objects.status is AccessStatus.PARTIAL and objects.count == 1200
    assert len(by_objects.of("apps", "Deployment")) == 1200
    assert len(by_total.objects) == 700
    later = [a for a in by_total.access if a.status is AccessStatus.PARTIAL]
    assert later and all("cap of 700 objects" in (a.message or "") for a in later)


def test_a_giant_answer_is_not_read_past_the_byte_cap(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects(), misbehave={DEPLOYMENTS: "endless"}) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc")), None, NOW, ClusterLimits(response_bytes=50_000))
    access = ev.access_of(DEPLOYMENTS)
    assert access is not None and access.status is AccessStatus.PARTIAL and access.count == 0
    assert "per-response cap" in (access.message or "")


def test_a_page_that_is_not_json_is_an_error_record_not_a_crash(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects(), misbehave={DEPLOYMENTS: "garbage"}) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc")), None, NOW)
    access = ev.access_of(DEPLOYMENTS)
    assert access is not None and access.status is AccessStatus.ERROR and "not JSON" in (access.message or "")
    assert ev.access_of("argoproj.io/applications").status is AccessStatus.OK  # type: ignore[union-attr]


def test_a_tiny_snapshot_full_of_aliases_is_refused_quickly(tmp_path: Path) -> None:
    lines = ["apiVersion: v1", "kind: List", "x0: &l0 [a,a,a,a,a,a,a,a,a,a]"]
    lines += [f"x{i}: &l{i} [" + ",".join([f"*l{i - 1}"] * 10) + "]" for i in range(1, 7)]
    lines += ["items:", "- apiVersion: apps/v1", "  kind: Deployment", "  metadata: {name: web, namespace: prod}",
              "  spec: {template: *l6}"]
    snapshot = tmp_path / "snap.yaml"
    snapshot.write_text("\n".join(lines) + "\n")
    assert snapshot.stat().st_size < 608  # the snapshot: 46 s and 1.1 GB before the budget
    done = run_bounded(SCAN, memory_mb=700, seconds=60,
                       args=(str(_repo(tmp_path)), "--cluster-snapshot", str(snapshot)))
    assert done.returncode == 2, done.stderr[-2000:]
    assert "snap.yaml: aliases expand it by more than 1,000,000 nodes (alias bomb?)" in done.stderr
    assert "Traceback" not in done.stderr
    assert done.seconds < 20
