"""FM2: third-party GitHub Actions are pinned to full commit SHAs."""

from __future__ import annotations

import re
from collections.abc import Iterator

from assess.checks._repo import ci_commands, files_of, plural, repo, result
from assess.checks.catalog import Check
from assess.model.check import CheckResult, CheckSpec, FailureMode, Principle
from assess.model.context import CheckContext
from assess.model.evidence import FileKind, RepoEvidence
from assess.model.finding import Outcome, Ref, Severity

SPEC = CheckSpec(
    id="actions-pinned-to-sha",
    title="CI actions and includes are pinned to full commit SHAs",
    principle=Principle.VERSIONED,
    severity=Severity.HIGH,
    failure_modes=(FailureMode.FM2,),
    any_repository=True,
    rationale="Tags move. In March 2025 the compromised `reviewdog/action-setup` tag injected code into CI runners "
    "and reached secrets of connected GitOps pipelines. A 40-character SHA cannot be re-pointed.",
    remediation="Pin every `uses:` to a full commit SHA with the version as a comment "
    "(`uses: owner/action@<sha> # v4.1.0`) and let Renovate or Dependabot update the pins.",
)

SHA = re.compile(r"^[0-9a-f]{40}$")
FIRST_PARTY = ("actions/", "github/")
# Reusable workflows that must be referenced by tag to produce verifiable provenance (SLSA's own guidance).
BY_TAG = ("slsa-framework/slsa-github-generator/",)


def _counted(found: list[tuple[Ref, str]], includes: set[Ref], action: str, include: str) -> str:
    """'3 third-party actions', '1 GitLab include' or '2 third-party actions and 1 GitLab include'."""
    n_includes = sum(ref in includes for ref, _ in found)
    parts = [plural(n, noun) for n, noun in ((len(found) - n_includes, action), (n_includes, include)) if n]
    return " and ".join(parts)


def run(ctx: CheckContext) -> CheckResult:
    """Fail on third-party actions (and GitLab includes/components) not pinned by SHA; warn on unpinned
    GitHub-owned actions and GitLab templates."""
    ev = repo(ctx)
    if not files_of(ev, FileKind.GITHUB_WORKFLOW, FileKind.GITLAB_CI):
        return result(Outcome.NOT_APPLICABLE, "No GitHub, Forgejo or Gitea Actions workflow and no GitLab CI.")
    third: list[tuple[Ref, str]] = []
    first: list[tuple[Ref, str]] = []
    total = 0
    includes: set[Ref] = set()
    for where, what, pinned, owned in _gitlab_includes(ev):
        total += 1
        includes.add(where)
        if not pinned:
            (first if owned else third).append((where, what))
    for cmd in ci_commands(ev):
        if cmd.uses is None or cmd.uses.startswith("./") or cmd.uses.lower().startswith(BY_TAG):
            continue
        total += 1
        if cmd.uses.startswith("docker://"):
            if "@sha256:" not in cmd.uses:
                third.append((Ref.file(cmd.path, cmd.line), cmd.uses))
            continue
        _, _, ref = cmd.uses.partition("@")
        if SHA.match(ref):
            continue
        bucket = first if cmd.uses.lower().startswith(FIRST_PARTY) else third
        bucket.append((Ref.file(cmd.path, cmd.line), cmd.uses))
    if third:
        sample = ", ".join(u for _, u in third[:4])
        return result(Outcome.FAIL, f"{_counted(third, includes, 'third-party action', 'GitLab include')} not "
                      f"pinned to a SHA: {sample}.",
                      [r for r, _ in third + first])
    if first:
        sample = ", ".join(u for _, u in first[:4])
        return result(Outcome.WARN, f"{_counted(first, includes, 'forge-owned action', 'GitLab template')} pinned "
                      f"by tag: {sample}.",
                      [r for r, _ in first])
    if total == 0:
        return result(Outcome.NOT_APPLICABLE, "Workflows use no actions.")
    return result(Outcome.PASS, f"All {plural(total, 'action reference')} pinned to full SHAs.")


def _gitlab_includes(ev: RepoEvidence) -> Iterator[tuple[Ref, str, bool, bool]]:
    """(where, what, pinned by SHA, GitLab-maintained) of each `include:` of a GitLab CI file."""
    for f in files_of(ev, FileKind.GITLAB_CI):
        for doc in ev.docs_by_path.get(f.path, ()):
            raw = doc.get("include")
            items = raw if isinstance(raw, list) else [raw] if raw is not None else []
            for i, item in enumerate(items):
                key = f"include.{i}" if isinstance(raw, list) else "include"
                ref = Ref.file(doc.path, doc.line_of(key))
                if isinstance(item, str):
                    item = {"remote": item} if "://" in item else {"local": item}
                if not isinstance(item, dict) or "local" in item:
                    continue
                if "component" in item:
                    version = str(item["component"]).rpartition("@")[2]
                    yield ref, str(item["component"]), bool(SHA.match(version)), False
                elif "project" in item:
                    yield ref, f"{item['project']}@{item.get('ref', 'HEAD')}", bool(SHA.match(str(item.get("ref")))), \
                        False
                elif "remote" in item:
                    yield ref, str(item["remote"]), bool(re.search(r"/[0-9a-f]{40}/", str(item["remote"]))), False
                elif "template" in item:
                    yield ref, f"template {item['template']}", False, True


CHECK = Check(SPEC, run)
