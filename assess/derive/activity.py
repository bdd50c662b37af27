"""Bootstrap, dormancy and historical offences, from first-parent history and its audit records (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from assess.model.activity import Activity, Bootstrap, Historical, Offence
from assess.model.history import DIRECT_PATHS, AuditRecord, CommitRecord
from assess.model.period import Period, as_utc

BOOTSTRAP_SPAN = timedelta(hours=24)
BOOTSTRAP_MAX = 50
SAMPLE = 20
DIRECT = DIRECT_PATHS


def bootstrap(commits_newest_first: Sequence[CommitRecord], pr_marked: frozenset[str]) -> Bootstrap:
    """The root commit and the direct commits its author makes within the following day, until the first pull
    request: the initial import, which cannot have gone through one. Nothing later is excused."""
    ordered = list(reversed(commits_newest_first))
    if not ordered or ordered[0].parents:
        return Bootstrap()  # no root in view (shallow clone): no bootstrap to speak of
    root = ordered[0]
    start = as_utc(root.committed_at)
    taken: list[CommitRecord] = []
    for c in ordered[:BOOTSTRAP_MAX]:
        if (c.sha in pr_marked or as_utc(c.committed_at) - start > BOOTSTRAP_SPAN
                or c.author_email != root.author_email):
            break
        taken.append(c)
    return Bootstrap(len(taken), taken[0].committed_at, taken[-1].committed_at, tuple(c.sha for c in taken))


def activity(commits_newest_first: Sequence[CommitRecord], period: Period) -> Activity:
    """Commits inside the period; dormant when there is none."""
    if not commits_newest_first:
        return Activity(dormant=True)
    inside = sum(1 for c in commits_newest_first if period.contains(c.committed_at))
    last = next((c.committed_at for c in commits_newest_first if not as_utc(c.committed_at) > period.end_at), None)
    return Activity(inside, commits_newest_first[-1].committed_at, last, dormant=inside == 0)


def historical_direct_pushes(records: Sequence[AuditRecord], period: Period, skip: frozenset[str],
                             production: Sequence[str]) -> Historical | None:
    """Human production changes that bypassed pull requests before the period started (None when no production
    environment is identified: nothing can be said, not "none")."""
    if not production:
        return None
    older = [r for r in records if period.before(r.deployed_at) and not r.is_bot and r.sha not in skip
             and r.change_path in DIRECT and set(r.environments) & set(production)]
    if not older:
        return Historical("direct pushes to production")
    ordered = sorted(older, key=lambda r: r.deployed_at)
    sample = tuple(Offence(r.sha, r.deployed_at, r.author_email, r.subject[:80]) for r in ordered[-SAMPLE:])
    return Historical("direct pushes to production", len(ordered), ordered[0].deployed_at, ordered[-1].deployed_at,
                      sample)
