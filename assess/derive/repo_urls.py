"""Whether a URL in a reconciler object names the scanned repository (pure)."""

from __future__ import annotations

import re

_SCP = re.compile(r"^(?:[\w.-]+@)?([\w.-]+):(?!//)(.+)$")


def normalise_url(url: str) -> str:
    """`host/owner/repo` for any Git URL form (https, ssh://, git@host:owner/repo, with or without .git)."""
    text = url.strip().lower()
    if not text:
        return ""
    if "://" in text:
        text = text.split("://", 1)[1]
        text = text.split("@", 1)[1] if "@" in text.split("/", 1)[0] else text
    else:
        scp = _SCP.match(text)
        if scp:
            text = f"{scp.group(1)}/{scp.group(2)}"
    host, _, path = text.partition("/")
    host = host.split(":", 1)[0]  # ssh://git@host:22/owner/repo
    path = path.strip("/").removesuffix(".git")
    return f"{host}/{path}" if path else host


def is_self_url(url: str, self_urls: tuple[str, ...], names: tuple[str, ...]) -> bool:
    """A URL equal to one of this repository's remote URLs (any form), or whose last segment is its name."""
    target = normalise_url(url)
    if not target or "{{" in target or "$" in target:
        return False
    own = {normalise_url(u) for u in self_urls if u}
    if target in own:
        return True
    tail = target.rsplit("/", 2)
    owner_repo = "/".join(tail[-2:])
    if any(o.endswith("/" + owner_repo) or o == owner_repo for o in own):
        return True
    return tail[-1] in names
