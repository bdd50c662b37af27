"""The check catalog: discovers CHECK objects in this package, rejecting duplicate ids."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass

from assess.model.check import CheckResult, CheckSpec
from assess.model.context import CheckContext

CheckFunction = Callable[[CheckContext], CheckResult]


@dataclass(frozen=True)
class Check:
    """A check: its specification and the pure function that evaluates it."""

    spec: CheckSpec
    run: CheckFunction


class CatalogError(Exception):
    """The catalog is inconsistent (e.g. two checks share an id)."""


def load_catalog(package: str = "assess.checks") -> tuple[Check, ...]:
    """Import every check module of the package and collect its CHECK (or CHECKS), ordered by stage then id."""
    pkg = importlib.import_module(package)
    found: dict[str, Check] = {}
    for info in pkgutil.iter_modules(pkg.__path__):
        if info.name.startswith("_") or info.name in ("catalog", "runner"):
            continue
        module = importlib.import_module(f"{package}.{info.name}")
        # One CHECK per module, or CHECKS for a table of near-identical checks (one row each).
        checks = getattr(module, "CHECKS", None) or (getattr(module, "CHECK", None),)
        for check in checks:
            if not isinstance(check, Check):
                raise CatalogError(f"{package}.{info.name} declares no CHECK")
            if check.spec.id in found:
                raise CatalogError(f"duplicate check id {check.spec.id!r} in {package}.{info.name}")
            found[check.spec.id] = check
    return tuple(sorted(found.values(), key=lambda c: (c.spec.stage or 9, c.spec.id)))


def find_check(catalog: tuple[Check, ...], check_id: str) -> Check | None:
    """The check with this id, if any."""
    return next((c for c in catalog if c.spec.id == check_id), None)
