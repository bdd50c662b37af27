"""The change-management section states only what was observed, identically in HTML, Markdown and the terminal."""

from __future__ import annotations

import copy
import json
import re
import subprocess
from pathlib import Path
from typing import Any

from assess.derive.change_controls import change_controls, review_statement
from assess.model.codec import from_plain
from assess.model.history import AuditRecord
from assess.model.report import Report
from assess.reporters import html, markdown, terminal
from tests.conftest import GIT_ENV, finding_of, scan_json

GOLDEN = Path(__file__).resolve().parent / "golden" / "report.json"
NO_EXCEPTION = "No exception"


def _report(trail: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(GOLDEN.read_text())
    data["audit_trail"] = trail
    return data


def _record(sha: str, path: str, approvers: list[str], self_approved: bool | None,
            parents: tuple[str, ...] = ("p",)) -> dict[str, Any]:
    base = copy.deepcopy(json.loads(GOLDEN.read_text())["audit_trail"][0])
    return {**base, "sha": sha * 40, "change_path": path, "approvers": approvers, "self_approved": self_approved,
            "parents": list(parents), "pr_number": 1 if path.startswith("pr-") else None}


def _all_formats(report: dict[str, Any]) -> dict[str, str]:
    typed = Report.from_json(report)
    return {"html": html.render(typed), "md": markdown.render(typed), "terminal": terminal.render(typed, width=400)}


def test_an_empty_population_is_never_a_green_no_exception() -> None:
    outputs = _all_formats(_report([]))
    for name, text in outputs.items():
        assert NO_EXCEPTION not in text, name
        assert "No change in the period" in text, name
    # No control table made of a header alone.
    assert "<th>Control</th>" not in outputs["html"]


def test_unknown_approvals_are_stated_not_counted_as_passing() -> None:
    trail = [_record("a", "pr-merge", ["bob"], False), _record("b", "pr-squash", [], None),
             _record("c", "pr-merge", [], None)]
    for name, text in _all_formats(_report(trail)).items():
        assert NO_EXCEPTION not in text, name
        assert "approval unknown for 2 of 3 changes (needs github evidence)" in " ".join(text.lower().split()), name


def test_no_exception_only_when_every_approval_is_known_and_independent() -> None:
    trail = [_record("a", "pr-merge", ["bob"], False), _record("b", "pr-squash", ["carol"], False)]
    for name, text in _all_formats(_report(trail)).items():
        assert "No exception: every one of the 2 changes" in " ".join(text.split()), name


def test_a_root_commit_counts_as_a_direct_change_in_every_figure() -> None:
    root = _record("r", "direct-push", [], None, parents=())
    trail = [_record("a", "pr-merge", ["bob"], False), root]
    figures = change_controls([from_plain(AuditRecord, r) for r in trail])
    assert figures.direct == 1 and figures.root_commits == 1
    assert [e.sha for e in figures.exceptions] == [root["sha"]]
    pr_control = next(c for c in figures.controls if c.name == "Changed through a pull request")
    approval = next(c for c in figures.controls if c.name.startswith("Approved"))
    assert (pr_control.exceptions, approval.exceptions, approval.unknown) == (1, 1, 0)
    assert review_statement(figures) == ("1 of 2 changes not reviewed by someone other than the author (including "
                                         "the root commit, the initial import).", "fail")
    page = html.render(Report.from_json(_report(trail)))
    assert "root commit (initial import): pushed directly by a person, no review" in page
    assert NO_EXCEPTION not in page


def test_github_settings_are_dated_in_every_human_format() -> None:
    report = _report([])
    report["github"]["read_at"] = "2026-01-02T03:04:05+00:00"
    for name, text in _all_formats(report).items():
        assert "read at 2026-01-02T03:04:05+00:00" in text, name



def test_one_root_commit_is_left_out_of_every_period_figure_alike(tmp_path: Path) -> None:
    repo = tmp_path / "estate"
    (repo / "clusters" / "prod").mkdir(parents=True)
    subprocess.run(["git", "-C", str(repo), "init", "-q", "--initial-branch=main"], check=True, env=GIT_ENV)
    (repo / ".gitops-assess.yaml").write_text("environments:\n  production: ['clusters/prod/**']\n")
    steps = [("2026-03-01T10:00:00+00:00", "alice@acme.example", "Initial import"),
             ("2026-03-05T10:00:00+00:00", "bob@acme.example", "Raise replicas"),
             ("2026-03-06T10:00:00+00:00", "carol@acme.example", "Lower replicas"),
             ("2026-03-07T10:00:00+00:00", "dave@acme.example", "Tune limits (#5)")]
    for i, (when, email, message) in enumerate(steps):
        (repo / "clusters" / "prod" / "app.yaml").write_text(f"replicas: {i}\n")
        env = {**GIT_ENV, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when, "GIT_AUTHOR_EMAIL": email,
               "GIT_COMMITTER_EMAIL": email}
        subprocess.run(["git", "-C", str(repo), "add", "-A"], check=True, env=env)
        subprocess.run(["git", "-C", str(repo), "commit", "-q", "-m", message], check=True, env=env)
    report = scan_json(repo, "--since", "all", "--until", "2026-03-10")
    pushes = finding_of(report, "no-human-direct-pushes")["message"]
    assert pushes.startswith("2 direct pushes"), pushes
    assert report["metrics"]["history"]["human_direct_pushes"] == 2
    populations = {check: re.search(r"(?:of|All) (\d+) deployments", finding_of(report, check)["message"])
                   for check in ("audit-trail-complete", "deployment-commits-signed")}
    assert {m.group(1) if m else None for m in populations.values()} == {"3"}, populations
    # The change log lists the root commit, and segregation of duties names it an exception instead of dropping it.
    root = [r for r in report["audit_trail"] if not r["parents"]]
    assert len(root) == 1
    page = html.render(Report.from_json(report))
    assert root[0]["sha"][:10] in page.split("Segregation of duties")[1].split("Emergency changes")[0]
    assert NO_EXCEPTION not in page


def test_the_root_commit_is_always_the_bootstrap_even_when_its_message_names_a_pull_request() -> None:
    from assess.derive.activity import bootstrap, human_direct_pushes
    from assess.model.history import CommitRecord

    def commit(n: int, parents: tuple[str, ...], subject: str) -> CommitRecord:
        when, email = f"2026-03-0{n}T10:00:00+00:00", f"person{n}@acme.example"
        return CommitRecord(sha=f"{n:040x}", parents=parents, author_name="A", author_email=email,
                            authored_at=when, committer_name="A", committer_email=email,
                            committed_at=when, subject=subject, body=subject)

    root = commit(1, (), "Initial import (#1)")
    later = commit(2, (root.sha,), "Raise replicas")
    boot = bootstrap((later, root), frozenset({root.sha}))
    assert boot.shas == (root.sha,)
    assert [c.sha for c in human_direct_pushes((later, root), frozenset())] == [later.sha]


def test_the_report_json_states_the_same_figures() -> None:
    from tests.cli_runner import invoke

    empty = json.loads(invoke("scan", "--sample", "stage0-scripts", "-f", "json", "-q").stdout)
    assert empty["metrics"]["change_management"]["population"] == 0
    assert empty["metrics"]["change_management"]["outcome"] == "unknown"
    assert NO_EXCEPTION not in empty["metrics"]["change_management"]["statement"]
    fleet = json.loads(invoke("scan", "--sample", "stage4-fleet", "-f", "json", "-q").stdout)
    stated = fleet["metrics"]["change_management"]
    assert stated == {**stated, "population": len(fleet["audit_trail"]), "root_commits": 1, "exceptions": 1}
    assert stated["statement"] in markdown.render(Report.from_json(fleet))
