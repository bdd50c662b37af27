"""Run one assessment: collect evidence, run checks, score, and build the report."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from assess import __version__
from assess.checks.catalog import Check, load_catalog
from assess.checks.runner import run_checks
from assess.collectors.git_repo import RepositoryError
from assess.collectors.repo_tree import collect_repo
from assess.config import Config
from assess.model.codec import to_plain
from assess.model.context import CheckContext
from assess.model.evidence import EvidenceBundle, Source, Unavailable
from assess.model.finding import Outcome
from assess.model.report import Report, SourceStatus
from assess.scoring import score

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Settings:
    """What to assess and how."""

    path: str
    revision: str = "HEAD"
    worktree: bool = False
    config: Config = field(default_factory=Config)
    target_name: str | None = None


def collect(settings: Settings, progress: Progress = lambda _: None, now: datetime | None = None) -> EvidenceBundle:
    """Gather every source's evidence; a source that cannot be read becomes Unavailable (never raises for those)."""
    now = now or datetime.now(UTC)
    progress(f"reading repository tree at {settings.revision}")
    git_ev = collect_repo(settings.path, settings.revision, settings.worktree, now)
    unavailable = [
        Unavailable(Source.GITHUB, "GitHub evidence was not requested",
                    "run with --github owner/repo and a GITHUB_TOKEN with read access"),
        Unavailable(Source.CLUSTER, "no cluster was requested",
                    "run with --kube-context or --cluster-snapshot FILE"),
    ]
    return EvidenceBundle(git=git_ev, unavailable=tuple(unavailable))


def evaluate(bundle: EvidenceBundle, settings: Settings, catalog: tuple[Check, ...] | None = None,
             now: datetime | None = None) -> Report:
    """Pure evaluation of an evidence bundle into a report (apart from the timestamp)."""
    now = now or datetime.now(UTC)
    checks = tuple(c for c in (catalog or load_catalog()) if c.spec.id not in settings.config.disabled_checks)
    ctx = CheckContext(bundle, settings.config.thresholds)
    findings = run_checks(checks, ctx)
    specs = [c.spec for c in checks]
    scores = score(findings, specs, settings.config.thresholds, {})
    git = bundle.git
    target = {
        "name": settings.target_name or (git.root if git else settings.path),
        "path": git.root if git else settings.path,
        "revision": git.revision if git else None,
        "ref": git.ref if git else None,
        "worktree": git.worktree if git else False,
    }
    return Report(
        tool_version=__version__,
        target=target,
        generated_at=now.isoformat(timespec="seconds"),
        stage=scores.stage,
        findings=findings,
        sources=_sources(bundle),
        signals=scores.signals,
        premature=scores.premature,
        failure_modes=scores.failure_modes,
        dimensions=scores.dimensions,
        next_steps=scores.next_steps,
        checks=tuple(c.spec.to_json() for c in checks),
        evidence_sha256=evidence_digest(bundle),
    )


def run_assessment(settings: Settings, progress: Progress = lambda _: None) -> tuple[Report, EvidenceBundle]:
    """Collect then evaluate; raises RepositoryError when the repository itself cannot be read."""
    bundle = collect(settings, progress)
    progress("running checks")
    return evaluate(bundle, settings), bundle


def evidence_json(bundle: EvidenceBundle) -> str:
    """The evidence bundle as canonical JSON (sorted keys), as saved with --save-evidence."""
    return json.dumps(to_plain(bundle), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def evidence_digest(bundle: EvidenceBundle) -> str:
    """SHA-256 of the canonical evidence JSON, so an audit can prove which evidence a report rests on."""
    return hashlib.sha256(evidence_json(bundle).encode("utf-8")).hexdigest()


def _sources(bundle: EvidenceBundle) -> dict[str, SourceStatus]:
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
        out["git"] = SourceStatus(True, detail="; ".join(notes) or None)
    for item in bundle.unavailable:
        out[item.source.value] = SourceStatus(False, item.reason, item.fix)
    return out


def has_errors(report: Report) -> bool:
    """Whether any check raised."""
    return any(f.outcome is Outcome.ERROR for f in report.findings)


__all__ = ["RepositoryError", "Settings", "collect", "evaluate", "has_errors", "run_assessment"]
