"""Find the GitHub repository a clone belongs to, from its `origin` remote."""

from __future__ import annotations

import urllib.parse

from assess.collectors.git_repo import origin_url, remote_path_parts


def origin_repository(path: str, host: str = "github.com") -> str | None:
    """`owner/repo` of the origin remote when it points at `host`, else None."""
    url = origin_url(path)
    return parse_remote(url, host) if url else None


def parse_remote(url: str, host: str = "github.com") -> str | None:
    """`owner/repo` from an https, ssh or scp-style remote URL on the given host."""
    parts = remote_path_parts(url, host)
    return f"{parts[-2]}/{parts[-1]}" if parts and len(parts) >= 2 else None


def api_host(api_url: str) -> str:
    """The web host of an API URL (api.github.com → github.com; GitHub Enterprise keeps its host)."""
    host = urllib.parse.urlsplit(api_url).hostname or "github.com"
    return "github.com" if host == "api.github.com" else host
