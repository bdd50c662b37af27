"""Change-management figures and the sentences that state them, from the report's audit trail (pure).

Every format (HTML/PDF, Markdown, terminal) reads these figures, so no two places count the same changes
differently, and no format claims what was not observed: "no exception" is said only over a non-empty population
whose every approval is known."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from assess.model.forge import DEFAULT_FORGE, TERMS, ForgeTerms, forge_wording
from assess.model.history import DIRECT_PATHS, PR_PATHS, AuditRecord, SignatureType
from assess.model.sections import ChangeManagement

DIRECT = DIRECT_PATHS
UNSIGNED = frozenset({SignatureType.NONE, SignatureType.MALFORMED})


@dataclass(frozen=True)
class Exception_:
    """One change that breaks segregation of duties, and why."""

    sha: str
    author: str
    why: str


@dataclass(frozen=True)
class Control:
    """One control tested over a population: how many pass, how many are exceptions, how many are unknown."""

    name: str
    population: int
    exceptions: int
    unknown: int = 0

    @property
    def rate(self) -> str:
        """The pass rate over the members whose outcome is known ("—" when none is)."""
        known = self.population - self.unknown
        return f"{(known - self.exceptions) / known:.0%}" if known else "—"

    @property
    def clean(self) -> bool:
        """True only when the population is non-empty and every member is known to pass."""
        return self.population > 0 and self.exceptions == 0 and self.unknown == 0


@dataclass(frozen=True)
class ChangeControls:
    """The change-management figures of one audit trail."""

    population: int
    through_pr: int
    direct: int
    root_commits: int
    approval_known: int
    independently_approved: int
    exceptions: tuple[Exception_, ...]
    controls: tuple[Control, ...]

    @property
    def approval_unknown(self) -> int:
        """Changes whose approval nobody observed (pull requests without GitHub review evidence)."""
        return self.population - self.approval_known


def _review_known(r: AuditRecord) -> bool:
    # A direct change is known to have had no review; a pull request's reviews are known only from GitHub.
    return r.change_path in DIRECT or r.self_approved is not None


def _exception(r: AuditRecord) -> str | None:
    if r.change_path in DIRECT:
        who = "automation" if r.is_bot else "a person"
        root = "root commit (initial import): " if not r.parents else ""
        return f"{root}pushed directly by {who}, no review"
    if r.self_approved:
        return "merged without an independent approval"
    return None


def change_controls(trail: Sequence[AuditRecord], terms: ForgeTerms = TERMS[DEFAULT_FORGE]) -> ChangeControls:
    """The figures of an audit trail, the controls named in the words of the forge the report read or tried. Root
    commits count like any other change."""
    via_pr = [r for r in trail if r.change_path in PR_PATHS]
    known = [r for r in trail if _review_known(r)]
    approved = [r for r in known if r.change_path not in DIRECT and r.approvers]
    exceptions = tuple(Exception_(r.sha, r.author_name or "", why) for r in trail
                       if (why := _exception(r)) is not None)
    emergencies = [r for r in trail if r.is_emergency]
    attributable = [r for r in trail if r.pr_number or r.ticket_refs or r.is_bot]
    controls = (
        Control(forge_wording("Changed through a pull request", terms), len(trail), len(trail) - len(via_pr)),
        Control("Approved by someone other than the author", len(trail), len(known) - len(approved),
                len(trail) - len(known)),
        Control(forge_wording("Attributable to a PR or ticket", terms), len(trail), len(trail) - len(attributable)),
        Control("Signed", len(trail), sum(1 for r in trail if r.signature in UNSIGNED)),
        Control(forge_wording("Emergency changes reviewed through a PR", terms), len(emergencies),
                sum(1 for r in emergencies if r.change_path not in PR_PATHS)),
    )
    return ChangeControls(
        population=len(trail), through_pr=len(via_pr), direct=sum(1 for r in trail if r.change_path in DIRECT),
        root_commits=sum(1 for r in trail if not r.parents), approval_known=len(known),
        independently_approved=len(approved), exceptions=exceptions, controls=controls)


def approvers_text(r: AuditRecord) -> str:
    """Who approved a change: their names, "none" (known: no independent approval) or "unknown"."""
    if r.approvers:
        return ", ".join(str(a) for a in r.approvers)
    return "none" if r.change_path in DIRECT or r.self_approved else "unknown"


def review_statement(cc: ChangeControls, terms: ForgeTerms = TERMS[DEFAULT_FORGE]) -> tuple[str, str]:
    """The segregation-of-duties sentence and its tone (pass, fail or unknown), derived from observed counts."""
    if cc.population == 0:
        return ("No change in the period: segregation of duties could not be tested (no population).", "unknown")
    parts = []
    if cc.exceptions:
        roots = sum(1 for e in cc.exceptions if e.why.startswith("root commit"))
        parts.append(f"{len(cc.exceptions)} of {_changes(cc.population)} not reviewed by someone other than "
                     "the author" + (" (including the root commit, the initial import)" if roots else ""))
    if cc.approval_unknown:
        parts.append(f"approval unknown for {cc.approval_unknown} of {_changes(cc.population)} "
                     f"(needs {terms.name} evidence)")
    if parts:
        text = "; ".join(parts)
        return (text[0].upper() + text[1:] + ".", "fail" if cc.exceptions else "unknown")
    return (f"No exception: every one of the {_changes(cc.population)} in the period was reviewed by someone "
            "other than its author.", "pass")


def change_management(trail: Sequence[AuditRecord], terms: ForgeTerms = TERMS[DEFAULT_FORGE]) -> ChangeManagement:
    """The figures and the sentence for the report (`metrics.change_management`), as every format states them."""
    cc = change_controls(trail, terms)
    statement, tone = review_statement(cc, terms)
    return ChangeManagement(cc.population, cc.through_pr, cc.direct, cc.root_commits, cc.approval_known,
                            cc.approval_unknown, cc.independently_approved, len(cc.exceptions), statement, tone)


def _changes(n: int) -> str:
    return f"{n} change" if n == 1 else f"{n} changes"


__all__ = ["ChangeControls", "Control", "approvers_text", "change_controls", "change_management",
           "review_statement"]
