"""The evidence digest names the inputs a report rests on: equal inputs, equal digest; any change, another digest."""

from __future__ import annotations

from dataclasses import replace

from assess.evaluation.digest import evidence_digest
from assess.model.evidence import EvidenceBundle, Provenance, RepoEvidence, Source, Unavailable
from tests.test_audit_trail import c, history


def _tree(revision: str, worktree: bool = False) -> RepoEvidence:
    return RepoEvidence(Provenance(Source.GIT, "git objects", "2026-01-01T00:00:00+00:00"), "/somewhere", revision,
                        "main", (), (), worktree=worktree)


def test_the_digest_follows_the_commit_the_history_and_the_api_payloads() -> None:
    base = EvidenceBundle(git=_tree("a" * 40), history=history(c(1, "one"), c(2, "two")))
    same = EvidenceBundle(git=replace(_tree("a" * 40), root="/elsewhere"), history=history(c(1, "one"), c(2, "two")))
    assert evidence_digest(base) == evidence_digest(same), "a clone elsewhere of the same commit is the same evidence"
    variants = [replace(base, git=_tree("b" * 40)),
                replace(base, history=history(c(1, "one"), c(3, "three"))),
                replace(base, unavailable=(Unavailable(Source.GITHUB, "no token", "set GITHUB_TOKEN"),)),
                replace(base, git=_tree("a" * 40, worktree=True))]
    digests = {evidence_digest(v) for v in variants}
    assert len(digests) == len(variants) and evidence_digest(base) not in digests
