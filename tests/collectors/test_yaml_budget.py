"""YAML node budgets: alias expansion is counted before anything is built, per file and per run."""

from __future__ import annotations

import json
from pathlib import Path

from assess.collectors.yaml_docs import MAX_RUN_EXPANSION, NodeBudget, load_documents, parse_yaml
from assess.model.evidence import FileProblem
from tests.bounded import run_bounded
from tests.conftest import make_repo


def laughs(documents: int, tag: str = "") -> str:
    """Documents that each expand to ~177k nodes, just under the per-document guard (200k), in ~350 bytes."""
    out = []
    for i in range(documents):
        name = f"{tag}{i}"
        lines = [f"a{name}: &a{name} [" + ",".join(["x"] * 11) + "]"]
        prev = f"a{name}"
        for level in range(1, 5):
            cur = f"l{level}_{name}"
            lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 11) + "]")
            prev = cur
        out.append("\n".join(lines))
    return "\n---\n".join(out) + "\n"


def test_a_small_file_of_documents_under_the_guard_is_stopped_by_the_file_budget() -> None:
    text = laughs(100)
    assert len(text) < 40_000  # the 33 KB file: 24 s and 812 MB before the file budget
    code = ("import sys; from assess.collectors.yaml_docs import parse_yaml\n"
            "p = parse_yaml('bomb.yaml', open(sys.argv[1]).read())\n"
            "print(len(p.docs), p.problem.kind.value, p.problem.detail)\n")
    path = Path("/tmp") / f"gitops-assess-bomb-{id(text)}.yaml"
    path.write_text(text)
    try:
        done = run_bounded(code, memory_mb=300, seconds=20, args=(str(path),))
    finally:
        path.unlink()
    assert done.returncode == 0, done.stderr[-2000:]
    count, kind, detail = done.stdout.strip().split(" ", 2)
    assert kind == FileProblem.ALIAS_BOMB.value and "2,000,000 nodes" in detail
    assert int(count) < 100  # the documents before the budget ran out are kept
    assert done.seconds < 10


def test_copies_of_a_body_never_grow_past_what_was_counted() -> None:
    parsed = parse_yaml("one.yaml", laughs(1))
    assert parsed.problem is None
    body = parsed.docs[0].body
    assert body is not None
    # the body is a plain JSON-ready copy: every alias expanded, and that expansion was what the guard counted
    assert len(json.dumps(body)) > 177_000 * 3


def test_the_run_budget_is_shared_by_every_file_and_refuses_the_rest() -> None:
    budget = NodeBudget()
    results = [parse_yaml(f"f{i}.yaml", laughs(10, tag=f"f{i}_"), budget=budget) for i in range(6)]
    kinds = [r.problem.kind if r.problem else None for r in results]
    assert kinds[:2] == [None, None]
    assert kinds[2:] == [FileProblem.NODE_BUDGET] * 4
    assert budget.used <= MAX_RUN_EXPANSION and budget.refused == 4
    assert "budget of 5,000,000 alias-expanded YAML nodes is spent" in (results[-1].problem.detail or "")
    # a file without aliases costs the run budget nothing and is still read
    assert parse_yaml("plain.yaml", "kind: ConfigMap\n", budget=budget).problem is None


def test_a_scan_of_a_repository_full_of_bombs_is_bounded_and_says_it_is_partial(tmp_path: Path) -> None:
    repo = make_repo(tmp_path / "bombs", {f"deploy/b{i:02}.yaml": laughs(10, tag=f"b{i}_") for i in range(16)})
    code = ("import sys; from assess.cli import cli\n"
            "cli(['scan', sys.argv[1], '-f', 'json', '--no-github', '--no-history', '-q'])\n")
    done = run_bounded(code, memory_mb=700, seconds=120, args=(str(repo),))
    assert done.returncode == 0, done.stderr[-2000:]
    report = json.loads(done.stdout)
    detail = report["sources"]["git"]["detail"]
    assert "partially observed: 14 files not fully read, over the YAML node budget" in detail
    assert done.seconds < 60


def test_documents_read_whole_bound_what_aliases_add() -> None:
    assert load_documents("a: &a [1, 2]\nb: *a\n") == [{"a": [1, 2], "b": [1, 2]}]
    try:
        load_documents(laughs(10))
    except ValueError as exc:
        assert "alias bomb" in str(exc)
    else:
        raise AssertionError("ten documents of 177k nodes each must exceed the 1M expansion budget")
