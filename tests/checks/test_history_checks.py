"""Checks fed by history: a PASS and a FAIL each, the FAIL naming the offending commits."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import pytest

from assess.checks.catalog import load_catalog
from assess.model.context import CheckContext
from assess.model.deployment import DeploymentMap, EnvBasis
from assess.model.evidence import EvidenceBundle, Provenance, Source
from assess.model.finding import Outcome, Ref, RefKind
from assess.model.history import AuditRecord, ChangePath, CommitRecord, HistoryEvidence, SignatureType
from tests.checks.test_check_outcomes import CASES as TREE_CASES
from tests.conftest import catalogued

CATALOG = load_catalog()
NOW = datetime(2026, 3, 1, tzinfo=UTC)


def record(sha: str, path: ChangePath = ChangePath.PR_MERGE, **kw: object) -> AuditRecord:
    base = AuditRecord(
        sha=sha * 40 if len(sha) == 1 else sha, parents=("p" * 40,), deployed_at="2026-02-01T10:00:00+00:00",
        authored_at="2026-02-01T08:00:00+00:00", author_name="Alice", author_email="alice@acme.example",
        committer_name="GitHub", committer_email="noreply@github.com", co_authors=(), is_bot=False, bot_kind=None,
        change_path=path, change_path_confidence="high", pr_number=7 if path is not ChangePath.DIRECT_PUSH else None,
        pr_title="t", ticket_refs=(), signature=SignatureType.OPENPGP, webflow_signed=True, signature_status=None,
        environments=("prod",), files=("M\tclusters/prod/app.yaml",), subject="change",
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def commit(sha: str, subject: str, committer: str = "alice@acme.example", author: str = "alice@acme.example",
           parents: tuple[str, ...] = ("p" * 40,)) -> CommitRecord:
    return CommitRecord(sha * 40, parents, "Alice", author, "2026-02-01T08:00:00+00:00", "x", committer,
                        "2026-02-01T08:00:00+00:00", subject, subject)


def ctx(records: list[AuditRecord], commits: list[CommitRecord] | None = None) -> CheckContext:
    history = HistoryEvidence(Provenance(Source.HISTORY, "test", NOW.isoformat()), "main", "a" * 40,
                              tuple(commits or []), environments={"prod": ("clusters/prod/**",)})
    return CheckContext(EvidenceBundle(history=history), audit_trail=tuple(records), production_envs=("prod",),
                        deployment=DeploymentMap({"prod": ("clusters/prod/**",)}, EnvBasis.LAYOUT))


@dataclass(frozen=True)
class Case:
    check_id: str
    passing: Callable[[], CheckContext]
    failing: Callable[[], CheckContext]
    bad_sha: str


CASES = [
    Case("changes-through-prs",
         lambda: ctx([record("a"), record("b", ChangePath.PR_SQUASH)]),
         lambda: ctx([record("a"), record("b", ChangePath.DIRECT_PUSH)]), "b" * 40),
    Case("deployment-commits-signed",
         lambda: ctx([record("a"), record("b", signature=SignatureType.SSH)]),
         lambda: ctx([record("a"), record("b", signature=SignatureType.NONE)]), "b" * 40),
    Case("rollback-by-revert",
         lambda: ctx([record("a", failed=True, failure_detection="revert"), record("b", is_revert=True)]),
         lambda: ctx([record("a", failed=True, failure_detection="hotfix"), record("b", is_hotfix=True)]), "a" * 40),
    Case("no-human-direct-pushes",
         lambda: ctx([], [commit("a", "Merge pull request #1 from acme/x", "noreply@github.com",
                                 parents=("p" * 40, "q" * 40))]),
         lambda: ctx([], [commit("a", "Update (#2)", "noreply@github.com"), commit("b", "quick fix")]), "b" * 40),
    Case("audit-trail-complete",
         lambda: ctx([record("a"), record("b", ChangePath.DIRECT_PUSH, ticket_refs=("OPS-12",))]),
         lambda: ctx([record("a"), record("b", ChangePath.DIRECT_PUSH, author_email="root@localhost")]), "b" * 40),
    Case("bot-changes-reviewed",
         lambda: ctx([record("a", ChangePath.PR_SQUASH, is_bot=True, bot_kind="renovate")]),
         lambda: ctx([record("a", ChangePath.DIRECT_PUSH, is_bot=True, bot_kind="flux")]), "a" * 40),
]


def test_every_check_is_covered_by_a_pass_and_fail_case() -> None:
    from tests.checks.test_workflow_hazards import CASES as WORKFLOW_CASES
    from tests.cluster.test_cluster_checks import CASES as CLUSTER_CASES
    from tests.github.test_github_checks import CASES as GITHUB_CASES

    covered = {c.check_id for c in CASES} | {c.check_id for c in TREE_CASES} | {c.check_id for c in GITHUB_CASES}
    covered |= {c.check_id for c in CLUSTER_CASES} | {c.check_id for c in WORKFLOW_CASES}
    assert covered == {c.spec.id for c in CATALOG}


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_pass(case: Case) -> None:
    check = catalogued(case.check_id)
    res = check.run(case.passing())
    assert res.outcome is Outcome.PASS, res.message


@pytest.mark.parametrize("case", CASES, ids=[c.check_id for c in CASES])
def test_fail_names_the_commit(case: Case) -> None:
    check = catalogued(case.check_id)
    res = check.run(case.failing())
    assert res.outcome is Outcome.FAIL, res.message
    assert Ref(RefKind.COMMIT, case.bad_sha) in res.refs


def test_initial_import_is_not_held_against_the_team() -> None:
    check = catalogued("changes-through-prs")
    root = record("a", ChangePath.DIRECT_PUSH, parents=())
    assert check.run(ctx([root, record("b")])).outcome is Outcome.PASS


def test_history_checks_are_unknown_without_history() -> None:
    from assess.checks.runner import run_checks
    from assess.model.evidence import Unavailable

    bundle = EvidenceBundle(unavailable=(Unavailable(Source.HISTORY, "history not read (--no-history)", "x"),))
    history_checks = [c for c in CATALOG if c.spec.sources == ("history",)]
    findings = run_checks(history_checks, CheckContext(bundle))
    assert {f.outcome for f in findings} == {Outcome.UNKNOWN}
    assert all("--no-history" in f.message for f in findings)


def test_unit_gates_tolerate_a_small_listed_minority(repo_factory) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import evidence_of, tree_context
    from tests.derive.test_deployment import flux_ks

    files = {f"apps/a{i}/ks.yaml": flux_ks(f"a{i}", f"./apps/a{i}") for i in range(20)}
    files["apps/flux/ks.yaml"] = flux_ks("flux-operator", "./apps/flux").replace("prune: true", "prune: false")
    files.update({f"apps/a{i}/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n" for i in range(20)})
    check = catalogued("prune-enabled")
    warned = check.run(tree_context(evidence_of(repo_factory(files))))
    assert warned.outcome is Outcome.WARN and warned.message.startswith("Met with exceptions: 1 of 21 units")
    assert "flux-operator" in warned.message and warned.refs[0].target == "apps/flux/ks.yaml"
    files["apps/a0/ks.yaml"] = files["apps/a0/ks.yaml"].replace("prune: true", "prune: false")
    failed = check.run(tree_context(evidence_of(repo_factory(files))))
    assert failed.outcome is Outcome.FAIL and "2 of 21 units do not prune" in failed.message


def test_signatures_are_presence_only_unless_verified_and_webflow_is_apart() -> None:
    check = catalogued("deployment-commits-signed")
    own = record("a", ChangePath.DIRECT_PUSH, signature=SignatureType.SSH, webflow_signed=False,
                 committer_email="alice@acme.example")
    merged = record("b")  # OpenPGP by GitHub on merge (web-flow)
    found = check.run(ctx([own, merged]))
    assert found.outcome is Outcome.PASS
    assert "signature present (not verified" in found.message
    assert "1 by their authors, 1 signed by GitHub on merge" in found.message
    assert found.confidence.value == "inferred"
    verified = check.run(ctx([replace(own, signature_status="G"), replace(merged, signature_status="E")]))
    assert verified.outcome is Outcome.FAIL and "verified" in verified.message
    assert verified.confidence.value == "observed"
