"""The fleet report in the light formats: JSON, Markdown, terminal, SARIF (a run per repository) and JUnit (a suite
per repository). HTML and PDF are in fleet_document, which needs the chart and PDF stack."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import Any

from assess.model.report import Report
from assess.reporters import inert, junit, sarif
from assess.reporters.markdown import escape
from assess.reporters.stage_names import stage_names


def fleet_names(fleet: dict[str, Any]) -> dict[int, str]:
    """Stage number -> name, as the fleet was merged (the packaged model's for fleets merged before it said)."""
    given = fleet.get("stages") or {}
    return {int(n): str(name) for n, name in sorted(given.items(), key=lambda i: int(i[0]))} if given \
        else stage_names(None)


def render_json(fleet: dict[str, Any]) -> str:
    """The fleet summary as JSON."""
    return json.dumps(fleet, indent=2, ensure_ascii=False) + "\n"


def render_markdown(fleet: dict[str, Any]) -> str:
    """A Markdown table of repositories and their stages."""
    lines = [f"## GitOps fleet: {escape(fleet['name'])} — {fleet['repositories']} repositories", "",
             "| Stage | Repositories |", "|---|---|"]
    names = fleet_names(fleet)
    lines += [f"| {n} {escape(names[n])} | {fleet['stage_distribution'].get(str(n), 0)} |" for n in names]
    dora = fleet["dora"]
    lines += ["", f"**Organisation DORA (medians over {dora['repositories_with_metrics']} repositories):** "
              f"{dora['median_deploys_per_week']} deploys/week · lead time {dora['median_lead_time_hours']} h · "
              f"change failure rate {dora['median_change_failure_rate']}", "",
              "| Failure mode | High | Medium | Low |", "|---|---|---|---|"]
    lines += [f"| {w['id']} {escape(w['name'])} | {w['high']} | {w['medium']} | {w['low']} |"
              for w in fleet["worst_failure_modes"]]
    lines += ["", "| Repository | Stage | Blocked by | Failing |", "|---|---|---|---|"]
    lines += [f"| {escape(r['repo'])} | {r['stage']} | {escape(', '.join(r['blockers'][:3]))} | {r['fails']} |"
              for r in fleet["rows"]]
    return "\n".join(lines) + "\n"


def render_terminal(fleet: dict[str, Any]) -> str:
    """Plain text for a terminal (repository names and blockers made inert)."""
    fleet = inert.tree(fleet, inert.line)
    lines = [f"{fleet['name']}: {fleet['repositories']} repositories, median stage {fleet['median_stage']}"]
    lines += [f"  stage {n}: {fleet['stage_distribution'].get(str(n), 0)}" for n in fleet_names(fleet)]
    lines += [f"  {r['repo']:40} stage {r['stage']}  {', '.join(r['blockers'][:3])}" for r in fleet["rows"]]
    return "\n".join(lines) + "\n"


def render_sarif(reports: Sequence[Report]) -> str:
    """One SARIF log with one run per repository."""
    runs = [json.loads(sarif.render(r))["runs"][0] for r in reports]
    return json.dumps({"$schema": sarif.SCHEMA, "version": "2.1.0", "runs": runs}, indent=2,
                      ensure_ascii=False) + "\n"


def render_junit(reports: Sequence[Report]) -> str:
    """One JUnit document with a test suite per repository."""
    root = ET.Element("testsuites", {"name": "gitops-assess fleet"})
    totals = {"tests": 0, "failures": 0, "errors": 0, "skipped": 0}
    for report in reports:
        suite = ET.fromstring(junit.render(report).split("?>", 1)[1]).find("testsuite")
        if suite is not None:
            root.append(suite)
            for key in totals:
                totals[key] += int(suite.get(key, "0"))
    for key, value in totals.items():
        root.set(key, str(value))
    ET.indent(root)
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"
