"""What evaluation needs besides the evidence, the policy and the model: names, periods, the kind override and
where the policy came from. It holds no credentials, URLs or collection options: evaluation cannot reach out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from assess.policy.source import PolicyChange


@dataclass(frozen=True)
class Scope:
    """The judgement's frame: what the target is called, which periods to judge, what it is."""

    now: datetime | None = None
    target_name: str | None = None
    forge_repo: str | None = None  # owner/name on the forge: recognises this repository's own URLs
    kind: str | None = None
    since: datetime | None = None
    since_all: bool = False
    audit_since: datetime | None = None
    until: datetime | None = None
    policy_ref: str | None = None  # --config-ref: the policy was read from Git objects at this revision
    policy_not_applied: tuple[PolicyChange, ...] = ()
