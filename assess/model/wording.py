"""Counted nouns in one place: every report sentence that counts something says '1 cloud' and '2 pushes'."""

from __future__ import annotations

# Nouns whose plural the suffix rules get wrong.
IRREGULAR = {"person": "people", "child": "children", "analysis": "analyses", "index": "indexes"}


def plural_noun(n: int, noun: str) -> str:
    """The noun (the last word of a phrase) in the number that n calls for: 'push' -> 'pushes', 'policy' ->
    'policies', 'directory' -> 'directories', 'person' -> 'people'."""
    if n == 1:
        return noun
    head, _, last = noun.rpartition(" ")
    if last in IRREGULAR:
        last = IRREGULAR[last]
    elif last.endswith(("s", "sh", "ch", "x", "z")):
        last += "es"
    elif last.endswith("y") and last[-2:-1] not in ("a", "e", "i", "o", "u"):
        last = last[:-1] + "ies"
    else:
        last += "s"
    return f"{head} {last}" if head else last


def plural(n: int, noun: str) -> str:
    """'1 file', '3 files', '2 direct pushes', '4 policies', '1,204 commits' (the noun is the last word)."""
    return f"{n:,} {plural_noun(n, noun)}"
