"""The change-management section states only what was observed, identically in HTML, Markdown and the terminal."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from assess.change_controls import change_controls, review_statement
from assess.model.report import Report
from assess.reporters import html, markdown, terminal

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
    return {"html": html.render(report), "md": markdown.render(report),
            "terminal": terminal.render(Report.from_json(report), width=400)}


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
    figures = change_controls(trail)
    assert figures.direct == 1 and figures.root_commits == 1
    assert [e.sha for e in figures.exceptions] == [root["sha"]]
    pr_control = next(c for c in figures.controls if c.name == "Changed through a pull request")
    approval = next(c for c in figures.controls if c.name.startswith("Approved"))
    assert (pr_control.exceptions, approval.exceptions, approval.unknown) == (1, 1, 0)
    assert review_statement(figures) == ("1 of 2 changes not reviewed by someone other than the author.", "fail")
    page = html.render(_report(trail))
    assert "root commit (initial import): pushed directly by a person, no review" in page
    assert NO_EXCEPTION not in page


def test_github_settings_are_dated_in_every_human_format() -> None:
    report = _report([])
    report["github"]["read_at"] = "2026-01-02T03:04:05+00:00"
    for name, text in _all_formats(report).items():
        assert "read at 2026-01-02T03:04:05+00:00" in text, name
