"""The check catalog: coverage of the model, unique ids, no side effects on import."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from assess.checks.catalog import CatalogError, load_catalog
from assess.model.check import FailureMode, Signal

CATALOG = load_catalog()


def test_at_least_twenty_checks_covering_stages_signals_and_failure_modes() -> None:
    specs = [c.spec for c in CATALOG]
    assert len(specs) >= 20
    assert {s.stage for s in specs if s.gates_stage} == {1, 2, 3, 4}
    assert {sig for s in specs for sig in s.signals} == set(Signal)
    assert {fm for s in specs for fm in s.failure_modes} == set(FailureMode)


def test_every_spec_is_self_documenting() -> None:
    for check in CATALOG:
        s = check.spec
        assert s.title and s.rationale and s.remediation, s.id
        assert check.run.__doc__, f"{s.id}: the check function needs a docstring"


def test_duplicate_ids_are_rejected(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    pkg = tmp_path / "dupchecks"
    pkg.mkdir()
    (pkg / "__init__.py").write_text("")
    body = textwrap.dedent("""
        from assess.checks.catalog import Check
        from assess.model.check import CheckSpec, Principle
        from assess.model.finding import Severity
        CHECK = Check(CheckSpec(id="same-id", title="t", principle=Principle.DECLARATIVE, severity=Severity.LOW,
                                rationale="r", remediation="x"), lambda ctx: None)
    """)
    (pkg / "a.py").write_text(body)
    (pkg / "b.py").write_text(body)
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(CatalogError, match="duplicate check id 'same-id'"):
        load_catalog("dupchecks")


def test_loading_the_catalog_has_no_side_effects() -> None:
    """No file other than Python source is opened and no process or socket is started while loading."""
    probe = textwrap.dedent("""
        import sys
        events = []
        def hook(event, args):
            if event == "open" and isinstance(args[0], str) and not args[0].endswith((".py", ".pyc", ".so")) \\
                    and "site-packages" not in args[0] and not args[0].endswith(("__pycache__",)):
                events.append((event, args[0]))
            elif event in ("subprocess.Popen", "socket.connect", "os.system"):
                events.append((event, str(args[0])))
        sys.addaudithook(hook)
        from assess.checks.catalog import load_catalog
        load_catalog()
        print(events)
    """)
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                         cwd=Path(__file__).resolve().parents[1])
    assert out.stdout.strip() == "[]", out.stdout


def test_the_check_reference_is_current_and_has_every_anchor_reports_link_to() -> None:
    """docs/checks.md is what `checks --format md` prints, so a new check cannot ship without its section, and the
    SARIF help links (`docs/checks.md#check-<id>`) all land."""
    from assess.reporters.check_reference import render

    root = Path(__file__).resolve().parents[1]
    specs = [c.spec for c in load_catalog()]
    written = (root / "docs" / "checks.md").read_text(encoding="utf-8")
    assert written == render(specs), "docs/checks.md is stale: run `gitops-assess checks --format md > docs/checks.md`"
    for spec in specs:
        assert f'<a id="{spec.docs_anchor.lstrip("#")}"></a>' in written
