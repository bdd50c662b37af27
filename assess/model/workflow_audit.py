"""What a workflow linter (zizmor) found in the CI workflows, as evidence."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WorkflowFinding:
    """One finding of the linter, at a file and line of a workflow."""

    audit: str
    description: str
    url: str
    severity: str
    confidence: str
    path: str
    line: int | None
    annotation: str
    ignored: bool = False
    expression: str = ""  # the `${{ }}` expression a template-injection finding is about


@dataclass(frozen=True)
class WorkflowAudit:
    """The linter run: which tool and version, over which files, and what it found."""

    tool: str
    version: str
    files: tuple[str, ...]
    findings: tuple[WorkflowFinding, ...] = ()
    config: str | None = None
