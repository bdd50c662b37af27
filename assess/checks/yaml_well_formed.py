"""Declarations parse: broken YAML is reported, never silently skipped."""

from __future__ import annotations

from assess.checks._repo import plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileProblem
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="yaml-well-formed",
    title="Declarations are well-formed YAML",
    principle=Principle.DECLARATIVE,
    severity=Severity.MEDIUM,
    stage=1,
    rationale="A reconciler cannot apply a manifest it cannot parse; broken files are silent gaps between what "
    "Git shows and what runs. Templated files (Helm templates, .j2, .tmpl) are not counted as broken.",
    remediation="Fix the files listed (run `yamllint` in CI so broken YAML never merges).",
)

_BROKEN = {FileProblem.BROKEN_YAML, FileProblem.ALIAS_BOMB, FileProblem.UNDECODABLE}


def run(ctx: CheckContext) -> CheckResult:
    """Fail on YAML that libyaml cannot parse or whose aliases explode; report skipped large files."""
    ev = repo(ctx)
    broken = [f for f in ev.files if f.problem and f.problem.kind in _BROKEN]
    skipped = [f for f in ev.files if f.problem and f.problem.kind not in _BROKEN]
    yaml_files = [f for f in ev.files if f.path.endswith((".yaml", ".yml"))]
    if not yaml_files:
        return result(Outcome.NOT_APPLICABLE, "No YAML files in the repository.")
    lenient = [f for f in ev.files if f.notes]
    if broken:
        detail = "; ".join(f"{f.path}{f':{f.problem.line}' if f.problem.line else ''}: {f.problem.detail}"
                           for f in broken[:3] if f.problem)
        return result(Outcome.FAIL, f"{plural(len(broken), 'file')} of {len(yaml_files)} cannot be parsed: "
                      f"{detail}.", [Ref.file(f.path, f.problem.line if f.problem else None) for f in broken])
    note = (f"; {plural(len(skipped), 'file')} not read (too large, binary, symlink, missing, or over the run's "
            "YAML node budget)") if skipped else ""
    if lenient:
        # Legal YAML that strict parsers reject (a redefined anchor); Kubernetes tooling accepts it, and so do we.
        note += (f"; {plural(len(lenient), 'file')} accepted as Kubernetes tooling reads them "
                 f"({lenient[0].path}: {lenient[0].notes[0]})")
    return result(Outcome.PASS, f"All {plural(len(yaml_files), 'YAML file')} parse{note}.",
                  [Ref.file(f.path) for f in skipped + lenient])


CHECK = Check(SPEC, run)
