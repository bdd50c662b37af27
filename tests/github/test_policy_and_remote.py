"""Pure pieces: the effective branch policy from classic protection and rulesets; remote URL parsing."""

from __future__ import annotations

import pytest

from assess.collectors.github.policy import effective_policy
from assess.collectors.github.remote import api_host, parse_remote
from tests.fakes.github_fixture import classic, ruleset_rules


def test_classic_only() -> None:
    p = effective_policy(classic(approvals=1, code_owners=True, admins=True, force=False, deletions=False), [], {})
    assert p.protected and p.sources == ("classic",) and p.required_approvals == 1
    assert p.require_code_owner_reviews and p.force_push_blocked and p.deletion_blocked and p.admins_enforced


def test_rulesets_only_with_and_without_visible_bypass_actors() -> None:
    rules = ruleset_rules(3, approvals=2, signatures=True)
    visible = effective_policy(None, rules, {3: {"id": 3, "name": "main", "bypass_actors": []}})
    assert visible.protected and visible.sources == ("ruleset:main",) and visible.admins_enforced is True
    assert visible.required_signatures and visible.force_push_blocked and visible.required_approvals == 2
    hidden = effective_policy(None, rules, {3: {"id": 3, "name": "main"}})
    assert hidden.admins_enforced is None
    bypass = effective_policy(None, rules, {3: {"id": 3, "name": "main", "bypass_actors": [
        {"actor_id": 5, "actor_type": "RepositoryRole", "bypass_mode": "always"}]}})
    assert bypass.admins_enforced is False and bypass.bypass_actors == ("RepositoryRole:5 (always)",)


def test_strongest_requirement_wins_and_org_rulesets_are_named() -> None:
    p = effective_policy(classic(approvals=1, force=True, admins=True), ruleset_rules(9, approvals=3),
                         {9: {"id": 9, "name": "baseline", "source_type": "Organization", "bypass_actors": []}})
    assert p.required_approvals == 3 and p.force_push_blocked  # the ruleset blocks what classic allows
    assert p.sources == ("classic", "org-ruleset:baseline") and p.admins_enforced is True


def test_nothing_is_unprotected() -> None:
    p = effective_policy(None, [], {})
    assert not p.protected and not p.force_push_blocked and p.admins_enforced is False


@pytest.mark.parametrize(("url", "expected"), [
    ("git@github.com:acme/web-deploy.git", "acme/web-deploy"),
    ("https://github.com/acme/web-deploy", "acme/web-deploy"),
    ("https://x-access-token:abc@github.com/acme/web-deploy.git", "acme/web-deploy"),
    ("ssh://git@github.com/acme/web-deploy.git", "acme/web-deploy"),
    ("https://gitlab.com/acme/web-deploy.git", None),
    ("/srv/git/web-deploy.git", None),
])
def test_remote_parsing(url: str, expected: str | None) -> None:
    assert parse_remote(url) == expected


def test_enterprise_hosts() -> None:
    assert api_host("https://api.github.com") == "github.com"
    assert api_host("https://ghe.acme.example/api/v3") == "ghe.acme.example"
    assert parse_remote("git@ghe.acme.example:platform/fleet.git", "ghe.acme.example") == "platform/fleet"
