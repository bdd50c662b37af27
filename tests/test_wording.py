"""Counted nouns come from one helper: no 'pushs', 'directorys', 'policys', '1 clouds' or '1 engineers'."""

from __future__ import annotations

import pytest

from assess.model.wording import plural


@pytest.mark.parametrize(("n", "noun", "expected"), [
    (2, "direct push", "2 direct pushes"), (3, "directory", "3 directories"), (4, "policy", "4 policies"),
    (1, "cloud", "1 cloud"), (1, "engineer", "1 engineer"), (2, "person", "2 people"), (0, "change", "0 changes"),
    (1204, "commit", "1,204 commits"), (2, "day", "2 days"), (2, "enforcing Kyverno policy",
                                                          "2 enforcing Kyverno policies"),
])
def test_plural_forms(n: int, noun: str, expected: str) -> None:
    assert plural(n, noun) == expected

