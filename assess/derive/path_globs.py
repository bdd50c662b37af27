"""Path globs as regular expressions: `**` spans directories, `*` (and optionally `?`) stays within one."""

from __future__ import annotations

import re


def glob_body(pattern: str, question_mark: bool = True) -> str:
    """The unanchored regex for one glob; `question_mark=False` keeps `?` literal."""
    out = ""
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out += ".*"
            i += 2
            continue
        char = pattern[i]
        if char == "*":
            out += "[^/]*"
        elif char == "?" and question_mark:
            out += "[^/]"
        else:
            out += re.escape(char)
        i += 1
    return out
