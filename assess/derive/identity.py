"""Who made a change: people, bots and AI agents, the author of a merged branch, who merged it and who pushed it
(pure). Identities are read raw (never through a committed .mailmap)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from assess.model.history import CommitRecord

GITHUB_COMMITTER = "noreply@github.com"
KNOWN_BOTS = {
    "renovate": re.compile(r"renovate", re.IGNORECASE),
    "dependabot": re.compile(r"dependabot", re.IGNORECASE),
    "github-actions": re.compile(r"github-actions", re.IGNORECASE),
    "argocd-image-updater": re.compile(r"argocd-image-updater|noreply@argoproj\.io", re.IGNORECASE),
    "flux": re.compile(r"fluxcd|fluxbot|flux-bot|image-automation", re.IGNORECASE),
    # Coding assistants that author or co-author commits: automation, not members of the team.
    "ai-agent": re.compile(r"noreply@anthropic\.com|\bclaude\b|copilot|cursoragent|cursor agent|devin-ai|"
                           r"noreply@openai\.com|\bcodex\b|gemini-code-assist|aider", re.IGNORECASE),
}
BOT_EMAIL = re.compile(r"\[bot\]@users\.noreply\.github\.com$")
# `cf-ci-bot`, `snyk-bot`, `StepSecurity Bot`, `release.bot@…`: the word bot standing alone in a name or address.
BOT_WORD = re.compile(r"(?:^|[\s\-_.+\[])bots?(?:$|[\s\-_.\]@])", re.IGNORECASE)
NOREPLY_LOGIN = re.compile(r"^(?:\d+\+)?([^@]+)@users\.noreply\.github\.com$")


@lru_cache(maxsize=4096)
def bot_kind(name: str, email: str, extra_bots: tuple[str, ...] = ()) -> str | None:
    """The kind of automation behind an identity, or None for a person."""
    ident = f"{name} <{email}>"
    for kind, pattern in KNOWN_BOTS.items():
        if pattern.search(ident):
            return kind
    if (name.endswith("[bot]") or BOT_EMAIL.search(email) or BOT_WORD.search(name)
            or BOT_WORD.search(email.split("@", 1)[0]) or any(b.lower() in ident.lower() for b in extra_bots)):
        return "other"
    return None


def change_author(c: CommitRecord) -> tuple[str, str]:
    """Who wrote the change: for a merge, the author of the branch it brought in (the merge commit's own author is
    whoever pressed the button); otherwise the commit's author."""
    if c.branch_author_email is not None:
        return c.branch_author_name or "", c.branch_author_email
    return c.author_name, c.author_email


def merger(c: CommitRecord) -> str | None:
    """Who merged a merge commit: its committer, or its author when GitHub committed it (a web merge)."""
    if len(c.parents) < 2:
        return None
    return c.author_email if c.committer_email == GITHUB_COMMITTER else c.committer_email


def pusher(c: CommitRecord) -> tuple[str, str]:
    """Who put a non-merge commit on the branch: its committer, unless GitHub committed it (then its author)."""
    if c.committer_email == GITHUB_COMMITTER:
        return c.author_name, c.author_email
    return c.committer_name, c.committer_email


def person_key(email: str) -> str:
    """One key per address: GitHub's no-reply addresses name the login."""
    low = email.strip().lower()
    login = NOREPLY_LOGIN.match(low)
    return f"github:{login.group(1)}" if login else low


def count_people(identities: Iterable[tuple[str, str]]) -> int:
    """Distinct people among (name, email) pairs: two addresses under one name are one person, and so are two
    names on one address (a person committing locally and through the GitHub web interface)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for name, email in identities:
        key = f"email:{person_key(email)}"
        find(key)
        normalised = " ".join(name.lower().split())
        if normalised and " " in normalised:  # a full name is distinctive enough; a bare "admin" is not
            parent[find(key)] = find(f"name:{normalised}")
    return len({find(k) for k in list(parent) if k.startswith("email:")})
