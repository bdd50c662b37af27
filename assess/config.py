"""The `.gitops-assess.yaml` policy file: loaded, validated against a JSON Schema, merged into defaults."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from assess.model.context import Thresholds

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
            },
        },
        "bots": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "checks": {
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "disable": {"type": "array", "items": {"type": "string"}},
            },
        },
    },
}


class ConfigError(Exception):
    """The config file is invalid; the message names the file and the place."""


@dataclass(frozen=True)
class Config:
    """Settings from the policy file, with defaults for everything not set."""

    path: str | None = None
    thresholds: Thresholds = field(default_factory=Thresholds)
    environments: dict[str, tuple[str, ...]] = field(default_factory=dict)
    disabled_checks: frozenset[str] = frozenset()
    bots: tuple[str, ...] = ()


def load_config(explicit: str | None, repo_root: str | None) -> Config:
    """Load `--config FILE`, else `.gitops-assess.yaml` in the repository root, else defaults."""
    path = Path(explicit) if explicit else (Path(repo_root, CONFIG_NAME) if repo_root else None)
    if path is None or (not explicit and not path.is_file()):
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read ({exc.strerror})") from exc
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text") from exc
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {getattr(exc, 'problem', exc)}") from exc
    if data is None:
        return Config(path=str(path))
    errors = sorted(jsonschema.Draft202012Validator(CONFIG_SCHEMA).iter_errors(data), key=lambda e: list(e.path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "(top level)"
        line = _line_of(text, [str(p) for p in err.absolute_path])
        raise ConfigError(f"{path}{f':{line}' if line else ''}: {where}: {err.message}")
    return Config(
        path=str(path),
        thresholds=Thresholds(**data.get("thresholds", {})),
        environments={k: tuple(v) for k, v in data.get("environments", {}).items()},
        disabled_checks=frozenset(data.get("checks", {}).get("disable", [])),
        bots=tuple(data.get("bots", [])),
    )


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
