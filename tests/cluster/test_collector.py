"""The cluster collector: the real kubernetes client against a local fake API server."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
import yaml

from assess.collectors.cluster import live
from assess.collectors.cluster.live import ClusterUnreachableError, collect_cluster
from assess.collectors.cluster.resources import WANTED
from assess.collectors.cluster.snapshot import SnapshotError, dump_snapshot, load_snapshot
from assess.model.cluster import AccessStatus
from tests.fakes.cluster_fixture import CANARY_TOKEN, stage2_objects, stage4_objects
from tests.fakes.k8s_server import FakeKubernetes

NOW = datetime(2026, 1, 22, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]


def test_reads_every_type_with_get_only_and_keeps_managed_fields(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects()) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc")), None, NOW)
        methods = {r.method for r in k8s.requests}
    assert methods == {"GET"}
    assert ev.name == "fake" and ev.server_version == "v1.31.4" and ev.managed_fields_present
    assert {a.resource for a in ev.access} >= {w.key for w in WANTED}
    assert ev.access_of("argoproj.io/applications").count == 2  # type: ignore[union-attr]
    assert ev.access_of("kyverno.io/clusterpolicies").status is AccessStatus.NOT_INSTALLED  # type: ignore[union-attr]
    assert [r.path for r in k8s.requests[:2]] == ["/version", "/apis"]  # discovery once, first


def test_pages_through_continue_tokens(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(live, "PAGE_SIZE", 7)
    with FakeKubernetes(stage4_objects()) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc")), None, NOW)
        apps = [r for r in k8s.requests if r.path.endswith("/applications")]
    assert len(ev.of("argoproj.io", "Application")) == 25  # 24 policy apps and the fleet itself
    assert len(apps) == 4 and all(r.query["limit"] == ["7"] for r in apps)
    assert sum(1 for r in apps if "continue" in r.query) == 3


def test_cluster_secrets_are_metadata_only(tmp_path: Path) -> None:
    with FakeKubernetes(stage4_objects()) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc")), None, NOW)
        secret_calls = [r for r in k8s.requests if r.path.endswith("/secrets")]
    assert secret_calls and all("PartialObjectMetadataList" in r.accept for r in secret_calls)
    assert all(r.query["labelSelector"] == ["argocd.argoproj.io/secret-type=cluster"] for r in secret_calls)
    secrets = ev.of("", "Secret")
    assert len(secrets) == 24 and all("data" not in s for s in secrets)
    assert CANARY_TOKEN not in dump_snapshot([ev])


def test_forbidden_and_missing_resources_are_evidence(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects(), forbidden={"argoproj.io/appprojects"},
                        extra_groups={"kyverno.io": "v1"}) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc")), None, NOW)
    forbidden = ev.access_of("argoproj.io/appprojects")
    assert forbidden is not None and forbidden.status is AccessStatus.FORBIDDEN
    assert "cannot list resource" in (forbidden.message or "")
    assert "`list` on `appprojects.argoproj.io`" in (forbidden.fix or "")
    missing = ev.access_of("kyverno.io/clusterpolicies")  # group served, resource type absent: 404 Status
    assert missing is not None and missing.status is AccessStatus.NOT_INSTALLED


def test_unreachable_api_server_is_a_clear_error(tmp_path: Path) -> None:
    with FakeKubernetes([]) as k8s:
        config = k8s.kubeconfig(tmp_path / "kc")
    with pytest.raises(ClusterUnreachableError, match="unreachable"):
        collect_cluster(str(config), None, NOW)
    with pytest.raises(ClusterUnreachableError, match="kubeconfig"):
        collect_cluster(str(tmp_path / "missing"), None, NOW)


def test_snapshot_round_trip_keeps_access_records(tmp_path: Path) -> None:
    with FakeKubernetes(stage2_objects(), forbidden={"argoproj.io/appprojects"}) as k8s:
        ev = collect_cluster(str(k8s.kubeconfig(tmp_path / "kc", ("prod", "staging"))), "prod", NOW)
    path = tmp_path / "snap.yaml"
    path.write_text(dump_snapshot([ev]))
    (loaded,) = load_snapshot(path, NOW)
    assert loaded.name == "prod" and loaded.objects == ev.objects and loaded.access == ev.access
    assert loaded.from_snapshot and loaded.managed_fields_present


def test_a_users_kubectl_list_is_read_and_its_gaps_stated(tmp_path: Path) -> None:
    objects = [o for o in stage4_objects() if o["kind"] in ("Application", "Secret")]
    for obj in objects:
        obj["metadata"].pop("managedFields", None)
    path = tmp_path / "kubectl.yaml"
    path.write_text(yaml.safe_dump({"apiVersion": "v1", "kind": "List", "items": objects}))
    (cluster,) = load_snapshot(path, NOW)
    assert not cluster.managed_fields_present
    assert all("data" not in s for s in cluster.of("", "Secret"))
    assert CANARY_TOKEN not in repr(cluster)
    workloads = cluster.access_of("apps/deployments")
    assert workloads is not None and workloads.status is AccessStatus.NOT_IN_SNAPSHOT


@pytest.mark.parametrize("content", ["kind: List\nitems: [\n", "just: a mapping\n", "",
                                     "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
                                         f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 9)
                                         + "]\n" for i in range(12)) + "items: *m\n"])
def test_bad_snapshot_files_are_refused_with_a_reason(tmp_path: Path, content: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(content)
    with pytest.raises(SnapshotError):
        load_snapshot(path, NOW)


def test_shipped_clusterrole_is_read_only_and_covers_what_is_read() -> None:
    docs = list(yaml.safe_load_all((ROOT / "samples" / "rbac" / "clusterrole.yaml").read_text()))
    rules = [r for d in docs if d["kind"] in ("ClusterRole", "Role") for r in d["rules"]]
    assert {v for r in rules for v in r["verbs"]} <= {"get", "list"}
    granted = {g for r in rules for g in r["apiGroups"]}
    assert {w.group for w in WANTED} | {"constraints.gatekeeper.sh"} <= granted
