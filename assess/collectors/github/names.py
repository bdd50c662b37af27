"""What GitHub names and API URLs are accepted before they become paths or carry a token."""

from __future__ import annotations

import ipaddress
import re
import urllib.parse

# GitHub's rules: an owner is 1-39 letters, digits or hyphens, not starting with a hyphen; a repository name is
# 1-100 letters, digits, '.', '-' or '_', and never '.' or '..'.
OWNER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{0,38}")
REPO = re.compile(r"[A-Za-z0-9._-]{1,100}")


def valid_owner(name: str) -> bool:
    """Whether `name` is a possible GitHub user or organisation name."""
    return bool(OWNER.fullmatch(name))


def valid_full_name(name: str) -> bool:
    """Whether `name` is `owner/repo` by GitHub's rules (so it is safe as a directory name once '/' is replaced)."""
    owner, sep, repo = name.partition("/")
    return bool(sep) and valid_owner(owner) and bool(REPO.fullmatch(repo)) and repo not in (".", "..")


def plain_http_warning(url: str) -> str | None:
    """A warning when the API URL is plain http to a host other than this machine (the token would travel
    unencrypted); None for https and for loopback."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme.lower() != "http":
        return None
    host = (parts.hostname or "").lower()
    if host == "localhost":
        return None
    try:
        if ipaddress.ip_address(host).is_loopback:
            return None
    except ValueError:
        pass
    return (f"the GitHub API URL is plain http (host {host or '?'}): the token and every answer cross the network "
            "unencrypted; use https")
