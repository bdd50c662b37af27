"""The `.gitops-assess.yaml` policy file: loaded, validated against a JSON Schema, merged into defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from assess.collectors.yaml_docs import load_documents
from assess.model.context import Thresholds
from assess.model.period import PeriodDefaults
from assess.policy.maturity import OVERRIDE_SCHEMA, ModelError, adapted, override_checks, packaged

CONFIG_NAME = ".gitops-assess.yaml"

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "version": {"type": "integer", "enum": [1]},
        "environments": {
            "type": "object",
            "additionalProperties": {"type": "array", "items": {"type": "string"}, "minItems": 1},
        },
        "thresholds": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "fleet_clusters": {"type": "integer", "minimum": 1},
                "fleet_clouds": {"type": "integer", "minimum": 1},
                "min_environments": {"type": "integer", "minimum": 1},
                "min_engineers": {"type": "integer", "minimum": 1},
                "min_signed_share": {"type": "number", "minimum": 0, "maximum": 1},
                "ci_success_rate": {"type": "number", "minimum": 0, "maximum": 1},
                "pr_share_min": {"type": "number", "minimum": 0, "maximum": 1},
                "unit_share_min": {"type": "number", "minimum": 0, "maximum": 1},
            },
        },
        "window": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "period_days": {"type": "integer", "minimum": 1, "maximum": 3650},
                "audit_months": {"type": "integer", "minimum": 1, "maximum": 120},
            },
        },
        "kind": {"enum": ["gitops-estate", "product-source", "examples", "policy-library", "template"]},
        "paths": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "exclude": {"type": "array", "items": {"type": "string", "minLength": 1}},
                "include": {"type": "array", "items": {"type": "string", "minLength": 1}},
            },
        },
        "repository_urls": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "report": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "title": {"type": "string", "minLength": 1, "maxLength": 200},
                "organisation": {"type": "string", "minLength": 1, "maxLength": 200},
            },
        },
        "bots": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "checks": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "enable": {"type": "array", "items": {"type": "string"}, "minItems": 1},
                "disable": {"type": "array", "items": {"type": "string"}},
            },
        },
        "maturity": OVERRIDE_SCHEMA,
        "waivers": {
            "type": "array",
            "items": {
                "type": "object",
                "additionalProperties": False,
                "required": ["check", "reason", "owner", "expires"],
                "properties": {
                    "check": {"type": "string", "pattern": "^[a-z0-9]+(-[a-z0-9]+)*$"},
                    "scope": {"type": "string", "minLength": 1},
                    "reason": {"type": "string", "minLength": 10},
                    "owner": {"type": "string", "minLength": 1},
                    "expires": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                },
            },
        },
    },
}


class ConfigError(Exception):
    """The config file is invalid; the message names the file and the place."""


@dataclass(frozen=True)
class Waiver:
    """An accepted exception: a check (optionally limited to refs matching a glob), why, who owns it, until when."""

    check: str
    reason: str
    owner: str
    expires: date
    scope: str | None = None
    line: int | None = None

    def label(self) -> str:
        """How a waived finding shows who accepted it."""
        where = f" [{self.scope}]" if self.scope else ""
        return f"{self.reason} — {self.owner}, until {self.expires.isoformat()}{where}"


@dataclass(frozen=True)
class Config:
    """Settings from the policy file, with defaults for everything not set."""

    path: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    environments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    disabled_checks: frozenset[str] = frozenset()
    enabled_checks: frozenset[str] | None = None
    bots: tuple[str, ...] = ()
    waivers: tuple[Waiver, ...] = ()
    periods: PeriodDefaults = field(default_factory=PeriodDefaults)
    kind: str | None = None
    exclude_paths: tuple[str, ...] | None = None
    include_paths: tuple[str, ...] = ()
    repository_urls: tuple[str, ...] = ()
    maturity: dict[str, Any] | None = None  # changes applied to the packaged maturity model (validated)
    report_title: str | None = None
    report_organisation: str | None = None

    def runs(self, check_id: str) -> bool:
        """Whether a check is switched on by the policy file."""
        if self.enabled_checks is not None and check_id not in self.enabled_checks:
            return False
        return check_id not in self.disabled_checks


def load_config(explicit: str | None, repo_root: str | None, known_checks: frozenset[str] | None = None,
                today: date | None = None) -> Config:
    """Load `--config FILE`, else `.gitops-assess.yaml` in the repository root, else defaults.

    Unknown check ids and expired waivers are errors that name the line: a policy file must not rot silently."""
    path = Path(explicit) if explicit else (Path(repo_root, CONFIG_NAME) if repo_root else None)
    if path is None or (not explicit and not path.is_file()):
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    return parse_config(text, str(path), known_checks, today)


def parse_config(text: str, path: str, known_checks: frozenset[str] | None = None,
                 today: date | None = None) -> Config:
    """A policy file's text, validated and merged into defaults; `path` names it in errors and in the report."""
    try:
        documents = load_documents(text)
    except ValueError as exc:
        raise ConfigError(f"{path}: {exc}") from exc
    data = documents[0] if documents else None
    if data is None:
        return Config(path=str(path))
    errors = sorted(jsonschema.Draft202012Validator(CONFIG_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        line = _line_of(text, [str(p) for p in err.absolute_path])
        raise ConfigError(f"{path}{f':{line}' if line else ''}: {where}: {err.message}")
    checks = data.get("checks", {})
    if known_checks is not None:
        for key in ("enable", "disable"):
            for i, check_id in enumerate(checks.get(key, [])):
                if check_id not in known_checks:
                    line = _line_of(text, ["checks", key, str(i)])
                    raise ConfigError(f"{path}{f':{line}' if line else ''}: checks.{key}: unknown check "
                                      f"{check_id!r} (see `gitops-assess checks`)")
    _check_maturity(data.get("maturity"), text, path, known_checks)
    waivers = []
    for i, raw in enumerate(data.get("waivers", [])):
        line = _line_of(text, ["waivers", str(i)])
        where = f"{path}{f':{line}' if line else ''}"
        if known_checks is not None and raw["check"] not in known_checks:
            raise ConfigError(f"{where}: waiver for unknown check {raw['check']!r}")
        try:
            expires = date.fromisoformat(raw["expires"])
        except ValueError as exc:
            raise ConfigError(f"{where}: waivers.{i}.expires: {raw['expires']!r} is not a date") from exc
        if today is not None and expires < today:
            raise ConfigError(f"{where}: the waiver of {raw['check']} owned by {raw['owner']} expired on "
                              f"{expires.isoformat()}: renew it with a new reason, or fix the finding")
        waivers.append(Waiver(raw["check"], raw["reason"], raw["owner"], expires, raw.get("scope"), line))
    return Config(
        path=str(path),
        thresholds=Thresholds(**data.get("thresholds", {})),
        environments={k: tuple(v) for k, v in data.get("environments", {}).items()},
        disabled_checks=frozenset(checks.get("disable", [])),
        enabled_checks=frozenset(checks["enable"]) if "enable" in checks else None,
        bots=tuple(data.get("bots", [])),
        waivers=tuple(waivers),
        periods=PeriodDefaults(**{k: v for k, v in {
            "practice_days": data.get("window", {}).get("period_days"),
            "audit_months": data.get("window", {}).get("audit_months")}.items() if v is not None}),
        kind=data.get("kind"),
        exclude_paths=tuple(data["paths"]["exclude"]) if "exclude" in data.get("paths", {}) else None,
        include_paths=tuple(data.get("paths", {}).get("include", [])),
        maturity=data.get("maturity"),
        repository_urls=tuple(data.get("repository_urls", [])),
        report_title=data.get("report", {}).get("title"),
        report_organisation=data.get("report", {}).get("organisation"),
    )


def _check_maturity(override: dict[str, Any] | None, text: str, path: str, known_checks: frozenset[str] | None) -> None:
    """Every check id the `maturity:` key names exists, and the adapted model is whole (stages 0..N, each with a
    gate; new signals, failure modes and dimensions named): else an error with the line."""
    if not override:
        return
    for key_path, check_id in override_checks(override):
        if known_checks is not None and check_id not in known_checks:
            line = _line_of(text, ["maturity", *key_path])
            where = ".".join(key_path[:-1] if key_path[0] in ("gates", "progress") else key_path)
            raise ConfigError(f"{path}{f':{line}' if line else ''}: maturity.{where}: unknown check {check_id!r} "
                              "(see `gitops-assess checks`)")
    try:
        adapted(packaged(), override)
    except ModelError as exc:
        line = _line_of(text, ["maturity", *exc.path])
        where = ".".join(["maturity", *exc.path])
        raise ConfigError(f"{path}{f':{line}' if line else ''}: {where}: {exc}") from exc


def _line_of(text: str, key_path: list[str]) -> int | None:
    """Best-effort line of a key path, for error messages."""
    try:
        node = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for key in key_path:
        if isinstance(node, yaml.MappingNode):
            match = next(((k, v) for k, v in node.value if str(k.value) == key), None)
            if match is None:
                break
            line, node = match[0].start_mark.line + 1, match[1]
        elif isinstance(node, yaml.SequenceNode) and key.isdigit() and int(key) < len(node.value):
            node = node.value[int(key)]
            line = node.start_mark.line + 1
        else:
            break
    return line
