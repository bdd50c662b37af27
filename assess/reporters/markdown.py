"""A Markdown summary that fits $GITHUB_STEP_SUMMARY and a pull-request comment."""

from __future__ import annotations

from typing import Any

from assess.derive.change_controls import change_controls, review_statement
from assess.model.forge import terms_named
from assess.model.report import Report
from assess.reporters import inert
from assess.reporters.policy_text import policy_lines
from assess.reporters.stage_names import stage_names, stages_above_zero
from assess.reports.figures import declared_production, environment_metrics
from assess.reports.figures import tiers as dora_tiers

SIGNAL_LABEL = {"met": "met", "not-met": "not met", "unknown": "unknown (not observed)"}
MAX_CHARS = 60_000  # PR comments stop at 65,536 characters
ICON = {"pass": "✅", "fail": "❌", "warn": "⚠️", "unknown": "❔", "not-applicable": "·", "error": "💥",
        "met": "✅", "not-met": "❌", "low": "🟢", "medium": "🟠", "high": "🔴"}


def escape(text: Any) -> str:
    """Neutralise Markdown, HTML, mentions and bidi overrides in text from repositories, commits or clusters."""
    return inert.markdown(text)


def render(report: Report) -> str:
    """The summary; long finding lists are cut to stay under the comment limit."""
    st = report.stage
    names = stage_names(report)
    lines = [f"## GitOps stage {st.reached} — {names[st.reached]} ({st.basis} evidence)", "",
             f"**{escape(report.target.name)}** · {escape(st.explanation)}", "",
             "| Stage | Progress |", "|---|---|"]
    for n in stages_above_zero(names):
        mark = "✅" if n <= st.reached else ("⏳" if n == st.reached + 1 else "·")
        lines.append(f"| {mark} {n} {names[n]} | {st.progress.get(str(n), 0)}% |")
    policy = policy_lines(report.policy)
    if policy:
        lines += ["", *(f"> {escape(line)}  " for line in policy)]
    pre = report.premature
    if pre.verdict:
        lines += ["", f"> **GitOps is probably premature here:** {escape('; '.join(pre.reasons))}"]
    if report.next_steps:
        lines += ["", "### Next steps", ""]
        lines += [f"{i}. **{escape(s.title)}** — {escape(s.gain)}" for i, s in enumerate(report.next_steps, start=1)]
    lines += ["", "### Readiness signals", "", "| Signal | Verdict | Why |", "|---|---|---|"]
    lines += [f"| {escape(s.name)} | {ICON.get(s.status, '❔')} {SIGNAL_LABEL.get(s.status, 'unknown')} | "
              f"{escape(s.reason)} |" for s in report.signals]
    lines += ["", "### Failure-mode risk", "", "| Failure mode | Risk |", "|---|---|"]
    lines += [f"| {fm.id} {escape(fm.name)} | {ICON.get(fm.risk, '❔')} {fm.risk} |" for fm in report.failure_modes]
    envs = environment_metrics(report.metrics)
    for env in declared_production(report.metrics):
        m = envs.get(env)
        if m:
            tiers = dora_tiers(m)
            lead = m.lead_time_hours.median
            cfr = m.change_failure_rate
            lines += ["", f"**DORA ({escape(env)}):** {m.deploys_per_week}/week ({tiers['deployment_frequency']})"
                      f" · lead time {lead if lead is not None else 'n/a'} h ({tiers['lead_time']})"
                      f" · change failure rate {f'{cfr:.0%}' if cfr is not None else 'n/a'}"
                      f" ({tiers['change_failure_rate']})"]
    history = report.sources.get("history")
    if history is not None and history.available:
        statement, tone = review_statement(change_controls(report.audit_trail, report.forge_terms), report.forge_terms)
        lines += ["", f"**Change management:** {ICON.get(tone, '❔')} {escape(statement)}"]
    gh = report.github
    if gh:
        when = f"read at {escape(gh.read_at)}" if gh.read_at else "(time of reading not recorded)"
        lines += ["", f"**{terms_named(gh.forge).name} settings** of {escape(gh.repo)} {when}."]
    failing = [f for f in report.findings if f.outcome in ("fail", "warn", "error")]
    lines += ["", f"### Findings ({len(failing)} failing or warning)", "", "| | Check | Severity | Finding |",
              "|---|---|---|---|"]
    body = "\n".join(lines)
    for f in failing:
        row = (f"| {ICON.get(f.outcome, '')} | `{f.check_id}` | {f.severity} | {escape(f.message[:300])}"
               f"{' _(waived)_' if f.waived_by else ''} |")
        if len(body) + len(row) > MAX_CHARS:
            body += f"\n\n_{len(failing)} findings in all; see the full report._"
            break
        body += "\n" + row
    missing = [(k, v) for k, v in report.sources.items() if not v.available]
    if missing:
        body += "\n\n<details><summary>Not observed</summary>\n\n" + "\n".join(
            f"- **{k}**: {escape(v.reason or '')} — {escape(v.remedy())}" for k, v in missing) + \
            "\n\n</details>"
    return body + "\n"
