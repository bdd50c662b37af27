"""One glob translation serves environment paths and CODEOWNERS patterns."""

from __future__ import annotations

import re

from assess.derive.path_globs import glob_body


def test_double_star_spans_directories_and_single_star_does_not() -> None:
    regex = re.compile("^" + glob_body("clusters/**/prod-*.yaml") + "$")
    assert regex.match("clusters/eu/west/prod-1.yaml")
    assert not regex.match("clusters/eu/prod-a/b.yaml")


def test_question_mark_is_one_character_unless_kept_literal() -> None:
    assert re.fullmatch(glob_body("app?.yaml"), "app1.yaml")
    assert not re.fullmatch(glob_body("app?.yaml"), "app/.yaml")
    assert re.fullmatch(glob_body("app?.yaml", question_mark=False), "app?.yaml")
    assert not re.fullmatch(glob_body("app?.yaml", question_mark=False), "app1.yaml")
