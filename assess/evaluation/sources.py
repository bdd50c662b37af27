"""What each evidence source gave (pure): available with what was read and what was only partly observed, or why
not and what would fix it."""


from __future__ import annotations

from assess.model.cluster import AccessStatus
from assess.model.evidence import (
    EvidenceBundle,
    FileProblem,
)
from assess.model.report import SourceStatus
from assess.model.wording import plural


def source_statuses(bundle: EvidenceBundle) -> dict[str, SourceStatus]:
    """Each source of the bundle: what was read, or why not and what would fix it."""
    out: dict[str, SourceStatus] = {}
    if bundle.git is not None:
        git = bundle.git
        notes = []
        if git.empty:
            notes.append("repository has no commits")
        if git.shallow:
            notes.append("shallow clone: history is limited")
        if git.bare:
            notes.append("bare repository")
        notes += [f"partially observed: {reason}" for reason in git.partial]
        over_budget = [f.path for f in git.files if f.problem and f.problem.kind in (FileProblem.ALIAS_BOMB,
                                                                                    FileProblem.NODE_BUDGET)]
        if over_budget:
            notes.append(f"partially observed: {plural(len(over_budget), 'file')} not fully read, over the YAML node "
                         f"budget ({', '.join(over_budget[:3])}{', …' if len(over_budget) > 3 else ''})")
        out["git"] = SourceStatus(True, detail="; ".join(notes) or None)
    if bundle.forge is not None:
        gh = bundle.forge
        hidden = [name for name, s in gh.sections.items() if not s.available]
        detail = f"{gh.repo} via {gh.provenance.method}; {gh.requests} requests ({gh.conditional_hits} cached)"
        if not gh.authenticated:
            detail += "; no token: public data only"
        if hidden:
            detail += f"; not visible: {', '.join(hidden)}"
        out[gh.forge.value] = SourceStatus(True, detail=detail)  # "github" or "gitlab"
    if bundle.clusters:
        parts = []
        for c in bundle.clusters:
            refused = [a.resource for a in c.access if a.status in (AccessStatus.FORBIDDEN, AccessStatus.ERROR)]
            absent = [a.resource for a in c.access if a.status is AccessStatus.NOT_IN_SNAPSHOT]
            text = f"{c.name} ({'snapshot' if c.from_snapshot else 'live'}, {len(c.objects)} objects"
            text += "" if c.managed_fields_present else ", no managedFields"
            text += f"; forbidden: {', '.join(refused)}" if refused else ""
            text += f"; not in snapshot: {len(absent)} types" if absent else ""
            partial = [f"{a.resource} ({a.message})" for a in c.access if a.status is AccessStatus.PARTIAL]
            text += f"; partially observed: {', '.join(partial)}" if partial else ""
            parts.append(text + ")")
        out["cluster"] = SourceStatus(True, detail="; ".join(parts))
    if bundle.workflow_audit is not None:
        audit = bundle.workflow_audit
        out["zizmor"] = SourceStatus(True, detail=f"{audit.tool} {audit.version} over "
                                     f"{plural(len(audit.files), 'workflow file')}, offline"
                                     + (f", with {audit.config}" if audit.config else ""))
    if bundle.history is not None:
        h = bundle.history
        detail = f"{h.total_commits} first-parent commits on {h.branch}"
        out["history"] = SourceStatus(True, detail="; ".join([detail, *h.notes]))
    for item in bundle.unavailable:
        out[item.source.value] = SourceStatus(False, item.reason, item.fix, item.cause, item.scope)
    return out
