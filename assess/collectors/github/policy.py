"""Merge classic branch protection and active rulesets into one effective policy (pure, from API JSON)."""

from __future__ import annotations

from typing import Any

from assess.model.forge import BranchPolicy


def _enabled(data: dict[str, Any], key: str) -> bool:
    value = data.get(key)
    return bool(value.get("enabled")) if isinstance(value, dict) else bool(value)


def effective_policy(classic: dict[str, Any] | None, rules: list[dict[str, Any]],
                     rulesets: dict[int, dict[str, Any]]) -> BranchPolicy:
    """The strongest requirement from either source wins; provenance says where each came from."""
    sources: list[str] = []
    approvals = 0
    stale = code_owners = last_push = strict = signatures = linear = requires_pr = False
    force_blocked = deletion_blocked = False
    checks: set[str] = set()
    admins: bool | None = None
    bypass: list[str] = []
    if classic is not None:
        sources.append("classic")
        reviews = classic.get("required_pull_request_reviews") or {}
        if reviews:
            requires_pr = True
            approvals = int(reviews.get("required_approving_review_count") or 0)
            stale = bool(reviews.get("dismiss_stale_reviews"))
            code_owners = bool(reviews.get("require_code_owner_reviews"))
            last_push = bool(reviews.get("require_last_push_approval"))
            allowances = reviews.get("bypass_pull_request_allowances") or {}
            for kind in ("users", "teams", "apps"):
                bypass += [f"{kind[:-1]}:{a.get('login') or a.get('slug') or a.get('name')}"
                           for a in allowances.get(kind, [])]
        status = classic.get("required_status_checks") or {}
        if status:
            strict = bool(status.get("strict"))
            checks |= set(status.get("contexts") or [])
            checks |= {c.get("context", "") for c in status.get("checks") or [] if c.get("context")}
        signatures = _enabled(classic, "required_signatures")
        linear = _enabled(classic, "required_linear_history")
        force_blocked = not _enabled(classic, "allow_force_pushes")
        deletion_blocked = not _enabled(classic, "allow_deletions")
        admins = _enabled(classic, "enforce_admins")
    ruleset_ids: set[int] = set()
    for rule in rules:
        rid = rule.get("ruleset_id")
        if isinstance(rid, int):
            ruleset_ids.add(rid)
        params = rule.get("parameters") or {}
        rule_type = rule.get("type")
        if rule_type == "pull_request":
            requires_pr = True
            approvals = max(approvals, int(params.get("required_approving_review_count") or 0))
            stale = stale or bool(params.get("dismiss_stale_reviews_on_push"))
            code_owners = code_owners or bool(params.get("require_code_owner_review"))
            last_push = last_push or bool(params.get("require_last_push_approval"))
        elif rule_type == "required_status_checks":
            strict = strict or bool(params.get("strict_required_status_checks_policy"))
            checks |= {c.get("context", "") for c in params.get("required_status_checks") or []}
        elif rule_type == "required_signatures":
            signatures = True
        elif rule_type == "required_linear_history":
            linear = True
        elif rule_type == "non_fast_forward":
            force_blocked = True
        elif rule_type == "deletion":
            deletion_blocked = True
    ruleset_bypass_known = True
    for rid in sorted(ruleset_ids):
        detail = rulesets.get(rid, {})
        origin = "org-ruleset" if detail.get("source_type") == "Organization" else "ruleset"
        sources.append(f"{origin}:{detail.get('name', rid)}")
        actors = detail.get("bypass_actors")
        if actors is None:
            ruleset_bypass_known = False
        else:
            bypass += [f"{a.get('actor_type')}:{a.get('actor_id')} ({a.get('bypass_mode', 'always')})" for a in actors]
    if ruleset_ids:
        # Rulesets apply to admins unless an actor may bypass; unknown when bypass actors were withheld.
        rules_bind_admins = ruleset_bypass_known and not bypass
        admins = rules_bind_admins if admins is None else (admins and (rules_bind_admins or not ruleset_bypass_known))
        if not ruleset_bypass_known and classic is None:
            admins = None
    protected = classic is not None or bool(rules)
    return BranchPolicy(
        protected=protected, sources=tuple(sources), requires_pull_request=requires_pr, required_approvals=approvals,
        dismiss_stale_reviews=stale, require_code_owner_reviews=code_owners, require_last_push_approval=last_push,
        required_status_checks=tuple(sorted(c for c in checks if c)), strict_status_checks=strict,
        required_signatures=signatures, linear_history=linear, force_push_blocked=force_blocked if protected else False,
        deletion_blocked=deletion_blocked if protected else False, admins_enforced=admins if protected else False,
        bypass_actors=tuple(bypass),
    )
