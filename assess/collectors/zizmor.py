"""Run zizmor, the GitHub Actions linter, over the workflows read from Git objects (never from a checkout).

The workflows (and the repository's own `zizmor.yml`) are written to a private temporary directory and zizmor runs
offline there, with an environment that carries no token. Its JSON findings become evidence; when zizmor cannot run
the reason is recorded, and the built-in pinning and permission checks still judge the workflows."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from assess.collectors import git_repo
from assess.model.evidence import Cause, FileKind, RepoEvidence, Source, Unavailable
from assess.model.workflow_audit import WorkflowAudit, WorkflowFinding

TIMEOUT_S = 60
MAX_OUTPUT = 32 * 1024 * 1024
MAX_WORKFLOW_BYTES = 4 * 1024 * 1024
ZIZMOR_KINDS = (FileKind.GITHUB_WORKFLOW, FileKind.DEPENDABOT, FileKind.ZIZMOR_CONFIG)


def zizmor_binary() -> str | None:
    """zizmor installed beside this interpreter (the package's dependency), else on the PATH."""
    beside = Path(sys.executable).parent / "zizmor"
    return str(beside) if beside.is_file() else shutil.which("zizmor")


def audit_workflows(path: str, ev: RepoEvidence, find_binary: Callable[[], str | None] = zizmor_binary
                    ) -> tuple[WorkflowAudit | None, Unavailable | None]:
    """zizmor's findings on the repository's workflows, or why there are none."""
    wanted = [f.path for kind in ZIZMOR_KINDS for f in ev.files_by_kind.get(kind, ())
              if not f.path.startswith((".forgejo/", ".gitea/"))]  # zizmor reads GitHub's layout only
    workflows = [p for p in wanted if p.startswith(".github/workflows/")]
    if not workflows:
        return None, None
    binary = find_binary()
    if binary is None:
        return None, Unavailable(Source.ZIZMOR, "zizmor is not installed", "pip install zizmor (a dependency of "
                                 "gitops-assess); pinning and permissions are still judged by the built-in checks",
                                 Cause.NOT_INSTALLED)
    contents = _read(path, ev, wanted)
    with tempfile.TemporaryDirectory(prefix="gitops-assess-zizmor-") as tmp:
        for rel, data in contents.items():
            target = Path(tmp, rel)
            if not target.resolve().is_relative_to(Path(tmp).resolve()):
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp, "NO_COLOR": "1", "LC_ALL": "C.UTF-8"}
        try:
            proc = subprocess.run([binary, "--offline", "--format", "json", "--no-progress", "--no-exit-codes",
                                   "--quiet", "."], cwd=tmp, env=env, capture_output=True, timeout=TIMEOUT_S,
                                  check=False)
            version = subprocess.run([binary, "--version"], env=env, capture_output=True, timeout=10, check=False)
        except (OSError, subprocess.TimeoutExpired) as exc:
            return None, Unavailable(Source.ZIZMOR, f"zizmor could not run ({type(exc).__name__})",
                                     "pinning and permissions are still judged by the built-in checks", Cause.FAILED)
    if proc.returncode != 0 or len(proc.stdout) > MAX_OUTPUT:
        last = (proc.stderr.decode("utf-8", "replace").strip().splitlines() or ["no output"])[-1][:200]
        return None, Unavailable(Source.ZIZMOR, f"zizmor failed: {last}",
                                 "pinning and permissions are still judged by the built-in checks", Cause.FAILED)
    try:
        raw = json.loads(proc.stdout or b"[]")
    except ValueError:
        return None, Unavailable(Source.ZIZMOR, "zizmor printed no readable JSON",
                                 "pinning and permissions are still judged by the built-in checks", Cause.FAILED)
    config = next((p for p in wanted if p in contents and ev.kinds_by_path.get(p) and
                   FileKind.ZIZMOR_CONFIG in ev.kinds_by_path[p]), None)
    findings = tuple(f for item in raw if isinstance(item, dict) for f in _findings(item))
    name, _, number = version.stdout.decode("utf-8", "replace").strip().partition(" ")
    return WorkflowAudit(name or "zizmor", number or "unknown", tuple(sorted(contents)), findings, config), None


def _read(path: str, ev: RepoEvidence, wanted: list[str]) -> dict[str, bytes]:
    """The files' bytes: from Git objects at the scanned revision, or from the work tree with --worktree."""
    handle = git_repo.open_repository(path)
    if ev.worktree and handle.work_tree is not None:
        out: dict[str, bytes] = {}
        for rel in wanted:
            full = git_repo.worktree_path(handle, rel)
            if full is not None and full.is_file():
                with contextlib.suppress(OSError):
                    data = git_repo.read_worktree_file(full, MAX_WORKFLOW_BYTES)
                    if len(data) <= MAX_WORKFLOW_BYTES:
                        out[rel] = data
        return out
    names = {f"{ev.revision}:{rel}": rel for rel in wanted if "\n" not in rel}
    return {names[name]: data for name, data in git_repo.read_blobs(handle, names) if data is not None}


def _findings(item: dict[str, Any]) -> list[WorkflowFinding]:
    """One zizmor result, at its primary location (0-based rows become 1-based lines)."""
    determinations = item.get("determinations") or {}
    out: list[WorkflowFinding] = []
    for loc in item.get("locations") or []:
        symbolic = loc.get("symbolic") or {}
        if symbolic.get("kind") != "Primary":
            continue
        key = (symbolic.get("key") or {}).get("Local") or {}
        rel = str(key.get("verbatim_path") or key.get("given_path") or "").removeprefix("./")
        row = ((loc.get("concrete") or {}).get("location") or {}).get("start_point", {}).get("row")
        feature = symbolic.get("feature_kind")
        fragment = ((feature.get("Subfeature") or {}).get("fragment") or {}) if isinstance(feature, dict) else {}
        out.append(WorkflowFinding(
            audit=str(item.get("ident") or "unknown"), description=str(item.get("desc") or ""),
            url=str(item.get("url") or ""), severity=str(determinations.get("severity") or "Unknown").lower(),
            confidence=str(determinations.get("confidence") or "Unknown").lower(), path=rel,
            line=int(row) + 1 if isinstance(row, int) else None,
            annotation=str(symbolic.get("annotation") or "")[:200], ignored=bool(item.get("ignored")),
            expression=str(fragment.get("Raw") or "")[:200] if isinstance(fragment, dict) else ""))
    return out
