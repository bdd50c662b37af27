"""The maturity model as data: stages and the checks that gate them or count toward their progress, readiness
signals, premature rules, failure modes with their mitigations and the DevOps-vs-GitOps dimensions, from the packaged
`maturity.yaml`, adapted by the policy file's `maturity:` key (rename, move, add and remove).

Which wins: where the model names a check (in a stage, a signal or a failure mode), the model does; a check it does
not name keeps the defaults of its own spec (`stage`, `gates_stage`, `signals`, `failure_modes`), so a new check
needs only its module. `seed_model(specs)` folds those defaults in, `gated` writes the result back into the specs."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from importlib import resources
from typing import Any

import jsonschema
import yaml

from assess.model.check import CheckSpec
from assess.model.report import ModelDimension, ModelFailureMode, ModelPrematureRule

_CHECKS = {"type": "array", "items": {"type": "string", "minLength": 1}}
_STAGE = {"type": "integer", "minimum": 0, "maximum": 99}
MODEL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "version", "stages", "signals", "premature", "failure_modes", "dimensions"],
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "version": {"type": "integer", "minimum": 1},
        "stages": {"type": "array", "minItems": 2, "items": {
            "type": "object", "additionalProperties": False, "required": ["number", "name", "gates"],
            "properties": {"number": _STAGE, "name": {"type": "string", "minLength": 1}, "gates": _CHECKS,
                           "progress": _CHECKS}}},
        "signals": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "name", "checks"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                           "checks": _CHECKS, "evidence": _CHECKS, "caveat_only": _CHECKS,
                           "unknown": {"type": "string", "minLength": 1}}}},
        "premature": {"type": "array", "items": {"oneOf": [
            {"type": "object", "additionalProperties": False, "required": ["rule"],
             "properties": {"rule": {"const": "team-size"}}},
            {"type": "object", "additionalProperties": False, "required": ["rule", "at_most_per_week"],
             "properties": {"rule": {"const": "deploy-cadence"}, "at_most_per_week": {"type": "number", "minimum": 0}}},
            {"type": "object", "additionalProperties": False, "required": ["rule", "check", "reason"],
             "properties": {"rule": {"const": "check"}, "check": {"type": "string"},
                            "reason": {"type": "string", "minLength": 1}}}]}},
        "failure_modes": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "name", "mitigations"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                           "mitigations": _CHECKS}}},
        "dimensions": {"type": "array", "items": {
            "type": "object", "additionalProperties": False, "required": ["id", "name", "checks"],
            "properties": {"id": {"type": "string", "minLength": 1}, "name": {"type": "string", "minLength": 1},
                           "checks": {**_CHECKS, "minItems": 1}}}},
    },
}
_NAMED = {"type": "string", "minLength": 1}
# The policy file's `maturity:` key.
OVERRIDE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "name": _NAMED,
        "stages": {"type": "object", "propertyNames": {"pattern": "^(0|[1-9][0-9]?)$"},
                   "description": "stage number -> a new name, or remove: true (the stages stay numbered 0..N)",
                   "additionalProperties": {"type": "object", "additionalProperties": False, "minProperties": 1,
                                            "properties": {"name": _NAMED, "remove": {"const": True}}}},
        "gates": {"type": "object", "description": "check id -> the stage it gates, or 0 to gate none",
                  "additionalProperties": _STAGE},
        "progress": {"type": "object", "description": "check id -> the stage whose progress it counts toward (no "
                     "gate), or 0 for none", "additionalProperties": _STAGE},
        "signals": {"type": "object", "description": "signal id -> name, checks added (a new signal needs both), "
                    "checks dropped, or remove: true",
                    "additionalProperties": {"type": "object", "additionalProperties": False, "properties": {
                        "name": _NAMED, "checks": _CHECKS, "evidence": _CHECKS, "caveat_only": _CHECKS,
                        "unknown": _NAMED, "drop": _CHECKS, "remove": {"const": True}}}},
        "failure_modes": {"type": "object", "description": "failure mode id -> name, mitigations added or dropped, "
                          "or remove: true",
                          "additionalProperties": {"type": "object", "additionalProperties": False, "properties": {
                              "name": _NAMED, "mitigations": _CHECKS, "drop": _CHECKS, "remove": {"const": True}}}},
        "dimensions": {"type": "object", "description": "dimension id -> name, the checks (they replace the "
                       "model's; the first is decisive)",
                       "additionalProperties": {"type": "object", "additionalProperties": False, "properties": {
                           "name": _NAMED, "checks": {**_CHECKS, "minItems": 1}}}},
        "premature": {"type": "array", "description": "more rules (GitOps is premature when this check fails), or "
                      "drop: a rule of the model (team-size, deploy-cadence, or the check a rule names)",
                      "items": {"oneOf": [
                          {"type": "object", "additionalProperties": False, "required": ["check", "reason"],
                           "properties": {"check": _NAMED, "reason": _NAMED}},
                          {"type": "object", "additionalProperties": False, "required": ["drop"],
                           "properties": {"drop": _NAMED}}]}},
    },
}
# The parts of the model a report carries only when they differ from the packaged model (so that the report of the
# packaged model stays as it was, and its digest too).
PARTS = ("progress", "signals", "failure_modes", "dimensions", "premature")
GENERIC_UNKNOWN = "Not verified: no evidence observed for this signal."


class ModelError(ValueError):
    """The model or an override names a check that does not exist, or does not fit the schema or itself."""

    def __init__(self, message: str, path: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.path = tuple(path)  # where in the override, for the policy file's line


@dataclass(frozen=True)
class SignalDef:
    """A readiness signal: the checks that feed it, those whose evidence it needs, those that only qualify it."""

    id: str
    name: str
    checks: tuple[str, ...]
    evidence: tuple[str, ...] = ()  # empty: any feeding check's outcome will do
    caveat_only: tuple[str, ...] = ()
    unknown: str = GENERIC_UNKNOWN  # the verdict's reason when the evidence it needs was not observed


@dataclass(frozen=True)
class MaturityModel:
    """The whole model, with what identifies the model a report was judged by."""

    name: str
    version: int
    stage_names: Mapping[int, str]
    gates: Mapping[str, int]  # check id -> the stage it gates
    progress: Mapping[str, int] = field(default_factory=dict)  # check id -> stage it counts toward; 0: none
    signals: tuple[SignalDef, ...] = ()
    failure_modes: tuple[ModelFailureMode, ...] = ()
    dimensions: tuple[ModelDimension, ...] = ()
    premature: tuple[ModelPrematureRule, ...] = ()
    adapted: bool = False

    @property
    def last(self) -> int:
        """The highest stage."""
        return max(self.stage_names)

    def stage_of(self, check: str) -> tuple[int | None, bool] | None:
        """The stage a check counts toward and whether it gates it; None when the model does not name it."""
        if check in self.gates:
            return self.gates[check], True
        if check in self.progress:
            return self.progress[check] or None, False
        return None

    def failure_mode_names(self) -> dict[str, str]:
        """Failure-mode id -> name."""
        return {fm.id: fm.name for fm in self.failure_modes}

    def signal_names(self) -> dict[str, str]:
        """Signal id -> name."""
        return {s.id: s.name for s in self.signals}

    def part(self, name: str) -> Any:
        """One part of the model as plain data."""
        if name == "progress":
            return {check: stage for check, stage in sorted(self.progress.items())}
        if name == "signals":
            return [{"id": s.id, "name": s.name, "checks": sorted(s.checks), "evidence": list(s.evidence),
                     "caveat_only": list(s.caveat_only), "unknown": s.unknown} for s in self.signals]
        if name == "failure_modes":
            return [{"id": f.id, "name": f.name, "mitigations": sorted(f.mitigations)} for f in self.failure_modes]
        if name == "dimensions":
            return [{"id": d.id, "name": d.name, "checks": list(d.checks)} for d in self.dimensions]
        if name == "premature":
            return [{k: v for k, v in (("rule", r.rule), ("check", r.check), ("reason", r.reason),
                                       ("at_most_per_week", r.at_most_per_week)) if v is not None}
                    for r in self.premature]
        raise KeyError(name)

    def carried(self) -> dict[str, Any]:
        """The parts that differ from the packaged model."""
        base = packaged()
        return {name: self.part(name) for name in PARTS if self.part(name) != base.part(name)}

    @property
    def digest(self) -> str:
        """SHA-256 of the model's content, so two reports can tell whether they were judged alike."""
        content = json.dumps({"names": {str(k): v for k, v in self.stage_names.items()}, "gates": dict(self.gates),
                              **self.carried()}, sort_keys=True)
        return hashlib.sha256(content.encode()).hexdigest()

    def to_json(self) -> dict[str, Any]:
        """The model as the report carries it: stage names and gates always, other parts where they differ from the
        packaged model's (a report without them was judged by the packaged ones)."""
        return {"name": self.name, "version": self.version, "adapted": self.adapted, "digest": self.digest,
                "stages": {str(n): name for n, name in sorted(self.stage_names.items())},
                "gates": {check: stage for check, stage in sorted(self.gates.items())}, **self.carried()}


