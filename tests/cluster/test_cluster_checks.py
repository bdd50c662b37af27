"""Cluster checks: a PASS and a FAIL each (evidence names the object), UNKNOWN when RBAC or snapshots hide it."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from assess.checks.catalog import load_catalog
from assess.collectors.cluster.resources import WANTED
from assess.model.cluster import AccessStatus, ClusterEvidence, ResourceAccess
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle
from assess.model.finding import Outcome, RefKind
from assess.model.provenance import Provenance, Source
from tests.conftest import catalogued, evidence_of, make_repo
from tests.fakes.cluster_fixture import _default_project, deployment, stage2_objects, stage3_clusters, stage4_objects

CATALOG = load_catalog()


def cluster(objects: list[dict[str, Any]], name: str = "c1", managed: bool = True,
            access: dict[str, AccessStatus] | None = None) -> ClusterEvidence:
    records = tuple(ResourceAccess(w.key, (access or {}).get(w.key, AccessStatus.OK)) for w in WANTED)
    return ClusterEvidence(Provenance(Source.CLUSTER, "test", datetime(2026, 1, 22, tzinfo=UTC).isoformat()), name,
                           "v1.31", tuple(copy.deepcopy(objects)), records, managed)


def ctx(*clusters: ClusterEvidence, git: Path | None = None) -> CheckContext:
    return CheckContext(EvidenceBundle(git=evidence_of(git) if git else None, clusters=clusters))


def flux_prod() -> list[dict[str, Any]]:
    return stage3_clusters()["production"]


def without(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [o for o in objects if o["kind"] != kind]


def edited(objects: list[dict[str, Any]], kind: str, change: Callable[[dict[str, Any]], None]) -> list[dict[str, Any]]:
    out = copy.deepcopy(objects)
    for obj in out:
        if obj["kind"] == kind:
            change(obj)
    return out


def _manual(obj: dict[str, Any]) -> None:
    if obj["metadata"]["name"] == "orders":
        obj["metadata"]["managedFields"].append({"manager": "kubectl-patch", "operation": "Update",
                                                 "time": "2026-02-01T10:00:00Z", "fieldsV1": {"f:spec": {}}})


@dataclass(frozen=True)
class Case:
    check_id: str
    passing: Callable[[], CheckContext]
    failing: Callable[[], CheckContext]


CASES = [
    Case("reconciler-running", lambda: ctx(cluster(flux_prod())),
         lambda: ctx(cluster(edited(flux_prod(), "Deployment", lambda o: o["status"].update(readyReplicas=0))))),
    Case("live-apps-auto-synced", lambda: ctx(cluster(stage4_objects())),
         lambda: ctx(cluster(edited(flux_prod(), "Kustomization", lambda o: o["spec"].update(suspend=True))))),
    Case("apps-synced-and-healthy", lambda: ctx(cluster(flux_prod())), lambda: ctx(cluster(stage2_objects()))),
    Case("no-manual-changes", lambda: ctx(cluster(flux_prod())),
         lambda: ctx(cluster(edited(flux_prod(), "Deployment", _manual)))),
    Case("workloads-managed-by-gitops", lambda: ctx(cluster(flux_prod())), lambda: ctx(cluster(stage2_objects()))),
    Case("no-mutable-tags-running", lambda: ctx(cluster(flux_prod())), lambda: ctx(cluster(stage2_objects()))),
    Case("policy-engine-enforcing", lambda: ctx(cluster(flux_prod())),
         lambda: ctx(cluster(edited(flux_prod(), "ClusterPolicy",
                                    lambda o: o["spec"].update(validationFailureAction="Audit"))))),
    Case("image-automation-live", lambda: ctx(cluster(flux_prod())), lambda: ctx(cluster(stage2_objects()))),
    Case("fleet-tooling-live", lambda: ctx(cluster(stage4_objects())), lambda: ctx(cluster(flux_prod()))),
    Case("appprojects-scoped", lambda: ctx(cluster([o for o in stage2_objects() if o["metadata"]["name"] != "default"
                                                     or o["kind"] != "AppProject"])),
         lambda: ctx(cluster([_default_project()]))),
    Case("git-cluster-drift",
         lambda: ctx(cluster([deployment("api", "shop", "ghcr.io/acme/api:1.2.0", 2)]), git=_plain_repo()),
         lambda: ctx(cluster([deployment("api", "shop", "ghcr.io/acme/api:1.3.0-hotfix", 5)]), git=_plain_repo())),
]

_REPOS: dict[str, Path] = {}


def _plain_repo() -> Path:
    if "plain" not in _REPOS:
        import tempfile

        _REPOS["plain"] = make_repo(Path(tempfile.mkdtemp()) / "plain", {"k8s/api.yaml": (
            "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n  namespace: shop\nspec:\n"
            "  replicas: 2\n  template:\n    spec:\n      containers:\n        - name: api\n"
            "          image: ghcr.io/acme/api:1.2.0\n")})
    return _REPOS["plain"]


def test_every_cluster_check_has_a_case() -> None:
    # appprojects-scoped reads the cluster when it can, else Git: it is a tree check with a cluster case too.
    cluster_checks = {c.spec.id for c in CATALOG if "cluster" in c.spec.sources} | {"appprojects-scoped"}
    assert cluster_checks == {c.check_id for c in CASES}


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_pass(case: Case) -> None:
    check = catalogued(case.check_id)
    result = check.run(case.passing())
    assert result.outcome is Outcome.PASS, result.message


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_fail_names_the_object(case: Case) -> None:
    check = catalogued(case.check_id)
    result = check.run(case.failing())
    assert result.outcome is Outcome.FAIL, result.message
    assert result.confidence.value == "observed"
    if case.check_id not in ("live-apps-auto-synced", "image-automation-live", "policy-engine-enforcing"):
        assert any(r.kind is RefKind.OBJECT and r.target.startswith("c1:") for r in result.refs), result.refs


def test_drift_is_reported_per_object_with_both_sides() -> None:
    check = catalogued("git-cluster-drift")
    result = check.run(ctx(cluster([deployment("api", "shop", "ghcr.io/acme/api:1.3.0-hotfix", 5)]),
                           git=_plain_repo()))
    assert "image ghcr.io/acme/api:1.2.0 → ghcr.io/acme/api:1.3.0-hotfix" in result.message
    assert "replicas 2 → 5" in result.message and "k8s/api.yaml:1" in result.message
    assert {str(r) for r in result.refs} >= {"c1:Deployment/shop/api", "k8s/api.yaml:1"}


def test_missing_managed_fields_make_manual_changes_unknown() -> None:
    check = catalogued("no-manual-changes")
    result = check.run(ctx(cluster(flux_prod(), managed=False)))
    assert result.outcome is Outcome.UNKNOWN and "--show-managed-fields" in result.message


def test_forbidden_resources_make_checks_unknown_naming_rbac() -> None:
    check = catalogued("appprojects-scoped")
    hidden = ClusterEvidence(Provenance(Source.CLUSTER, "t", "2026-01-22T00:00:00+00:00"), "c1", None, (),
                             (ResourceAccess("argoproj.io/appprojects", AccessStatus.FORBIDDEN,
                                             fix="grant the verb `list` on `appprojects.argoproj.io`"),), True)
    result = check.run(ctx(hidden))
    assert result.outcome is Outcome.UNKNOWN and "appprojects.argoproj.io" in result.message


def test_several_clusters_in_one_verdict() -> None:
    check = catalogued("reconciler-running")
    result = check.run(ctx(cluster(flux_prod(), "prod"), cluster(without(flux_prod(), "Deployment"), "edge")))
    assert result.outcome is Outcome.FAIL and "edge" in result.message
