"""Which policy judged a scan, and from where: a pull request must not set the policy that gates it.

With `--config-ref REF` the policy file is read from Git objects at REF (the base branch), never from the tree under
review; what the reviewed tree's own policy file would have disabled or waived beyond it is listed as not applied."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import date

from assess.collectors import git_repo
from assess.model.sections import NotApplied, PolicySummary, WaiverSummary
from assess.policy.config import CONFIG_NAME, Config, ConfigError, parse_config


@dataclass(frozen=True)
class PolicyChange:
    """One way the reviewed tree's policy file is weaker than the trusted one."""

    what: str  # "disabled", "not enabled", "waived", "threshold"
    check: str
    detail: str


def config_from_ref(repo_path: str, ref: str, known_checks: frozenset[str] | None = None,
                    today: date | None = None) -> Config:
    """The policy file as committed at `ref` (defaults when it has none there)."""
    if not ref or ref.startswith("-") or any(c in ref for c in "\n\r\0 :"):
        raise ConfigError(f"--config-ref {ref!r}: not a Git revision name")
    try:
        handle = git_repo.open_repository(repo_path)
    except git_repo.RepositoryError as exc:
        raise ConfigError(f"--config-ref {ref}: {exc}") from exc
    try:
        found = git_repo.resolve_revision(handle, ref)
    except git_repo.RepositoryError:
        found = None
    if found is None:
        raise ConfigError(f"--config-ref {ref}: no such revision in {repo_path} (fetch the base branch first, "
                          "e.g. `git fetch origin main`)")
    name = f"{ref}:{CONFIG_NAME}"
    data = next((blob for _, blob in git_repo.read_blobs(handle, [name])), None)
    if data is None:
        return Config(path=f"{name} (absent: defaults)")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{name}: not UTF-8 text") from exc
    return parse_config(text, name, known_checks, today)


def weakenings(trusted: Config, proposed: Config) -> tuple[PolicyChange, ...]:
    """What `proposed` disables, leaves out, waives or loosens that `trusted` does not."""
    out = [PolicyChange("disabled", c, "disabled in the reviewed tree's policy")
           for c in sorted(proposed.disabled_checks - trusted.disabled_checks)]
    if proposed.enabled_checks is not None:
        kept = trusted.enabled_checks
        dropped = (kept - proposed.enabled_checks) if kept is not None else None
        detail = "left out of `checks.enable` in the reviewed tree's policy"
        out += [PolicyChange("not enabled", c, detail) for c in sorted(dropped or ())]
        if kept is None:
            out.append(PolicyChange("not enabled", "*", "the reviewed tree's policy runs only "
                                    f"{len(proposed.enabled_checks)} listed checks"))
    known = {(w.check, w.scope) for w in trusted.waivers}
    out += [PolicyChange("waived", w.check, w.label()) for w in proposed.waivers if (w.check, w.scope) not in known]
    old, new = asdict(trusted.thresholds), asdict(proposed.thresholds)
    out += [PolicyChange("threshold", key, f"{key}: {old[key]} → {new[key]}") for key in sorted(old)
            if old[key] != new[key]]
    return tuple(out)


def policy_summary(config: Config, source: str, not_applied: tuple[PolicyChange, ...] = ()) -> PolicySummary:
    """The report's account of the policy it was judged with: every disabled check and waiver, and what was not
    applied."""
    return PolicySummary(
        source=source,
        file=config.path,
        disabled=tuple(sorted(config.disabled_checks)),
        enabled_only=tuple(sorted(config.enabled_checks)) if config.enabled_checks is not None else None,
        waivers=tuple(WaiverSummary(w.check, w.scope, w.owner, w.expires.isoformat(), w.reason)
                      for w in config.waivers),
        not_applied=tuple(NotApplied(c.what, c.check, c.detail) for c in not_applied),
    )