def _model(data: Mapping[str, Any]) -> MaturityModel:
    """A model from its validated plain form."""
    return MaturityModel(
        data["name"], data["version"], {s["number"]: s["name"] for s in data["stages"]},
        {check: stage["number"] for stage in data["stages"] for check in stage["gates"]},
        {check: stage["number"] for stage in data["stages"] for check in stage.get("progress", [])},
        tuple(SignalDef(s["id"], s["name"], tuple(s["checks"]), tuple(s.get("evidence", ())),
                        tuple(s.get("caveat_only", ())), s.get("unknown", GENERIC_UNKNOWN)) for s in data["signals"]),
        tuple(ModelFailureMode(f["id"], f["name"], tuple(f["mitigations"])) for f in data["failure_modes"]),
        tuple(ModelDimension(d["id"], d["name"], tuple(d["checks"])) for d in data["dimensions"]),
        tuple(ModelPrematureRule(r["rule"], r.get("check"), r.get("reason"), r.get("at_most_per_week"))
              for r in data["premature"]))


def model_checks(model: MaturityModel) -> Iterator[tuple[str, str]]:
    """Every check id the model names, with where."""
    for check, stage in model.gates.items():
        yield f"stage {stage} gates", check
    for check, stage in model.progress.items():
        yield f"stage {stage} progress", check
    for s in model.signals:
        for check in (*s.checks, *s.evidence, *s.caveat_only):
            yield f"signal {s.id}", check
    for f in model.failure_modes:
        for check in f.mitigations:
            yield f"failure mode {f.id}", check
    for d in model.dimensions:
        for check in d.checks:
            yield f"dimension {d.id}", check
    for r in model.premature:
        if r.check:
            yield "premature rule", r.check


