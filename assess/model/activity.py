"""What history says about activity: the bootstrap, older offences kept apart, and dormancy."""

from __future__ import annotations

from dataclasses import dataclass

from assess.model.wording import plural


@dataclass(frozen=True)
class Offence:
    """One change that bypassed the practice a gate checks (e.g. a human direct push to production)."""

    sha: str
    at: str
    author: str
    subject: str


@dataclass(frozen=True)
class Historical:
    """Offences older than the assessment period: reported, never deciding today's stage."""

    what: str
    count: int = 0
    first: str | None = None
    last: str | None = None
    sample: tuple[Offence, ...] = ()

    def describe(self) -> str:
        """'historical: 5 direct pushes, 2020-11-05…2020-11-10'."""
        if not self.count:
            return f"historical: no {self.what}"
        span = f"{(self.first or '')[:10]}…{(self.last or '')[:10]}"
        return f"historical: {self.count:,} {self.what}, {span}"


@dataclass(frozen=True)
class Bootstrap:
    """The repository's first commits: the initial import, which cannot have gone through a pull request."""

    commits: int = 0
    first: str | None = None
    last: str | None = None
    shas: tuple[str, ...] = ()


@dataclass(frozen=True)
class Activity:
    """Commits in the assessment period, and the last commit ever (for "no activity since …")."""

    commits_in_period: int = 0
    first_commit_at: str | None = None
    last_commit_at: str | None = None
    dormant: bool = False

    def describe(self) -> str:
        """'no activity since 2024-10-10' or '312 commits in the period'."""
        if self.last_commit_at is None:
            return "no commits"
        if self.dormant:
            return f"no activity since {self.last_commit_at[:10]} (the newest commit here)"
        return f"{plural(self.commits_in_period, 'commit')} in the period"
