"""Terminal summary: stage, blockers, signals, failure modes and next steps, for a person at a shell."""

from __future__ import annotations

import io
from collections import Counter

from rich.console import Console, Group
from rich.table import Table
from rich.text import Text

from assess.derive.change_controls import change_controls, review_statement
from assess.model.finding import Outcome
from assess.model.forge import terms_named
from assess.model.report import Report
from assess.model.sections import ForgeSummary
from assess.model.wording import plural
from assess.reporters import inert
from assess.reporters.policy_text import policy_lines
from assess.reporters.stage_names import stage_names, stages_above_zero
from assess.reports.figures import declared_production, deployment_gaps, environment_metrics, timeline_runs
from assess.reports.figures import tiers as dora_tiers

OUTCOME_STYLE = {"pass": "green", "fail": "red", "warn": "yellow", "unknown": "cyan", "not-applicable": "dim",
                 "error": "magenta"}
RISK_STYLE = {"low": "green", "medium": "yellow", "high": "red", "unknown": "cyan"}
SIGNAL_STYLE = {"met": "green", "not-met": "red", "unknown": "cyan"}
SIGNAL_LABEL = {"met": "✔ met", "not-met": "✘ not met", "unknown": "? unknown"}


def _inert(report: Report) -> Report:
    """The report with every string made inert for a terminal (repository text may carry escape sequences)."""
    return inert.typed(report, inert.line)