@lru_cache(maxsize=1)
def packaged() -> MaturityModel:
    """The packaged model as written (validated against its schema and itself, not against the catalog)."""
    data = yaml.safe_load(resources.files("assess.policy").joinpath("maturity.yaml").read_text(encoding="utf-8"))
    try:
        jsonschema.Draft202012Validator(MODEL_SCHEMA).validate(data)
    except jsonschema.ValidationError as exc:
        raise ModelError(f"maturity.yaml: {exc.message}") from exc
    model = _model(data)
    numbers = [s["number"] for s in data["stages"]]
    if numbers != list(range(len(numbers))):
        raise ModelError("maturity.yaml: stages must be numbered 0, 1, 2, … in order")
    try:
        _check_structure(model)
    except ModelError as exc:
        raise ModelError(f"maturity.yaml: {exc}") from exc
    return model


@lru_cache(maxsize=4)
def seed_model(specs: tuple[CheckSpec, ...] | frozenset[str] = ()) -> MaturityModel:
    """The packaged model, its check ids validated against the catalog (its specs, or only their ids) when given,
    and the defaults of the specs it does not name folded in (a new check's own stage, gate, signals and failure
    modes)."""
    model = packaged()
    if not specs:
        return model
    known = {s if isinstance(s, str) else s.id for s in specs}
    unknown = sorted({check for _, check in model_checks(model)} - known)
    if unknown:
        raise ModelError(f"maturity.yaml: unknown check(s) {', '.join(unknown)}")
    specs = tuple(s for s in specs if not isinstance(s, str))
    gates, progress = dict(model.gates), dict(model.progress)
    named_signals = {c for s in model.signals for c in s.checks}
    named_fms = {c for f in model.failure_modes for c in f.mitigations}
    signals, fms = list(model.signals), list(model.failure_modes)
    for spec in specs:
        if spec.id not in gates and spec.id not in progress and spec.stage is not None and spec.stage <= model.last:
            (gates if spec.gates_stage else progress)[spec.id] = spec.stage
        if spec.id not in named_signals:
            signals = [replace(s, checks=(*s.checks, spec.id)) if s.id in spec.signals else s for s in signals]
        if spec.id not in named_fms:
            fms = [replace(f, mitigations=(*f.mitigations, spec.id)) if f.id in spec.failure_modes else f
                   for f in fms]
    return replace(model, gates=gates, progress=progress, signals=tuple(signals), failure_modes=tuple(fms))


