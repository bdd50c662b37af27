"""The maturity model as data: stage names and the checks that gate each stage, from the packaged
`maturity.yaml`, adapted by the policy file's `maturity:` key (rename a stage, move a check to another stage)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from assess.model.check import CheckSpec

MODEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "version", "stages"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "stages": {"type": "array", "minItems": 5, "maxItems": 5, "items": {
            "type": "object", "additionalProperties": False, "required": ["number", "name", "gates"],
            "properties": {"number": {"type": "integer", "minimum": 0, "maximum": 4},
                           "name": {"type": "string", "minLength": 1},
                           "gates": {"type": "array", "items": {"type": "string"}}}}},
    },
}
# The policy file's `maturity:` key.
OVERRIDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "stages": {"type": "object", "additionalProperties": False,
                   "patternProperties": {"^[0-4]$": {"type": "object", "additionalProperties": False,
                                                     "properties": {"name": {"type": "string", "minLength": 1}}}}},
        "gates": {"type": "object", "description": "check id -> the stage it gates (1-4), or 0 to gate none",
                  "additionalProperties": {"type": "integer", "minimum": 0, "maximum": 4}},
    },
}


class ModelError(ValueError):
    """The model or an override names a check that does not exist, or does not fit the schema."""


@dataclass(frozen=True)
class MaturityModel:
    """Stage names and gates, with what identifies the model a report was judged by."""

    name: str
    version: int
    stage_names: Mapping[int, str]
    gates: Mapping[str, int]  # check id -> the stage it gates
    adapted: bool = False

    @property
    def digest(self) -> str:
        """SHA-256 of the model's content, so two reports can tell whether they were judged alike."""
        content = json.dumps({"names": {str(k): v for k, v in self.stage_names.items()}, "gates": dict(self.gates)},
                             sort_keys=True)
        return hashlib.sha256(content.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The model as the report carries it."""
        return {"name": self.name, "version": self.version, "adapted": self.adapted, "digest": self.digest,
                "stages": {str(n): name for n, name in sorted(self.stage_names.items())},
                "gates": {check: stage for check, stage in sorted(self.gates.items())}}


@lru_cache(maxsize=4)
def seed_model(known: frozenset[str] | None = None) -> MaturityModel:
    """The packaged model (validated; its check ids against the catalog when given)."""
    data = yaml.safe_load(resources.files("assess.policy").joinpath("maturity.yaml").read_text(encoding="utf-8"))
    try:
        jsonschema.Draft202012Validator(MODEL_SCHEMA).validate(data)
    except jsonschema.ValidationError as exc:
        raise ModelError(f"maturity.yaml: {exc.message}") from exc
    gates = {check: stage["number"] for stage in data["stages"] for check in stage["gates"]}
    unknown = sorted(set(gates) - known) if known is not None else []
    if unknown:
        raise ModelError(f"maturity.yaml: unknown check(s) {', '.join(unknown)}")
    return MaturityModel(data["name"], data["version"], {s["number"]: s["name"] for s in data["stages"]}, gates)


def adapted(model: MaturityModel, override: Mapping[str, Any] | None) -> MaturityModel:
    """The model with the policy file's renames and moves applied (already validated by the config loader)."""
    if not override:
        return model
    names = dict(model.stage_names)
    for number, stage in (override.get("stages") or {}).items():
        if "name" in stage:
            names[int(number)] = stage["name"]
    gates = dict(model.gates)
    for check, stage in (override.get("gates") or {}).items():
        if stage == 0:
            gates.pop(check, None)
        else:
            gates[check] = stage
    return replace(model, stage_names=names, gates=gates, adapted=True)


def gated(specs: Sequence[CheckSpec], model: MaturityModel) -> list[CheckSpec]:
    """The check specs with the model's stages and gates: a gate of the model gates its stage, any other check
    keeps its own stage for partial credit but gates none."""
    out = []
    for spec in specs:
        stage = model.gates.get(spec.id)
        if stage is not None:
            out.append(replace(spec, stage=stage, gates_stage=True) if (spec.stage, spec.gates_stage) != (stage, True)
                       else spec)
        elif spec.gates_stage:
            out.append(replace(spec, gates_stage=False))
        else:
            out.append(spec)
    return out
