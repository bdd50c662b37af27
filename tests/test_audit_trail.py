"""Audit-record derivation (pure): how a change landed, reverts, rollbacks, hotfixes, lead times, bots."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from assess.derive.audit_trail import build_audit_trail, change_path
from assess.derive.identity import bot_kind
from assess.model.evidence import Provenance, Source
from assess.model.history import ChangePath, CommitRecord, HistoryEvidence, SignatureType

T0 = datetime(2026, 2, 1, 9, tzinfo=UTC)
ENVS = {"prod": ("clusters/prod/**",)}


def c(n: int, subject: str, *, hours: float = 0, parents: int = 1, committer: str = "noreply@github.com",
      body: str = "", author: str = "alice@acme.example", name: str = "Alice", files: tuple[str, ...] = ("a",),
      tree: str | None = None, first: float | None = None, sig: SignatureType = SignatureType.NONE) -> CommitRecord:
    when = (T0 + timedelta(hours=hours)).isoformat()
    return CommitRecord(
        sha=f"{n:040x}", parents=tuple(f"{n + 1000 + i:040x}" for i in range(parents)), author_name=name,
        author_email=author, authored_at=when, committer_name="GitHub", committer_email=committer,
        committed_at=when, subject=subject, body=f"{subject}\n\n{body}".strip(), signature=sig,
        files=tuple(("M", f"clusters/prod/{f}.yaml") for f in files),
        branch_first_authored_at=(T0 + timedelta(hours=first)).isoformat() if first is not None else None,
        env_trees=(("clusters/prod", tree),) if tree else (),
    )


def history(*commits: CommitRecord) -> HistoryEvidence:
    newest_first = tuple(sorted(commits, key=lambda x: x.committed_at, reverse=True))
    return HistoryEvidence(Provenance(Source.HISTORY, "t", T0.isoformat()), "main", newest_first[0].sha,
                           newest_first, environments=ENVS, env_roots={"prod": ("clusters/prod",)})


@pytest.mark.parametrize(("commit", "expected"), [
    (c(1, "Merge pull request #12 from acme/feature", parents=2, body="Add feature"),
     (ChangePath.PR_MERGE, "unverified web-flow", 12, "Add feature")),
    (c(2, "Add feature (#13)"), (ChangePath.PR_SQUASH, "unverified web-flow", 13, "Add feature")),
    (c(3, "Add feature (#14)", committer="alice@acme.example"), (ChangePath.PR_SQUASH, "medium", 14, "Add feature")),
    (c(4, "Merge branch 'x'", parents=2, committer="alice@acme.example"), (ChangePath.LOCAL_MERGE, "medium", None,
                                                                            None)),
    (c(5, "Update README.md"), (ChangePath.WEB_EDIT, "unverified web-flow", None, None)),
    (c(6, "quick fix", committer="alice@acme.example"), (ChangePath.DIRECT_PUSH, "low", None, None)),
])
def test_how_a_change_landed(commit: CommitRecord, expected: tuple[object, ...]) -> None:
    assert change_path(commit) == expected


def test_offline_pr_inference_is_never_high_confidence() -> None:
    # GitHub as committer with a verified web-flow signature: still an inference from message text, medium at most.
    assert change_path(c(2, "Add feature (#13)"), webflow_verified=True)[1] == "medium"
    merge = c(1, "Merge pull request #12 from acme/feature", parents=2)
    assert change_path(merge, webflow_verified=True)[1] == "medium"


@pytest.mark.parametrize(("name", "email", "kind"), [
    ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com", "renovate"),
    ("dependabot[bot]", "49699333+dependabot[bot]@users.noreply.github.com", "dependabot"),
    ("argocd-image-updater", "noreply@argoproj.io", "argocd-image-updater"),
    ("fluxcdbot", "fluxcdbot@users.noreply.github.com", "flux"),
    ("release-robot[bot]", "1+release-robot[bot]@users.noreply.github.com", "other"),
    ("Alice Martin", "alice@acme.example", None),
])
def test_bot_identities(name: str, email: str, kind: str | None) -> None:
    assert bot_kind(name, email) == kind


def test_revert_by_sha_marks_the_original_failed_with_recovery_time() -> None:
    original = c(1, "Raise replicas (#20)", hours=0)
    revert = c(2, 'Revert "Raise replicas (#20)"', hours=5, committer="bob@acme.example",
               body=f"This reverts commit {original.sha}.")
    records = {r.sha: r for r in build_audit_trail(history(original, revert))}
    assert records[revert.sha].is_revert and records[revert.sha].reverts_sha == original.sha
    failed = records[original.sha]
    assert failed.failed and failed.failure_detection == "revert" and failed.recovery_hours == 5.0
    assert failed.reverted_by == revert.sha


def test_github_revert_button_is_linked_by_pr_number() -> None:
    original = c(1, "Merge pull request #30 from acme/probes", parents=2, body="Add probes")
    revert = c(2, "Merge pull request #31 from acme/revert-30-probes", parents=2, hours=2,
               body='Revert "Add probes"')
    records = {r.sha: r for r in build_audit_trail(history(original, revert))}
    assert records[revert.sha].reverts_pr == 30
    assert records[original.sha].failed and records[original.sha].recovery_hours == 2.0


def test_rollback_by_content_restores_an_earlier_state() -> None:
    a = c(1, "v1 (#1)", hours=0, tree="t1")
    b = c(2, "v2 (#2)", hours=1, tree="t2")
    back = c(3, "Pin back to v1 (#3)", hours=3, tree="t1")
    records = {r.sha: r for r in build_audit_trail(history(a, b, back))}
    assert records[back.sha].is_rollback
    assert records[b.sha].failed and records[b.sha].failure_detection == "rollback"
    assert not records[a.sha].failed


def test_hotfix_within_the_window_fails_the_previous_change_of_the_same_files() -> None:
    a = c(1, "Tune limits (#1)", hours=0, files=("web",))
    fix = c(2, "hotfix: restore limits", hours=20, committer="erin@acme.example", author="erin@acme.example",
            files=("web",))
    late = c(3, "emergency: scale up", hours=20 + 30, committer="erin@acme.example", files=("web",))
    records = {r.sha: r for r in build_audit_trail(history(a, fix, late))}
    assert records[fix.sha].is_hotfix and records[fix.sha].is_emergency
    assert records[a.sha].failed and records[a.sha].failure_detection == "hotfix"
    assert not records[fix.sha].failed  # the next hotfix came 30 h later: a hotfix names no culprit beyond a day


def test_a_revert_naming_no_commit_fails_the_last_change_of_its_files_and_says_it_was_guessed() -> None:
    a = c(1, "Tune limits (#1)", hours=0, files=("web",))
    other = c(2, "Docs (#2)", hours=1, files=("api",))
    undo = c(3, "revert(web): tune limits", hours=5, files=("web",))
    records = {r.sha: r for r in build_audit_trail(history(a, other, undo))}
    assert records[undo.sha].is_revert
    assert records[a.sha].failed and records[a.sha].failure_detection == "revert-of-same-files"
    assert records[a.sha].reverted_by == undo.sha
    assert not records[other.sha].failed


def test_a_revert_whose_content_names_the_change_is_not_a_guess() -> None:
    a = c(1, "Tune limits (#1)", hours=0, files=("web",))
    b = c(2, "Scale web (#2)", hours=1, files=("web",))
    undo = replace(c(3, "revert(web): tune limits", hours=5, files=("web",)), undoes=a.sha)
    records = {r.sha: r for r in build_audit_trail(history(a, b, undo))}
    assert records[undo.sha].reverts_sha == a.sha
    assert records[a.sha].failed and records[a.sha].failure_detection == "revert"
    assert not records[b.sha].failed


def test_lead_times_and_tickets() -> None:
    merge = c(1, "Merge pull request #5 from acme/x", parents=2, hours=10, first=-14, body="Add OPS-42 fix")
    squash = c(2, "Add thing (#6)", hours=20)
    direct = c(3, "tweak", hours=30, committer="alice@acme.example")
    bot = c(4, "Update image (#7)", hours=40, author="29139614+renovate[bot]@users.noreply.github.com",
            name="renovate[bot]")
    records = {r.sha: r for r in build_audit_trail(history(merge, squash, direct, bot))}
    assert records[merge.sha].lead_time_hours == 24.0 and records[merge.sha].ticket_refs == ("OPS-42",)
    assert records[squash.sha].lead_time_hours is None
    assert records[squash.sha].lead_time_source == "unavailable-offline"
    # A direct push has no review delay to measure: left out rather than read as an "elite" lead time.
    assert records[direct.sha].lead_time_hours is None and records[direct.sha].lead_time_source == "direct-push"
    assert records[bot.sha].is_bot and records[bot.sha].lead_time_source == "excluded-bot"


def test_webflow_signature_is_told_apart() -> None:
    merged = c(1, "Merge pull request #5 from acme/x", parents=2, sig=SignatureType.OPENPGP)
    own = c(2, "tweak", hours=1, committer="alice@acme.example", sig=SignatureType.SSH)
    records = {r.sha: r for r in build_audit_trail(history(merged, own))}
    assert records[merged.sha].webflow_signed and not records[own.sha].webflow_signed


def test_commits_outside_environments_are_not_deployments() -> None:
    docs = CommitRecord("d" * 40, ("e" * 40,), "A", "a@x", T0.isoformat(), "A", "a@x", T0.isoformat(), "docs",
                        "docs", files=(("M", "README.md"),))
    assert build_audit_trail(history(docs)) == ()


def test_a_change_co_authored_by_a_bot_is_a_bot_change_reviewed_by_whoever_merged_it() -> None:
    from dataclasses import replace

    from tests.checks.test_history_checks import ctx as history_ctx
    from tests.conftest import catalogued

    pr = replace(c(1, "Merge pull request #12 from acme/bump", parents=2, committer="carol@acme.example",
                   body="Bump chart"), co_authors=("renovate[bot] <29139614+renovate[bot]@users.noreply.github.com>",))
    own = c(2, "Tune replicas (#13)", hours=1)
    trail = build_audit_trail(history(pr, own), ())
    by_sha = {r.sha: r for r in trail}
    assert by_sha[pr.sha].is_bot and by_sha[pr.sha].bot_kind == "renovate"
    assert by_sha[pr.sha].merged_by == "carol@acme.example"
    assert not by_sha[own.sha].is_bot
    found = catalogued("bot-changes-reviewed").run(history_ctx(list(trail)))
    assert found.outcome.value == "pass" and "merged by carol@acme.example" in found.message
    self_merged = [replace(r, merged_by="29139614+renovate[bot]@users.noreply.github.com") for r in trail]
    warned = catalogued("bot-changes-reviewed").run(history_ctx(self_merged))
    assert warned.outcome.value == "warn" and "merged by automation itself" in warned.message
