"""Build small Git histories for tests: commits at chosen instants and UTC offsets, PR merges and direct pushes."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from tests.conftest import GIT_ENV, Files, write_files

GITHUB = ("GitHub", "noreply@github.com")


def at(text: str, offset: str = "+00:00") -> datetime:
    """An instant written in a local offset: at('2026-01-05T09:00', '+05:30')."""
    sign = -1 if offset.startswith("-") else 1
    hours, minutes = (int(x) for x in offset[1:].split(":"))
    return datetime.fromisoformat(text).replace(tzinfo=timezone(sign * timedelta(hours=hours, minutes=minutes)))


@dataclass
class HistoryBuilder:
    """A repository on branch main, grown one commit at a time."""

    root: Path
    pr: int = 100
    shas: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        self._git("init", "-q", "--initial-branch=main")

    def _git(self, *args: str, env: dict[str, str] | None = None) -> str:
        out = subprocess.run(["git", "-C", str(self.root), *args], check=True, capture_output=True,
                             env={**GIT_ENV, **(env or {})})
        return out.stdout.decode()

    def commit(self, files: Files, subject: str, when: datetime, author: tuple[str, str] = ("Alice", "alice@x.test"),
               committer: tuple[str, str] | None = None, committed: datetime | None = None) -> str:
        """One first-parent commit; author and committer dates may carry different offsets."""
        write_files(self.root, files)
        self._git("add", "-A")
        who = committer or author
        self._git("commit", "-q", "--allow-empty", "-m", subject, env={
            "GIT_AUTHOR_NAME": author[0], "GIT_AUTHOR_EMAIL": author[1], "GIT_AUTHOR_DATE": when.isoformat(),
            "GIT_COMMITTER_NAME": who[0], "GIT_COMMITTER_EMAIL": who[1],
            "GIT_COMMITTER_DATE": (committed or when).isoformat()})
        sha = self._git("rev-parse", "HEAD").strip()
        self.shas.append(sha)
        return sha

    def squash_pr(self, files: Files, title: str, when: datetime, author: tuple[str, str] = ("Alice", "alice@x.test")
                  ) -> str:
        """A change merged on GitHub by squash: `title (#N)`, committed by GitHub."""
        self.pr += 1
        return self.commit(files, f"{title} (#{self.pr})", when, author, GITHUB)

    def push(self, files: Files, subject: str, when: datetime, author: tuple[str, str] = ("Bob", "bob@x.test")) -> str:
        """A direct push by a person."""
        return self.commit(files, subject, when, author)
