"""Cluster listing benchmark: 10,000 objects through the fake API server, against raw paged GETs of the same
lists in the same run. Run with `python -m pytest tests/bench -m bench`."""

from __future__ import annotations

import json
import sys
import urllib.parse
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assess.collectors.cluster.live import PAGE_SIZE, collect_cluster
from assess.collectors.cluster.resources import WANTED
from tests.bench.test_history_bench import best_of
from tests.fakes.cluster_fixture import deployment
from tests.fakes.k8s_server import FakeKubernetes

pytestmark = pytest.mark.bench
NOW = datetime(2026, 1, 22, tzinfo=UTC)


def objects(n: int) -> list[dict[str, Any]]:
    """n workloads with realistic metadata (labels, tracking annotation, managedFields) plus Argo CD apps."""
    out = []
    for i in range(n - n // 10):
        tracking = f"app-{i % 300}:apps/Deployment:team-{i % 40}/svc-{i}"
        obj = deployment(f"svc-{i}", f"team-{i % 40}", f"ghcr.io/acme/svc-{i}:1.{i % 7}.0", 2,
                         annotations={"argocd.argoproj.io/tracking-id": tracking})
        out.append(obj)
    for i in range(n // 10):
        out.append({"apiVersion": "argoproj.io/v1alpha1", "kind": "Application",
                    "metadata": {"name": f"app-{i}", "namespace": "argocd"},
                    "spec": {"syncPolicy": {"automated": {"prune": True, "selfHeal": True}}},
                    "status": {"sync": {"status": "Synced"}, "health": {"status": "Healthy"}}})
    return out


def raw_paged_gets(base: str, paths: list[str]) -> int:
    """The baseline: plain HTTP GETs of the same lists, page by page, JSON decoded."""
    count = 0
    for path in paths:
        token = None
        while True:
            url = f"{base}{path}?limit={PAGE_SIZE}" + (f"&continue={urllib.parse.quote(token)}" if token else "")
            with urllib.request.urlopen(url) as response:
                page = json.loads(response.read())
            count += len(page["items"])
            token = page["metadata"].get("continue")
            if not token:
                break
    return count


def test_listing_10000_objects_vs_raw_paged_gets(benchmark: Any, tmp_path: Path) -> None:
    with FakeKubernetes(objects(10_000)) as k8s:
        config = str(k8s.kubeconfig(tmp_path / "kc"))
        served = [w for w in WANTED if not w.metadata_only and w.group in k8s.groups
                  and w.plural in {r["name"] for r in k8s.resources(w.group, k8s.groups[w.group])}]
        paths = [f"/apis/{w.group}/{k8s.groups[w.group]}/{w.plural}" for w in served]
        raw = best_of(lambda: raw_paged_gets(k8s.url, paths))
        evidence = benchmark.pedantic(lambda: collect_cluster(config, None, NOW), rounds=5, iterations=1)
        ours = benchmark.stats.stats.min
        raw_after = best_of(lambda: raw_paged_gets(k8s.url, paths))
    baseline = min(raw, raw_after)
    benchmark.extra_info.update({"objects": len(evidence.objects), "raw_paged_gets_s": round(baseline, 3),
                                 "collector_s": round(ours, 3), "ratio": round(ours / baseline, 2)})
    print(json.dumps(benchmark.extra_info), file=sys.stderr)
    assert len(evidence.objects) >= 10_000
    assert ours / baseline <= 1.5, benchmark.extra_info
