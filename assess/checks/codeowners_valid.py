"""PR gate: GitHub can resolve every CODEOWNERS line."""

from __future__ import annotations

from assess.checks._forge import forge, observed
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, Principle, Signal
from assess.model.context import CheckContext
from assess.model.finding import Confidence, Outcome, Ref, RefKind, Severity
from assess.model.wording import plural

SPEC = CheckSpec(
    id="codeowners-valid",
    title="GitHub resolves every CODEOWNERS entry",
    principle=Principle.VERSIONED,
    severity=Severity.LOW,
    signals=(Signal.PR_GATE,),
    sources=("forge",),
    rationale="An unknown user or team in CODEOWNERS silently drops the code-owner requirement for its paths.",
    remediation="Fix the lines GitHub reports (unknown owners, bad patterns) and give the owning teams write access.",
)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on any error the forge reports for the CODEOWNERS file (GitHub does; GitLab's API does not)."""
    gh = forge(ctx)
    if not gh.terms.codeowners_errors_read:
        return observed(Outcome.NOT_APPLICABLE, f"{gh.forge_name} reports no CODEOWNERS errors through its API; the "
                        "file is checked offline (codeowners-cover-deploy-paths).")
    status = gh.section("codeowners")
    if not status.available:
        return CheckResult(Outcome.UNKNOWN, f"CODEOWNERS errors not readable: {status.reason} "
                           f"(fix: {status.permission})", Confidence.OBSERVED, fix=status.permission)
    if not gh.codeowners_found:
        return observed(Outcome.NOT_APPLICABLE, "The repository has no CODEOWNERS file.")
    if gh.codeowners_errors:
        return observed(Outcome.FAIL, f"{plural(len(gh.codeowners_errors), 'CODEOWNERS error')}: "
                        f"{'; '.join(gh.codeowners_errors[:3])}.",
                        [Ref(RefKind.URL, gh.file_url(".github/CODEOWNERS"))])
    return observed(Outcome.PASS, f"{gh.forge_name} reports no CODEOWNERS error.")


CHECK = Check(SPEC, run)