def override_checks(override: Mapping[str, Any]) -> Iterator[tuple[list[str], str]]:
    """Every check id a `maturity:` override names, with its key path (for the policy file's line)."""
    for key in ("gates", "progress"):
        for check in override.get(key) or {}:
            yield [key, check], check
    for key, lists in (("signals", ("checks", "evidence", "caveat_only", "drop")),
                       ("failure_modes", ("mitigations", "drop")), ("dimensions", ("checks",))):
        for item_id, item in (override.get(key) or {}).items():
            for part in lists:
                for i, check in enumerate(item.get(part) or []):
                    yield [key, item_id, part, str(i)], check
    for i, rule in enumerate(override.get("premature") or []):
        if "check" in rule:
            yield ["premature", str(i), "check"], rule["check"]


def _merged(old: tuple[str, ...], added: Sequence[str] | None, dropped: Sequence[str] | None = None
            ) -> tuple[str, ...]:
    return tuple(c for c in dict.fromkeys((*old, *(added or ()))) if c not in set(dropped or ()))


def adapted(model: MaturityModel, override: Mapping[str, Any] | None) -> MaturityModel:
    """The model with the policy file's changes applied (schema and check ids already validated by the config
    loader); a change that leaves the model inconsistent raises ModelError with its key path."""
    if not override:
        return model
    names = dict(model.stage_names)
    for key, stage in (override.get("stages") or {}).items():
        number = int(key)
        if stage.get("remove"):
            if number == 0:
                raise ModelError("stage 0 cannot be removed", ["stages", key])
            if number not in names:
                raise ModelError(f"stage {number} does not exist", ["stages", key])
            del names[number]
        elif "name" in stage:
            names[number] = stage["name"]
    if sorted(names) != list(range(max(names) + 1)):
        gap = min(set(range(max(names) + 1)) - set(names))
        key = next(k for k, v in sorted((override.get("stages") or {}).items(), key=lambda i: int(i[0]))
                   if int(k) == gap or (int(k) > gap and not v.get("remove")))
        raise ModelError(f"stages must stay numbered 0 to N without gaps: stage {gap} would be missing (drop a stage "
                         "only with every stage above it; add a stage right after the last)", ["stages", key])
    last = max(names)
    gates = {c: s for c, s in model.gates.items() if s <= last}
    progress = {c: (s if s <= last else 0) for c, s in model.progress.items()}
    progress.update({c: 0 for c, s in model.gates.items() if s > last})
    for key in ("gates", "progress"):
        for check, stage in (override.get(key) or {}).items():
            if stage > last:
                raise ModelError(f"stage {stage} does not exist (the model has stages 0-{last})", [key, check])
            former = gates.pop(check, None)
            if key == "gates" and stage:
                progress.pop(check, None)
                gates[check] = stage
            else:  # gating none keeps the stage for progress
                progress[check] = stage if key == "progress" else (former or progress.get(check, 0))
    signals = {s.id: s for s in model.signals}
    for sid, given in (override.get("signals") or {}).items():
        old = signals.get(sid)
        if given.get("remove"):
            if old is None:
                raise ModelError(f"signal {sid} does not exist", ["signals", sid])
            del signals[sid]
            continue
        if old is None:
            if "name" not in given or not given.get("checks"):
                raise ModelError(f"signal {sid} is new: give it a name and checks", ["signals", sid])
            old = SignalDef(sid, given["name"], ())
        drop = given.get("drop")
        signals[sid] = replace(old, name=given.get("name", old.name),
                               checks=_merged(old.checks, given.get("checks"), drop),
                               evidence=_merged(old.evidence, given.get("evidence"), drop),
                               caveat_only=_merged(old.caveat_only, given.get("caveat_only"), drop),
                               unknown=given.get("unknown", old.unknown))
        if not signals[sid].checks:
            raise ModelError(f"signal {sid} would have no checks left: remove it with remove: true", ["signals", sid])
    fms = {f.id: f for f in model.failure_modes}
    for fid, given in (override.get("failure_modes") or {}).items():
        old_fm = fms.get(fid)
        if given.get("remove"):
            if old_fm is None:
                raise ModelError(f"failure mode {fid} does not exist", ["failure_modes", fid])
            del fms[fid]
            continue
        if old_fm is None:
            if "name" not in given or not given.get("mitigations"):
                raise ModelError(f"failure mode {fid} is new: give it a name and mitigations", ["failure_modes", fid])
            old_fm = ModelFailureMode(fid, given["name"], ())
        fms[fid] = replace(old_fm, name=given.get("name", old_fm.name),
                           mitigations=_merged(old_fm.mitigations, given.get("mitigations"), given.get("drop")))
    dims = {d.id: d for d in model.dimensions}
    for did, given in (override.get("dimensions") or {}).items():
        old_dim = dims.get(did)
        if old_dim is None and ("name" not in given or "checks" not in given):
            raise ModelError(f"dimension {did} is new: give it a name and checks", ["dimensions", did])
        base = old_dim or ModelDimension(did, given["name"], ())
        dims[did] = replace(base, name=given.get("name", base.name), checks=tuple(given.get("checks", base.checks)))
    premature = model.premature
    for i, r in enumerate(override.get("premature") or []):
        if "drop" in r:
            kept = tuple(p for p in premature if r["drop"] not in (p.rule, p.check))
            if kept == premature:
                raise ModelError(f"no premature rule {r['drop']!r} to drop (team-size, deploy-cadence, or the check "
                                 "a rule names)", ["premature", str(i)])
            premature = kept
        else:
            premature += (ModelPrematureRule("check", r["check"], r["reason"]),)
    out = replace(model, name=override.get("name", model.name), stage_names=names, gates=gates, progress=progress,
                  signals=tuple(signals.values()), failure_modes=tuple(fms.values()),
                  dimensions=tuple(dims.values()), premature=premature, adapted=True)
    _check_structure(out, override)
    return out


