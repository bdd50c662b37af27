"""Derive one audit record per deployment from history evidence (pure): how each change landed, who made it,
whether it was signed, reverted, rolled back, a hotfix, and how long it took."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from assess.derive.deployment import glob_regex
from assess.derive.identity import GITHUB_COMMITTER, bot_kind, change_author, merger, pusher
from assess.derive.tickets import ticket_ids
from assess.model.history import (
    CONVENTIONAL_REVERT,
    REVERT_TITLE,
    REVERTS_SHA,
    AuditRecord,
    ChangePath,
    CommitRecord,
    HistoryEvidence,
)

MERGE_PR = re.compile(r"^Merge pull request #(\d+) from ([^/\s]+)/(\S+)")
SQUASH_PR = re.compile(r"\(#(\d+)\)\s*$")
LOCAL_MERGE = re.compile(r"^Merge (branch|remote-tracking branch|tag) ")
REVERT_BRANCH = re.compile(r"^revert-(\d+)-")
REVERTS_PR = re.compile(r"(?m)^Reverts [\w.-]+/[\w.-]+#(\d+)")
HOTFIX = re.compile(r"\b(hotfix|emergency|incident|sev[0-4]|outage)\b|^fix\(prod\)", re.IGNORECASE)
HOTFIX_BRANCH = re.compile(r"^(hotfix|emergency)[/-]", re.IGNORECASE)
FAILURE_WINDOW = timedelta(days=7)
# How a failed change was found when a revert names no change and restores no earlier state of its files.
REVERT_SAME_FILES = "revert-of-same-files"
# A hotfix names no culprit: only a change to the same files within a day is taken to be what it fixes.
HOTFIX_WINDOW = timedelta(hours=24)


UNVERIFIED_WEB_FLOW = "unverified web-flow"


def change_path(c: CommitRecord, webflow_verified: bool = False) -> tuple[ChangePath, str, int | None, str | None]:
    """(how it landed, confidence, PR number, PR title) inferred offline from the commit (reference §7).

    Offline, a pull-request marker is message text anyone can write, so it is never *high* confidence (GitHub's
    confirmation raises it); a `noreply@github.com` committer is text too, "unverified web-flow" unless its
    signature was verified."""
    by_github = c.committer_email == GITHUB_COMMITTER
    said = UNVERIFIED_WEB_FLOW if by_github and not webflow_verified else "medium"
    merge = MERGE_PR.match(c.subject)
    if len(c.parents) > 1:
        if merge:
            title = c.body.split("\n\n", 1)[1].strip().split("\n")[0] if "\n\n" in c.body else None
            return ChangePath.PR_MERGE, said, int(merge.group(1)), title
        return ChangePath.LOCAL_MERGE, "medium", None, None
    squash = SQUASH_PR.search(c.subject)
    if squash:
        title = SQUASH_PR.sub("", c.subject).strip()
        return ChangePath.PR_SQUASH, said, int(squash.group(1)), title
    if c.pull_ref is not None:
        # The commit (or its tree) is the head of a pull request the clone carries: a rebase or fast-forward merge.
        return ChangePath.PR_REBASE, "medium", c.pull_ref, None
    if by_github:
        return ChangePath.WEB_EDIT, said, None, None
    return ChangePath.DIRECT_PUSH, "low", None, None


def environments_of(c: CommitRecord, environments: Mapping[str, tuple[str, ...]]) -> tuple[str, ...]:
    """Environments whose paths the commit touches."""
    matchers = {env: glob_regex(tuple(globs)) for env, globs in environments.items()}
    return tuple(env for env, rx in matchers.items() if any(rx.match(path) for _, path in c.files))


def build_audit_trail(history: HistoryEvidence, extra_bots: Sequence[str] = (),
                      environments: Mapping[str, tuple[str, ...]] | None = None,
                      commits: Sequence[CommitRecord] | None = None) -> tuple[AuditRecord, ...]:
    """One record per deployment (a first-parent commit touching an environment), newest first.

    `environments` and `commits` default to the history's own (a timeline point passes its tree's environments and
    the commits of its period)."""
    declared = history.environments if environments is None else environments
    matchers = {env: glob_regex(tuple(globs)) for env, globs in declared.items()}
    records: list[AuditRecord] = []
    for c in history.commits if commits is None else commits:
        envs = tuple(env for env, rx in matchers.items() if any(rx.match(path) for _, path in c.files))
        if envs:
            records.append(_record(c, envs, history, extra_bots))
    return _link_failures(records, history)


def _record(c: CommitRecord, envs: tuple[str, ...], history: HistoryEvidence,
            extra_bots: Sequence[str]) -> AuditRecord:
    path, confidence, pr, title = change_path(c, history.verification.get(c.sha) == "G")
    bots = tuple(extra_bots)
    author_name, author_email = change_author(c)
    kind = bot_kind(author_name, author_email, bots) or _bot_co_author(c.co_authors, bots)
    pushed = pusher(c) if path in (ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT) else None
    if pushed is not None and kind is not None and bot_kind(*pushed, bots) is None:
        kind = None  # a bot's commit pushed by a person is that person's direct push
    merge = MERGE_PR.match(c.subject) if path is ChangePath.PR_MERGE else None
    branch = merge.group(3) if merge else ""
    tickets = ticket_ids([c.subject, c.body, title], [branch], pr)
    hotfix = bool(HOTFIX.search(c.subject) or HOTFIX_BRANCH.match(branch) or (title and HOTFIX.search(title)))
    reverts_sha = revert_branch = reverts_pr = None
    is_revert = False
    if "evert" in c.body:  # cheap gate: every revert format names itself
        reverts_sha = REVERTS_SHA.search(c.body)
        revert_branch = REVERT_BRANCH.match(branch)
        reverts_pr = REVERTS_PR.search(c.body)
        is_revert = bool(reverts_sha or revert_branch or reverts_pr or REVERT_TITLE.match(c.subject)
                         or (title and REVERT_TITLE.match(title)) or CONVENTIONAL_REVERT.match(c.subject))
    lead, source = _lead_time(c, path, kind)
    return AuditRecord(
        sha=c.sha, parents=c.parents, deployed_at=c.committed_at, authored_at=c.authored_at,
        author_name=author_name, author_email=author_email, committer_name=c.committer_name,
        committer_email=c.committer_email, co_authors=c.co_authors, is_bot=kind is not None, bot_kind=kind,
        change_path=path, change_path_confidence=confidence, pr_number=pr, pr_title=title, ticket_refs=tickets,
        signature=c.signature, webflow_signed=c.signature.value != "none" and c.committer_email == GITHUB_COMMITTER,
        signature_status=history.verification.get(c.sha), environments=envs,
        files=tuple(f"{s}\t{p}" for s, p in c.files), subject=c.subject, is_revert=is_revert,
        # A revert naming no commit is tied to the change whose files it restores (read from Git by content).
        reverts_sha=reverts_sha.group(1) if reverts_sha else (c.undoes if is_revert else None),
        reverts_pr=int(revert_branch.group(1)) if revert_branch else (int(reverts_pr.group(1)) if reverts_pr
                                                                      else None),
        is_hotfix=hotfix and not is_revert, is_emergency=(hotfix and path in (ChangePath.DIRECT_PUSH,
                                                                             ChangePath.WEB_EDIT)) or (
            hotfix and bool(HOTFIX_BRANCH.match(branch))),
        lead_time_hours=lead, lead_time_source=source, merged_by=merger(c),
        pushed_by=pushed[1] if pushed else None,
    )


def _lead_time(c: CommitRecord, path: ChangePath, kind: str | None) -> tuple[float | None, str]:
    if kind is not None:
        return None, "excluded-bot"
    deployed = _ts(c.committed_at)
    if path is ChangePath.PR_MERGE and c.branch_first_authored_at:
        return _hours(deployed - _ts(c.branch_first_authored_at)), "pr-first-commit"
    if path is ChangePath.PR_SQUASH:
        return None, "unavailable-offline"  # the squash hides the original commits; the API can fill it
    if path in (ChangePath.DIRECT_PUSH, ChangePath.WEB_EDIT):
        # Authored and pushed in one go: a lead time of minutes says nothing about delivery, only that no review
        # stood between the change and production. Not counted (it would read as "elite").
        return None, "direct-push"
    return _hours(deployed - _ts(c.authored_at)), "commit"


def _link_failures(records: list[AuditRecord], history: HistoryEvidence) -> tuple[AuditRecord, ...]:
    """Mark failed deployments and their remediation: revert, rollback to an earlier state, or hotfix."""
    ordered = sorted(records, key=lambda r: _ts(r.deployed_at))  # oldest first
    index = {r.sha: i for i, r in enumerate(ordered)}
    by_pr = {r.pr_number: i for i, r in enumerate(ordered) if r.pr_number is not None and not r.is_revert}
    by_title = {(r.pr_title or r.subject): i for i, r in enumerate(ordered)}
    by_prefix: dict[str, list[str]] = {}
    for sha in index:
        by_prefix.setdefault(sha[:7], []).append(sha)
    states = _env_states(history, index)
    updated = list(ordered)

    def fail(target: int, remedy: int, how: str) -> None:
        f, r = updated[target], updated[remedy]
        if f.failed:
            return
        recovery = _hours(_ts(r.deployed_at) - _ts(f.deployed_at))
        updated[target] = replace(f, failed=True, failure_detection=how, remediated_by=r.sha,
                                  recovery_hours=recovery,
                                  reverted_by=r.sha if how in ("revert", REVERT_SAME_FILES) else f.reverted_by)

    seen: dict[str, dict[tuple[int, int], int]] = {}
    last: dict[str, tuple[int, tuple[int, int]]] = {}
    for i, r in enumerate(ordered):
        if r.is_revert:
            target = _revert_target(r, index, by_prefix, by_pr, by_title)
            how = "revert"
            if target is None:
                # A revert whose message and content name no change (a partial revert): the last change to the same
                # files is taken, and the record says the link was guessed.
                prior = _previous_in_env(ordered, i)
                if prior is not None and _ts(r.deployed_at) - _ts(ordered[prior].deployed_at) <= FAILURE_WINDOW:
                    target, how = prior, REVERT_SAME_FILES
            if target is not None and target < i:
                fail(target, i, how)
        for env in r.environments:
            state = states.get((r.sha, env))  # None: this commit did not move the environment's roots
            if state is None:
                continue
            env_seen = seen.setdefault(env, {})
            previous = last.get(env)
            # Returning an environment to an earlier state (not the one just before) is a rollback.
            if (previous is not None and previous[1] != state and state in env_seen and not r.is_revert
                    and env_seen[state] < previous[0]):
                updated[i] = replace(updated[i], is_rollback=True)
                fail(previous[0], i, "rollback")
            env_seen.setdefault(state, i)
            last[env] = (i, state)
        if r.is_hotfix and not r.is_revert:
            prior = _previous_in_env(ordered, i)
            if prior is not None and _ts(r.deployed_at) - _ts(ordered[prior].deployed_at) <= HOTFIX_WINDOW:
                fail(prior, i, "hotfix")
    return tuple(sorted(updated, key=lambda r: _ts(r.deployed_at), reverse=True))


def _revert_target(r: AuditRecord, index: dict[str, int], by_prefix: dict[str, list[str]],
                   by_pr: dict[int, int], by_title: dict[str, int]) -> int | None:
    if r.reverts_sha:
        exact = index.get(r.reverts_sha)
        if exact is not None:
            return exact
        candidates = [s for s in by_prefix.get(r.reverts_sha[:7], []) if s.startswith(r.reverts_sha)]
        if candidates:
            return index[candidates[0]]
    if r.reverts_pr is not None and r.reverts_pr in by_pr:
        return by_pr[r.reverts_pr]
    quoted = REVERT_TITLE.match(r.pr_title or r.subject)
    if quoted:
        original = quoted.group(2)
        return by_title.get(original, by_title.get(SQUASH_PR.sub("", original).strip()))
    return None


def _env_states(history: HistoryEvidence, deployments: dict[str, int]) -> dict[tuple[str, str], tuple[int, int]]:
    """Each deployment's environment state, as a 128-bit fingerprint of its roots' object ids.

    Updated incrementally (only the roots a commit moved), so a fleet of hundreds of roots costs O(changes);
    two equal fingerprints mean the same set of (root, object id) pairs except with negligible probability."""
    current: dict[str, str | None] = dict(history.base_trees)
    envs_of_root: dict[str, list[str]] = {}
    for env, env_roots in history.env_roots.items():
        for root in env_roots:
            envs_of_root.setdefault(root, []).append(env)
    prints = {env: [sum(_h1(r, current.get(r)) for r in rs), sum(_h2(r, current.get(r)) for r in rs)]
              for env, rs in history.env_roots.items()}
    moved_ever: set[str] = set()
    out: dict[tuple[str, str], tuple[int, int]] = {}
    for c in reversed(history.commits):  # oldest first
        if not c.env_trees:
            continue
        for root, oid in c.env_trees:
            old = current.get(root)
            if old == oid:
                continue
            for env in envs_of_root.get(root, ()):
                fp = prints[env]
                fp[0] += _h1(root, oid) - _h1(root, old)
                fp[1] += _h2(root, oid) - _h2(root, old)
                moved_ever.add(env)
            current[root] = oid
        if c.sha in deployments:
            for env in moved_ever:
                out[(c.sha, env)] = (prints[env][0], prints[env][1])
    return out


def _h1(root: str, oid: str | None) -> int:
    return hash((root, oid))


def _h2(root: str, oid: str | None) -> int:
    return hash((oid, root, "state"))


def _previous_in_env(ordered: list[AuditRecord], i: int) -> int | None:
    envs = set(ordered[i].environments)
    files = {f.split("\t", 1)[1] for f in ordered[i].files}
    for j in range(i - 1, -1, -1):
        other = ordered[j]
        if envs & set(other.environments) and files & {f.split("\t", 1)[1] for f in other.files}:
            return j
    return None


def _ts(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _hours(delta: timedelta) -> float:
    return round(max(delta.total_seconds(), 0.0) / 3600.0, 2)


__all__ = ["GITHUB_COMMITTER", "bot_kind", "build_audit_trail", "change_path", "environments_of"]


def _bot_co_author(trailers: tuple[str, ...], bots: tuple[str, ...]) -> str | None:
    """The kind of a bot or AI agent named in a `Co-authored-by:` trailer: the change is automation's too."""
    for trailer in trailers:
        name, _, rest = trailer.partition("<")
        kind = bot_kind(name.strip(), rest.rstrip(">").strip(), bots)
        if kind is not None:
            return kind
    return None
