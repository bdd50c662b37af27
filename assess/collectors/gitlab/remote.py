"""Find the GitLab project a clone belongs to, from its `origin` remote (gitlab.com or a self-managed host)."""

from __future__ import annotations

import re
import urllib.parse

from assess.collectors.git_repo import origin_url, remote_path_parts


def web_host(gitlab_url: str) -> str:
    """The host of a GitLab instance URL (https://gitlab.example.org → gitlab.example.org)."""
    return (urllib.parse.urlsplit(gitlab_url).hostname or "gitlab.com").lower()


def origin_project(path: str, gitlab_url: str = "https://gitlab.com") -> str | None:
    """`group/sub/project` of the origin remote when it points at the GitLab instance, else None."""
    url = origin_url(path)
    return parse_remote(url, web_host(gitlab_url)) if url else None


def parse_remote(url: str, host: str = "gitlab.com") -> str | None:
    """The project path (nested groups kept) from an https, ssh or scp-style remote URL on the given host."""
    parts = remote_path_parts(url, host)
    return "/".join(parts) if parts and len(parts) >= 2 and "-" not in parts else None


def valid_project_path(value: str) -> bool:
    """Whether `value` looks like a GitLab project path: group[/subgroup…]/project."""
    parts = value.split("/")
    return len(parts) >= 2 and all(re.fullmatch(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", p) for p in parts)
