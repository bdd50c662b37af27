"""The one way this tool runs git: read-only, with the scanned repository's dangerous configuration pinned on the
command line and a minimal environment (no tokens, no user or system configuration)."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO

# A program that does not exist: whatever the repository configures, git has nothing to run for a signature.
NO_PROGRAM = "/nonexistent/gitops-assess-no-verifier"

# Command-line configuration wins over the repository's own `.git/config`: every key that makes git run a program,
# reach the network or change the shape of its output is pinned here.
PINNED_CONFIG: tuple[tuple[str, str], ...] = (
    ("core.fsmonitor", "false"),
    ("core.hooksPath", "/dev/null"),
    ("core.pager", "cat"),
    ("core.sshCommand", NO_PROGRAM),
    ("core.askPass", NO_PROGRAM),
    ("credential.helper", ""),
    ("protocol.allow", "never"),
    ("log.showSignature", "false"),
    ("log.mailmap", "false"),
    ("mailmap.file", "/dev/null"),
    ("mailmap.blob", ""),
    ("color.ui", "false"),
    ("i18n.logOutputEncoding", "UTF-8"),
    ("diff.external", NO_PROGRAM),
    ("advice.graftFileDeprecated", "false"),
)
SIGNATURE_PROGRAMS = {"openpgp": "gpg.program", "ssh": "gpg.ssh.program", "x509": "gpg.x509.program"}


@dataclass(frozen=True)
class Verifiers:
    """Signature verifier programs the user named (`--verifier FORMAT=PROGRAM`); git runs no other."""

    openpgp: str | None = None
    ssh: str | None = None
    x509: str | None = None

    def named(self) -> bool:
        """Whether any verifier was named."""
        return any((self.openpgp, self.ssh, self.x509))


NO_VERIFIERS = Verifiers()


class UntrustedRepositoryError(Exception):
    """A repository owned by another user, not trusted by the user; the message is for the user."""


def git_argv(args: Sequence[str], git_dir: str | None = None, work_tree: str | None = None,
             verifiers: Verifiers = NO_VERIFIERS) -> list[str]:
    """The full command line of one git invocation, dangerous configuration pinned."""
    argv = ["git", "--no-replace-objects"]
    for key, value in PINNED_CONFIG:
        argv += ["-c", f"{key}={value}"]
    for kind, key in SIGNATURE_PROGRAMS.items():
        argv += ["-c", f"{key}={getattr(verifiers, kind) or NO_PROGRAM}"]
    if git_dir is not None:
        argv.append(f"--git-dir={os.path.abspath(git_dir)}")  # git runs from a private directory
    if work_tree is not None:
        argv.append(f"--work-tree={os.path.abspath(work_tree)}")
    return [*argv, *args]


def git_env(verifiers: Verifiers = NO_VERIFIERS) -> dict[str, str]:
    """The whole environment git runs with: nothing of the user's but PATH (and, for a named OpenPGP verifier, the
    keyring it verifies with)."""
    env = {
        "PATH": os.environ.get("PATH", os.defpath),
        "LC_ALL": "C",
        "HOME": _empty_home(),
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_CONFIG_GLOBAL": "/dev/null",
        "GIT_NO_LAZY_FETCH": "1",
        "GIT_TERMINAL_PROMPT": "0",
        "GIT_NO_REPLACE_OBJECTS": "1",
        "GIT_GRAFT_FILE": "/dev/null",  # legacy grafts rewrite parents: content of the repository, not history
        "GIT_ATTR_NOSYSTEM": "1",
    }
    if verifiers.openpgp or verifiers.x509:
        env["GNUPGHOME"] = os.environ.get("GNUPGHOME") or str(Path.home() / ".gnupg")
    return env


def git_run(args: Sequence[str], git_dir: str | None = None, work_tree: str | None = None,
            stdin: IO[bytes] | None = None, input: bytes | None = None, verifiers: Verifiers = NO_VERIFIERS,
            timeout: float | None = None, cwd: str | None = None) -> subprocess.CompletedProcess[bytes]:
    """Run one git command to completion and capture its output (never raises on a non-zero exit)."""
    return subprocess.run(git_argv(args, git_dir, work_tree, verifiers), stdin=stdin, input=input,
                          capture_output=True, env=git_env(verifiers), check=False, timeout=timeout,
                          cwd=cwd or _empty_home())


def git_popen(args: Sequence[str], git_dir: str | None = None, stdin: int | IO[bytes] | None = None,
              stdout: int | None = subprocess.PIPE,
              stderr: int | None = subprocess.DEVNULL) -> subprocess.Popen[bytes]:
    """Start one streaming git command (the caller reads, and reaps it)."""
    return subprocess.Popen(git_argv(args, git_dir), stdin=stdin, stdout=stdout, stderr=stderr, env=git_env(),
                            cwd=_empty_home())


@functools.cache
def _empty_home() -> str:
    """A private, empty directory: git's HOME and working directory (no user configuration, no repository)."""
    home = tempfile.mkdtemp(prefix="gitops-assess-home-")
    atexit.register(shutil.rmtree, home, True)
    return home


def check_owner(path: str, git_dir: str, work_tree: str | None, trust_repo_config: bool) -> None:
    """Refuse a repository another user owns, unless the user trusts it (`--trust-repo-config` or git's own
    `safe.directory`): its configuration is that user's, not ours."""
    if trust_repo_config or not hasattr(os, "getuid"):
        return
    me = os.getuid()
    places = [p for p in (git_dir, work_tree) if p is not None]
    foreign = [p for p in places if _owner(p) not in (me, None)]
    if not foreign:
        return
    if _safe_directory_lists([*places, path]):
        return
    owner = _owner(foreign[0])
    raise UntrustedRepositoryError(
        f"{path}: the repository is owned by another user (uid {owner}); its .git/config is not yours to trust. "
        "Scan a fresh clone you made, add it to git's safe.directory, or pass --trust-repo-config")


def _owner(path: str) -> int | None:
    try:
        return os.stat(path).st_uid
    except OSError:
        return None


def _safe_directory_lists(paths: list[str]) -> bool:
    """Whether the user's own git configuration (system or global, never the repository's) lists one of the paths
    in `safe.directory`, or `*`."""
    values: list[str] = []
    for scope in ("--system", "--global"):
        proc = subprocess.run(git_argv(["config", scope, "--get-all", "safe.directory"]), capture_output=True,
                              env=_user_config_env(), check=False, cwd=_empty_home())
        for value in proc.stdout.decode("utf-8", "replace").splitlines():
            if value == "":
                values.clear()  # git's rule: an empty value resets the list
            else:
                values.append(value)
    wanted = {os.path.realpath(p) for p in paths} | {os.path.abspath(p) for p in paths}
    for value in values:
        if value == "*":
            return True
        if value.endswith("/*") and any(w.startswith(os.path.realpath(value[:-1])) for w in wanted):
            return True
        if os.path.realpath(os.path.expanduser(value)) in wanted or value.rstrip("/") in wanted:
            return True
    return False


def _user_config_env() -> dict[str, str]:
    """The minimal environment plus where the user's own git configuration lives (no tokens)."""
    env = git_env()
    del env["GIT_CONFIG_NOSYSTEM"], env["GIT_CONFIG_GLOBAL"]
    for name in ("HOME", "XDG_CONFIG_HOME", "GIT_CONFIG_GLOBAL", "GIT_CONFIG_SYSTEM", "GIT_CONFIG_NOSYSTEM"):
        if name in os.environ:
            env[name] = os.environ[name]
    return env
