"""CI definitions read as commands: shell lines and actions of GitHub/Forgejo/Gitea Actions, GitLab CI, CircleCI,
container-step pipelines (Woodpecker, Drone, Codefresh) and Jenkins."""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass

from assess.model.evidence import FileKind, RepoEvidence, YamlDoc


@dataclass(frozen=True)
class CiCommand:
    """One shell line run by a CI system, or one action it uses."""

    path: str
    line: int
    text: str
    uses: str | None = None
    job: str | None = None  # the job (or top-level pipeline key) it belongs to


def ci_commands(ev: RepoEvidence) -> Iterator[CiCommand]:
    """Shell lines and actions of every CI definition, with their lines."""
    for doc in ev.docs:
        kinds = set(_kinds_of(ev, doc.path))
        if FileKind.GITHUB_WORKFLOW in kinds:
            yield from _github_commands(doc)
        elif kinds & {FileKind.GITLAB_CI, FileKind.CIRCLECI, FileKind.CI_OTHER}:
            yield from _script_values(doc, doc.body, "")
    for f in ev.files_by_kind.get(FileKind.JENKINSFILE, ()):
        for i, text in enumerate((f.text or "").splitlines(), start=1):
            yield CiCommand(f.path, i, text.strip())


def _kinds_of(ev: RepoEvidence, path: str) -> tuple[FileKind, ...]:
    return ev.kinds_by_path.get(path, ())


def workflow_jobs(doc: YamlDoc) -> dict[str, object]:
    """The jobs mapping of a GitHub Actions workflow document."""
    jobs = doc.get("jobs")
    return jobs if isinstance(jobs, dict) else {}


def _github_commands(doc: YamlDoc) -> Iterator[CiCommand]:
    for job_id, job in workflow_jobs(doc).items():
        if not isinstance(job, dict):
            continue
        if isinstance(job.get("uses"), str):
            yield CiCommand(doc.path, doc.line_of(f"jobs.{job_id}.uses"), "", job["uses"], str(job_id))
        steps = job.get("steps")
        for i, step in enumerate(steps if isinstance(steps, list) else []):
            if not isinstance(step, dict):
                continue
            base = f"jobs.{job_id}.steps.{i}"
            if isinstance(step.get("uses"), str):
                yield CiCommand(doc.path, doc.line_of(f"{base}.uses"), "", step["uses"], str(job_id))
            if isinstance(step.get("run"), str):
                yield from _lines_of(doc.path, doc.line_of(f"{base}.run"), step["run"], str(job_id))


def _lines_of(path: str, key_line: int, script: str, job: str | None = None) -> Iterator[CiCommand]:
    """One command per shell line; a line ending in a backslash continues on the next (reported at its first)."""
    lines = script.splitlines()
    offset = 1 if len(lines) > 1 or script.endswith("\n") else 0
    pending: list[str] = []
    first = 0
    for i, text in enumerate(lines):
        stripped = text.strip()
        if not pending:
            first = i
        if stripped.endswith("\\"):
            pending.append(stripped[:-1].strip())
            continue
        command = " ".join([*pending, stripped]).strip()
        pending = []
        if command:
            yield CiCommand(path, key_line + offset + first, command, job=job)
    if pending:
        yield CiCommand(path, key_line + offset + first, " ".join(pending), job=job)


def _script_values(doc: YamlDoc, node: object, prefix: str) -> Iterator[CiCommand]:
    """GitLab `script`/`before_script`/`after_script` and CircleCI `run` values, wherever they sit."""
    if isinstance(node, dict):
        for key, value in node.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            if key in ("script", "before_script", "after_script", "run", "command", "commands"):
                items = value if isinstance(value, list) else [value]
                for i, item in enumerate(items):
                    if isinstance(item, str):
                        line = doc.line_of(f"{path}.{i}" if isinstance(value, list) else path)
                        yield from _lines_of(doc.path, line, item, path.split(".", 1)[0])
                    elif isinstance(item, dict):
                        yield from _script_values(doc, item, f"{path}.{i}" if isinstance(value, list) else path)
            else:
                yield from _script_values(doc, value, path)
    elif isinstance(node, list):
        for i, item in enumerate(node):
            yield from _script_values(doc, item, f"{prefix}.{i}")


_MAKE = re.compile(r"\bmake\s+((?:-C\s+\S+\s+)?(?:[-\w./=]+\s*)+)")
_SCRIPT = re.compile(r"(?:^|[\s;&|(])(?:bash\s+|sh\s+|source\s+|\.\s+)?((?:\./)?[\w./-]+\.(?:sh|bash))\b")


def local_text(ev: RepoEvidence, command: str, depth: int = 2) -> str:
    """The repository's own make targets and shell scripts a command runs, followed `depth` levels down."""
    if depth <= 0:
        return ""
    scripts = {f.path: f.text or "" for f in ev.files_by_kind.get(FileKind.SCRIPT, ())}
    found: list[str] = []
    for match in _MAKE.finditer(command):
        words = match.group(1).split()
        folder = ""
        if words[:1] == ["-C"] and len(words) > 1:
            folder, words = posixpath.normpath(words[1]).lstrip("./"), words[2:]
        makefile = scripts.get(posixpath.join(folder, "Makefile")) or scripts.get(posixpath.join(folder, "GNUmakefile"))
        for target in (w for w in words if not w.startswith("-") and "=" not in w):
            found.append(_recipe(makefile or "", target))
    for match in _SCRIPT.finditer(command):
        found.append(scripts.get(posixpath.normpath(match.group(1)), ""))
    text = "\n".join(t for t in found if t)
    return text + ("\n" + local_text(ev, text, depth - 1) if text else "")


def _recipe(makefile: str, target: str) -> str:
    """The recipe lines of one Makefile target (tab-indented lines after `target:`)."""
    lines = makefile.splitlines()
    head = re.compile(rf"^(?:[\w./-]+\s+)*{re.escape(target)}(?:\s+[\w./-]+)*\s*::?(?!=)")
    for i, line in enumerate(lines):
        if head.match(line):
            recipe = []
            for body in lines[i + 1:]:
                if not body.startswith("\t") and body.strip():
                    break
                recipe.append(body.strip())
            return "\n".join(recipe)
    return ""
