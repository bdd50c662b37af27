"""Bootstrap, dormancy and historical offences, from first-parent history and its audit records (pure)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from assess.derive.audit_trail import change_path
from assess.derive.identity import bot_kind, pusher
from assess.model.activity import Activity, Bootstrap, Historical, Offence
from assess.model.history import DIRECT_PATHS, AuditRecord, CommitRecord
from assess.model.period import Period, as_utc

BOOTSTRAP_SPAN = timedelta(hours=24)
BOOTSTRAP_MAX = 50
SAMPLE = 20
DIRECT = DIRECT_PATHS


def bootstrap(commits_newest_first: Sequence[CommitRecord], pr_marked: frozenset[str]) -> Bootstrap:
    """The root commit and the direct commits its author makes within the following day, until the first pull
    request: the initial import, which cannot have gone through one. Nothing later is excused.

    The root is the commit without parents wherever `git log` placed it (commit dates can be out of order), and
    it always belongs to the bootstrap, so every figure leaves out the same commits."""
    root = next((c for c in reversed(commits_newest_first) if not c.parents), None)
    if root is None:
        return Bootstrap()  # no root in view (shallow clone): no bootstrap to speak of
    child = {c.parents[0]: c for c in commits_newest_first if c.parents}
    start = as_utc(root.committed_at)
    taken = [root]
    node = child.get(root.sha)
    while node is not None and len(taken) < BOOTSTRAP_MAX:
        if (node.sha in pr_marked or as_utc(node.committed_at) - start > BOOTSTRAP_SPAN
                or node.author_email != root.author_email):
            break
        taken.append(node)
        node = child.get(node.sha)
    return Bootstrap(len(taken), taken[0].committed_at, taken[-1].committed_at, tuple(c.sha for c in taken))


def human_direct_pushes(commits: Sequence[CommitRecord], excused: frozenset[str],
                        confirmed_pr: frozenset[str] = frozenset()) -> tuple[CommitRecord, ...]:
    """First-parent commits a person landed without a pull request: the one count every figure and check reads.

    Root commits and the bootstrap (`excused`) and commits GitHub ties to a pull request (rebase
    merges) are left out; a bot pushing its own commit is the bot's, a person pushing a bot's commit is a person's."""
    return tuple(c for c in commits if c.parents and c.sha not in excused and c.sha not in confirmed_pr
                 and change_path(c)[0] in DIRECT
                 and not (bot_kind(c.author_name, c.author_email) and bot_kind(*pusher(c))))


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