def build(report: Report, verbose: bool = False) -> Group:
    """The summary as rich renderables (user content is never interpreted as markup, and made inert)."""
    report = _inert(report)
    st = report.stage
    parts: list[object] = []
    head = Text()
    head.append("GitOps stage ", style="bold")
    head.append(f"{st.reached} — {st.name}", style="bold green" if st.reached >= 2 else "bold yellow")
    head.append(f"  ({st.basis.value} evidence{', provisional' if st.provisional else ''})", style="dim")
    parts.append(head)
    parts.append(Text(report.target.name, style="dim"))
    parts += _scope(report)
    parts.append(Text(st.explanation))
    ladder = Table.grid(padding=(0, 1))
    names = stage_names(report)
    for n in stages_above_zero(names):
        pct = st.progress.get(str(n), 0)
        bar = "█" * (pct // 10) + "░" * (10 - pct // 10)
        mark = "✔" if n <= st.reached else " "
        ladder.add_row(Text(f"{mark} {n} {names[n]}"), Text(bar, style="green" if n <= st.reached else "white"),
                       Text(f"{pct:3d}%"))
    parts.append(ladder)

    if st.blockers:
        parts.append(Text("\nBlocking the next stage", style="bold"))
        for check_id in st.blockers[:5]:
            f = report.finding(check_id)
            parts.append(Text(f"  ✘ {check_id}: {f.message if f else ''}", style="red"))
    waived = [f for f in report.findings if f.waived_by]
    if waived:
        parts.append(Text("\nWaived (still failing, accepted by policy)", style="bold"))
        for f in waived[:10]:
            parts.append(Text(f"  ~ {f.check_id} ({f.outcome.value}) waived: {f.waived_by}", style="yellow"))

    signals = Table(title="Readiness signals", title_justify="left", show_header=False, box=None)
    signals.add_column("signal", no_wrap=True)
    signals.add_column("verdict", no_wrap=True)
    signals.add_column("why", overflow="fold")
    for s in report.signals:
        signals.add_row(Text(s.name), Text(SIGNAL_LABEL[s.status.value], style=SIGNAL_STYLE[s.status.value]),
                        Text(s.reason, style="dim"))
    parts.append(Text(""))
    parts.append(signals)
    pre = report.premature
    if pre.verdict:
        parts.append(Text("GitOps is probably premature here: " + "; ".join(pre.reasons), style="bold yellow"))
    elif pre.verdict is None and pre.unknowns:
        parts.append(Text("Premature? cannot tell yet: " + "; ".join(pre.unknowns) + " unknown", style="dim"))

    delivery = _delivery(report)
    if delivery is not None:
        parts.append(Text(""))
        parts.append(delivery)
    if report.timeline:
        line = Text("Timeline ", style="bold")
        for run in timeline_runs(report.timeline):
            mark = "?" if run["provisional"] else ""
            note = f" ({run['note']})" if run["note"] else ""
            line.append(f"{run['months']}: {run['stage']}{mark}{note}  ",
                        style="green" if run["stage"] >= 2 else "white")
        if any(p.provisional for p in report.timeline):
            forge = report.forge_terms.name
            line.append(f"(? provisional: {forge} or cluster evidence describes today only)", style="dim")
        parts.append(line)

    history_source = report.sources.get("history")
    if history_source is not None and history_source.available:
        parts.append(_change_management(report))
    if report.github:
        parts.append(Text(""))
        parts.extend(_forge_section(report.github))

    fms = Table(title="Failure modes", title_justify="left", show_header=False, box=None)
    for fm in report.failure_modes:
        fms.add_row(Text(fm.id), Text(fm.name), Text(fm.risk.value, style=RISK_STYLE[fm.risk.value]))
    parts.append(Text(""))
    parts.append(fms)

    if report.next_steps:
        parts.append(Text("\nNext steps", style="bold"))
        for i, step in enumerate(report.next_steps, start=1):
            parts.append(Text(f"  {i}. {step.title} — {step.gain}"))
            parts.append(Text(f"     {step.remediation}", style="dim"))

    counts = Counter("waived" if f.waived_by else f.outcome.value for f in report.findings)
    tally = Text("\nChecks: ")
    for outcome in Outcome:
        if counts.get(outcome.value):
            tally.append(f"{counts[outcome.value]} {outcome.value}  ", style=OUTCOME_STYLE[outcome.value])
    if counts.get("waived"):
        tally.append(f"{counts['waived']} waived  ", style="yellow")
    parts.append(tally)
    if verbose:
        table = Table(show_header=True, header_style="bold")
        table.add_column("check")
        table.add_column("outcome")
        table.add_column("evidence")
        for f in report.findings:
            refs = ", ".join(str(r.get("path") or r.get("sha") or r.get("object") or r.get("url"))
                             + (f":{r['line']}" if r.get("line") else "") for r in (x.to_json() for x in f.refs[:3]))
            refs += f", and {len(f.refs) - 3} more" if len(f.refs) > 3 else ""
            table.add_row(Text(f.check_id), Text(f.outcome.value, style=OUTCOME_STYLE[f.outcome.value]),
                          Text(f"{f.message} {refs}".strip()))
        parts.append(table)
    missing = [(k, v) for k, v in report.sources.items() if not v.available]
    gaps = deployment_gaps(report.target, report.deployment, report.forge_terms)
    if missing or gaps:
        parts.append(Text("Not observed", style="bold"))
        for name, status in missing:
            parts.append(Text(f"  {name}: {status.reason} — {status.remedy()}", style="dim"))
        for gap in gaps:
            parts.append(Text(f"  {gap['what']}: {gap['reason']} — {gap['fix']}", style="dim"))
    return Group(*parts)  # type: ignore[arg-type]


def _scope(report: Report) -> list[Text]:
    """What was judged: the repository kind, the periods, activity, environments and older offences."""
    out: list[Text] = []
    target, window = report.target, report.window
    if target.kind and target.kind != "gitops-estate":
        out.append(Text(f"Repository kind: {target.kind} — {target.kind_reason or ''}", style="yellow"))
    period, audit = window.period, window.audit_period
    if period:
        text = f"Period: {period.label} ({_day(period.start)} → {_day(period.end)})"
        if audit and audit != period:
            text += f"; change log: {audit.label}"
        activity = window.activity.summary if window.activity else None
        out.append(Text(text + (f"; {activity}" if activity else ""), style="dim"))
    envs = window.environments
    if envs is not None:
        named = ", ".join(envs) if envs else "none identified"
        out.append(Text(f"Environments: {named}", style="dim" if envs else "yellow"))
    historical = window.historical
    if historical and historical.count:
        out.append(Text(f"{historical.summary} (reported apart; not held against the period)", style="dim"))
    for line in policy_lines(report.policy):
        out.append(Text(line, style="yellow" if line.startswith(("Not applied", "Disabled", "Only")) else "dim"))
    return out


def _day(value: object) -> str:
    return str(value)[:10] if value else "first commit"


def _change_management(report: Report) -> Text:
    """The segregation-of-duties sentence over the change log, as every format states it."""
    statement, tone = review_statement(change_controls(report.audit_trail, report.forge_terms), report.forge_terms)
    line = Text("Change management: ", style="bold")
    line.append(statement, style={"pass": "green", "fail": "red"}.get(tone, "cyan"))
    return line


def _forge_section(gh: ForgeSummary) -> list[Text]:
    """Branch rules, review and CI figures from the forge, and what the token could not see."""
    terms = terms_named(gh.forge)
    lines = [Text(f"{terms.name} {gh.repo} ({gh.default_branch})"
                  + ("" if gh.authenticated else " — no token: public data only")
                  + (f", read at {gh.read_at}" if gh.read_at else ""), style="bold")]
    policy = gh.policy
    if policy and policy.protected:
        rules = [f"{plural(policy.required_approvals, 'approval')}"]
        rules += ["code owners"] if policy.require_code_owner_reviews else []
        rules += ["signed commits"] if policy.required_signatures else []
        rules += ["no force push"] if policy.force_push_blocked else ["force push allowed"]
        lines.append(Text(f"  protected by {', '.join(policy.sources)}: {', '.join(rules)}"))
    elif policy:
        lines.append(Text("  default branch NOT protected", style="red"))
    if gh.merged_pull_requests:
        approved = gh.independently_approved
        share = f", {approved} independently approved" if approved is not None else ""
        lines.append(Text(f"  {gh.merged_pull_requests} merged {terms.changes_short}{share}"))
    if gh.ci_success_rate is not None:
        lines.append(Text(f"  CI success {gh.ci_success_rate:.0%} over {gh.ci_runs} {terms.ci_runs_short}"))
    for section, gap in gh.not_visible.items():
        lines.append(Text(f"  not visible: {section}: {gap.reason} — {gap.fix}", style="dim"))
    return lines


def _delivery(report: Report) -> Table | None:
    """DORA figures of the production environments, raw value beside the 2024 tier."""
    envs = environment_metrics(report.metrics)
    if not envs:
        return None
    table = Table(title="Delivery (DORA, tier per 2024 table)", title_justify="left", box=None)
    for col in ("environment", "deploys/week", "lead time (median)", "change failure rate", "time to restore"):
        table.add_column(col)
    for env in declared_production(report.metrics) or list(envs):
        m = envs.get(env)
        if not m:
            continue
        tiers = dora_tiers(m)
        lead = m.lead_time_hours.median
        restore = m.recovery_hours.median
        cfr = m.change_failure_rate
        table.add_row(
            Text(env),
            Text(f"{m.deploys_per_week} ({tiers['deployment_frequency']})"),
            Text(f"{lead} h ({tiers['lead_time']})" if lead is not None else "n/a"),
            Text(f"{cfr:.0%} ({tiers['change_failure_rate']})" if cfr is not None else "n/a"),
            Text(f"{restore} h ({tiers['recovery_time']})" if restore is not None else "n/a"),
        )
    return table


def render(report: Report, verbose: bool = False, width: int = 100) -> str:
    """The summary as plain text (no colour), e.g. for files and tests."""
    console = Console(width=width, record=True, color_system=None, file=io.StringIO())
    console.print(build(report, verbose))
    return console.export_text()


def print_report(report: Report, console: Console, verbose: bool = False) -> None:
    """Print the summary to a console."""
    console.print(build(report, verbose))
