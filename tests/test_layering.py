"""The import direction that keeps the pipeline readable: pure steps never reach back to I/O or credentials."""

from __future__ import annotations

import ast
import inspect
from dataclasses import fields
from pathlib import Path

import pytest

from assess.evaluation.evaluate import evaluate
from assess.evaluation.scope import Scope

PACKAGE = Path(__file__).resolve().parents[1] / "assess"
# Parsers that read bytes already in memory: pure, though they live with the collectors.
PURE_COLLECTOR_MODULES = frozenset({"assess.collectors.yaml_docs", "assess.collectors.redaction"})
IO_AND_CREDENTIALS = frozenset({"assess.collectors", "assess.engine", "assess.cli", "assess.scans",
                                "assess.settings"})
FORBIDDEN: dict[str, frozenset[str]] = {
    "model": IO_AND_CREDENTIALS | {"assess.derive", "assess.checks", "assess.evaluation", "assess.reporters",
                                   "assess.reports", "assess.policy", "assess.metrics"},
    "derive": IO_AND_CREDENTIALS | {"assess.checks", "assess.evaluation", "assess.reporters", "assess.reports"},
    "metrics": IO_AND_CREDENTIALS | {"assess.checks", "assess.evaluation", "assess.reporters", "assess.reports"},
    "checks": IO_AND_CREDENTIALS | {"assess.evaluation", "assess.reporters", "assess.reports"},
    "evaluation": IO_AND_CREDENTIALS | {"assess.reporters", "assess.reports"},
    "reporters": IO_AND_CREDENTIALS | {"assess.checks", "assess.evaluation"},
    "reports": IO_AND_CREDENTIALS | {"assess.checks", "assess.evaluation"},
}


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out.extend((node.lineno, alias.name) for alias in node.names)
    return out


def _violations(package: str) -> list[str]:
    forbidden = FORBIDDEN[package]
    found = []
    for path in sorted((PACKAGE / package).rglob("*.py")):
        for line, module in _imports(path):
            if module in PURE_COLLECTOR_MODULES:
                continue
            if any(module == f or module.startswith(f + ".") for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {module}")
    return found


@pytest.mark.parametrize("package", sorted(FORBIDDEN))
def test_pure_packages_do_not_import_io_or_credentials(package: str) -> None:
    assert _violations(package) == []


def test_the_rule_sees_a_violation(tmp_path: Path) -> None:
    """The walker finds both import forms (so the rule above cannot pass by reading nothing)."""
    source = tmp_path / "m.py"
    source.write_text("import assess.engine\nfrom assess.settings import Settings\n", encoding="utf-8")
    assert [m for _, m in _imports(source)] == ["assess.engine", "assess.settings"]
    assert len(list((PACKAGE / "evaluation").rglob("*.py"))) >= 2


def test_evaluation_is_given_no_credentials() -> None:
    """`evaluate` takes the evidence, the policy, the model and a scope of names and periods: no token, no URL."""
    assert list(inspect.signature(evaluate).parameters) == ["bundle", "config", "model", "scope", "catalog"]
    assert not [f.name for f in fields(Scope) if any(w in f.name for w in ("token", "url", "password", "kubeconfig"))]
