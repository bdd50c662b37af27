"""History read the way real repositories write it: merges credited to their branch's author, bots and AI agents,
one person under two addresses, rebase merges seen through refs/pull, and `--until` judging the tree of then."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from assess.derive.identity import bot_kind, count_people
from tests.conftest import Files
from tests.conftest import finding_of as finding
from tests.conftest import scan_json as scan
from tests.history_builder import HistoryBuilder, at
from tests.test_periods import ESTATE, change

RENOVATE = ("renovate[bot]", "29139614+renovate[bot]@users.noreply.github.com")




def test_bots_and_agents_are_automation_and_people_are_counted_once() -> None:
    for name, email in [("cf-ci-bot", "ci@codefresh.io"), ("snyk-bot", "snyk-bot@snyk.io"),
                        ("StepSecurity Bot", "bot@stepsecurity.io"), ("Claude", "noreply@anthropic.com"),
                        ("Copilot", "198982749+Copilot@users.noreply.github.com"), RENOVATE]:
        assert bot_kind(name, email) is not None, name
    for name, email in [("Abbott Smith", "abbott@x.test"), ("Talbot Jones", "talbot@x.test")]:
        assert bot_kind(name, email) is None, name
    # One person committing locally and through the GitHub web interface is one person.
    assert count_people([("Kostis Kapelonis", "kostis@work.example"),
                         ("Kostis Kapelonis", "1234+kostis@users.noreply.github.com"),
                         ("kostis", "1234+kostis@users.noreply.github.com"),
                         ("Alice Martin", "alice@x.test")]) == 2


def test_a_merge_is_the_branch_authors_change_and_a_bot_pr_stays_a_bot_change(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.commit(ESTATE, "init", at("2026-03-01T09:00"), ("Alice", "alice@x.test"))
    for branch, author, n in (("feat", ("Carol", "carol@x.test"), 1), ("renovate/web", RENOVATE, 2)):
        b._git("checkout", "-q", "-b", branch)
        b.commit(change(n), f"change {n}", at(f"2026-03-0{n + 1}T09:00"), author)
        b._git("checkout", "-q", "main")
        b._git("merge", "-q", "--no-ff", branch, "-m", f"Merge pull request #{n} from acme/{branch}",
               env={"GIT_AUTHOR_NAME": "Alice", "GIT_AUTHOR_EMAIL": "alice@x.test",
                    "GIT_COMMITTER_NAME": "GitHub", "GIT_COMMITTER_EMAIL": "noreply@github.com",
                    "GIT_AUTHOR_DATE": f"2026-03-0{n + 1}T12:00:00+00:00",
                    "GIT_COMMITTER_DATE": f"2026-03-0{n + 1}T12:00:00+00:00"})
    # A person pushing a bot's commit straight to main is a person's direct push.
    b.commit(change(3), "chore(deps): update web", at("2026-03-05T09:00"), RENOVATE, ("Dave", "dave@x.test"))
    report = scan(b.root, "--until", "2026-03-31")
    trail = {r["pr_number"] or r["subject"]: r for r in report["audit_trail"]}
    assert trail[1]["author_email"] == "carol@x.test" and trail[1]["merged_by"] == "alice@x.test"
    assert trail[2]["is_bot"] and trail[2]["bot_kind"] == "renovate" and trail[2]["merged_by"] == "alice@x.test"
    pushed = trail["chore(deps): update web"]
    assert not pushed["is_bot"] and pushed["pushed_by"] == "dave@x.test"
    assert report["metrics"]["history"]["human_authors"] == 1  # Carol; Alice only merged, the bot is no person
    assert report["metrics"]["history"]["mergers"] == 1
    assert finding(report, "bot-changes-reviewed")["outcome"] == "pass"
    direct = finding(report, "no-human-direct-pushes")
    assert direct["outcome"] == "fail" and "dave@x.test" in direct["message"]


def test_rebase_merges_are_recognised_from_the_pull_request_heads_a_clone_carries(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.commit(ESTATE, "init", at("2026-03-01T09:00"))
    landed = b.push(change(1), "tune web", at("2026-03-02T09:00"))
    b._git("update-ref", "refs/pull/41/head", landed)  # GitHub's ref for pull request 41 points at it
    b.push(change(2), "hand edit", at("2026-03-03T09:00"))
    report = scan(b.root, "--until", "2026-03-31")
    trail = {r["sha"]: r for r in report["audit_trail"]}
    assert trail[landed]["change_path"] == "pr-rebase" and trail[landed]["pr_number"] == 41
    assert trail[landed]["change_path_confidence"] == "medium"  # inferred offline, never high
    direct = [r["subject"] for r in report["audit_trail"] if r["change_path"] == "direct-push" and r["parents"]]
    assert direct == ["hand edit"]


def test_until_judges_the_tree_as_it_stood_and_a_date_covers_the_whole_day(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.commit(ESTATE, "init", at("2026-03-01T09:00"))
    then = b.push(change(1), "last change of the day", at("2026-03-02T23:30"))
    b.push({".github/workflows/ci.yaml": "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
            "      - run: make test\n"}, "add CI", at("2026-04-01T09:00"))
    report = scan(b.root, "--until", "2026-03-02")
    assert report["target"]["revision"] == then  # the tree of then, not HEAD's
    assert finding(report, "ci-pipeline-defined")["outcome"] != "pass"
    assert report["window"]["activity"]["last_commit_at"].startswith("2026-03-02T23:30")
    assert scan(b.root)["target"]["revision"] != then


def test_other_ci_systems_and_configuration_repositories(repo_factory: Callable[[Files], Path]) -> None:
    woodpecker = "steps:\n  lint:\n    image: alpine\n    commands:\n      - yamllint .\n"
    codefresh = ("version: '1.0'\nsteps:\n  test:\n    title: test\n    image: golang:1.22\n"
                 "    commands:\n      - make test\n")
    for files in ({".woodpecker/lint.yaml": woodpecker}, {"build/ci.yml": codefresh}):
        report = scan(repo_factory({**files, "k8s/web.yaml": ESTATE["kubernetes/apps/web/deployment.yaml"]}))
        assert finding(report, "ci-pipeline-defined")["outcome"] == "pass", files
    # Manifests only, no CI here: a caveat, not "fix CI first".
    bare = scan(repo_factory({"k8s/web.yaml": ESTATE["kubernetes/apps/web/deployment.yaml"]}))
    assert finding(bare, "ci-pipeline-defined")["outcome"] == "warn"
    assert not any("CI" in r for r in bare["premature"]["reasons"])


def test_commands_against_a_test_cluster_the_job_creates_are_not_push_deploys(
        repo_factory: Callable[[Files], Path]) -> None:
    e2e = ("on: pull_request\njobs:\n  e2e:\n    runs-on: ubuntu-latest\n    steps:\n"
           "      - uses: helm/kind-action@v1\n      - run: kubectl apply -k ./apps\n"
           "  deploy:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kubectl apply -k ./apps\n")
    report = scan(repo_factory({".github/workflows/e2e.yaml": e2e,
                                "apps/kustomization.yaml": "resources: []\n"}))
    push = finding(report, "no-push-deploy-from-ci")
    assert push["outcome"] == "fail" and "1 push deploy in CI" in push["message"]
    assert push["refs"] == [{"kind": "file", "path": ".github/workflows/e2e.yaml", "line": 11}]
    assert "throwaway test cluster" in push["message"]
