"""GitLab CODEOWNERS sections: default owners of a section, optional sections, one rule per section."""

from __future__ import annotations

from collections.abc import Callable

from assess.model.context import CheckContext
from assess.model.finding import Outcome
from tests.conftest import catalogued

DEPLOY = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  template:\n    spec:\n" \
         "      containers:\n        - name: web\n          image: ghcr.io/acme/web:1.2.3\n"


def _cover(context_of: Callable[[dict[str, str]], CheckContext], codeowners: str) -> tuple[Outcome, str]:
    ctx = context_of({"k8s/prod/web.yaml": DEPLOY, "k8s/dev/web.yaml": DEPLOY, ".gitlab/CODEOWNERS": codeowners})
    res = catalogued("codeowners-cover-deploy-paths").run(ctx)
    return res.outcome, res.message


def test_a_pattern_without_owners_takes_its_sections_default_owners(
        context_of: Callable[[dict[str, str]], CheckContext]) -> None:
    outcome, _ = _cover(context_of, "[Platform][2] @acme/platform\n/k8s/\n")
    assert outcome is Outcome.PASS


def test_without_a_section_a_bare_pattern_still_has_no_owner(
        context_of: Callable[[dict[str, str]], CheckContext]) -> None:
    outcome, message = _cover(context_of, "/k8s/\n")
    assert outcome is Outcome.FAIL and "2 of 2 deployment files have no owner" in message


def test_an_optional_section_does_not_make_approval_required(
        context_of: Callable[[dict[str, str]], CheckContext]) -> None:
    outcome, message = _cover(context_of, "[Platform] @acme/platform\n/k8s/prod/\n^[Docs] @acme/writers\n/k8s/dev/\n")
    assert outcome is Outcome.FAIL
    assert "1 of 2 deployment files have no owner (1 only in optional sections" in message and "k8s/dev" in message


def test_a_later_section_does_not_unown_an_earlier_one(context_of: Callable[[dict[str, str]], CheckContext]) -> None:
    # Each GitLab section applies on its own: the Docs section's bare pattern does not cancel Platform's owners.
    outcome, _ = _cover(context_of, "[Platform] @acme/platform\n/k8s/\n[Docs]\n/k8s/\n")
    assert outcome is Outcome.PASS