def _check_structure(model: MaturityModel, override: Mapping[str, Any] | None = None) -> None:
    """Every stage above 0 has a gate (else it could never be reached); a signal needs evidence it is fed by."""
    for number in range(1, model.last + 1):
        if number not in model.gates.values():
            path = ["stages", str(number)] if str(number) in ((override or {}).get("stages") or {}) else ["gates"]
            raise ModelError(f"stage {number} ({model.stage_names[number]}) has no gating check, so it could "
                             "never be reached: name one under gates", path)
    for s in model.signals:
        stray = [c for c in (*s.evidence, *s.caveat_only) if c not in s.checks]
        if stray:
            raise ModelError(f"signal {s.id}: {', '.join(stray)} must also be among its checks", ["signals", s.id])


def gated(specs: Sequence[CheckSpec], model: MaturityModel) -> list[CheckSpec]:
    """The check specs with the model's stage, gate, signals and failure modes wherever the model names the check;
    a check it does not name keeps its spec's own (above the model's last stage: none)."""
    signal_of: dict[str, list[str]] = {}
    for s in model.signals:
        for check in s.checks:
            signal_of.setdefault(check, []).append(s.id)
    fm_of: dict[str, list[str]] = {}
    for f in model.failure_modes:
        for check in f.mitigations:
            fm_of.setdefault(check, []).append(f.id)
    out = []
    for spec in specs:
        placed = model.stage_of(spec.id)
        if placed is None:
            stage = spec.stage if spec.stage is not None and spec.stage <= model.last else None
            placed = (stage, spec.gates_stage and stage is not None)
        signals = _keep_order(spec.signals, signal_of.get(spec.id, ()))
        fms = _keep_order(spec.failure_modes, fm_of.get(spec.id, ()))
        if (spec.stage, spec.gates_stage, spec.signals, spec.failure_modes) != (*placed, signals, fms):
            spec = replace(spec, stage=placed[0], gates_stage=placed[1], signals=signals, failure_modes=fms)
        out.append(spec)
    return out


def _keep_order(own: tuple[str, ...], model: Sequence[str]) -> tuple[str, ...]:
    """The model's ids, in the spec's order when they are the same ones (the report lists them as before)."""
    return own if set(own) == set(model) else tuple(model)
