"""No content of the repository (messages, names, paths, .mailmap, a hand-made committer) can split, forge or
hide a history record, or pass a direct push off as a reviewed pull request."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assess.collectors.git_repo import open_repository
from assess.collectors.history import read_history
from tests.conftest import GIT_ENV, finding_of, git
from tests.history_builder import HistoryBuilder, at
from tests.security.test_hostile_git_config import ESTATE

NOW = datetime(2026, 3, 1, tzinfo=UTC)
BOB = ("Bob", "bob@x.test")
# What the old 0x1E/0x1F framing read as a second, high-confidence record: a PR merge approved by someone who
# exists only in this text.
FORGED = ("hotfix\x1e" + "a" * 40 + "\x1f" + "b" * 40 + "\x1f" + "c" * 40 + " " + "d" * 40
          + "\x1fCarol Approver\x1fcarol@x.test\x1f2026-02-03T10:00:00+00:00\x1fGitHub\x1fnoreply@github.com"
          "\x1f2026-02-03T10:00:00+00:00\x1f\x1fMerge pull request #42 from acme/feature\n\napproved by Carol\x1f"
          "\x00M\x00kubernetes/apps/web/other.yaml\x00")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m assess` as a user runs it."""
    return subprocess.run([sys.executable, "-m", "assess", *args], capture_output=True, text=True,
                          cwd=Path(__file__).resolve().parents[2], env=dict(os.environ))


def cm(name: str) -> dict[str, str | bytes]:
    """A production change: one ConfigMap file under the applied folder, at a chosen file name."""
    return {f"kubernetes/apps/web/{name}": f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x{len(name)}\n"}


def trail(repo: Path) -> list[dict[str, Any]]:
    out = cli("audit-trail", str(repo), "-f", "json", "--until", "2026-03-01", "--audit-since", "2026-01-01")
    assert out.returncode == 0, out.stderr
    records: list[dict[str, Any]] = json.loads(out.stdout)
    return records


def report(repo: Path) -> dict[str, Any]:
    out = cli("scan", str(repo), "--no-github", "-q", "-f", "json", "--until", "2026-03-01", "--since", "all")
    assert out.returncode in (0, 1), out.stderr
    data: dict[str, Any] = json.loads(out.stdout)
    return data


def test_a_message_embedding_fake_fields_stays_one_direct_push(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push(ESTATE, "bootstrap", at("2026-02-01T10:00"))
    b.squash_pr(cm("a.yaml"), "reviewed", at("2026-02-02T10:00"))
    push = b.commit(cm("b.yaml"), FORGED.replace("\x00", "0"), at("2026-02-03T10:00"), BOB)
    records = trail(b.root)
    assert [r["sha"] for r in records][:1] == [push]
    forged = records[0]
    assert forged["change_path"] == "direct-push" and forged["pr_number"] is None
    assert forged["author_email"] == "bob@x.test"
    assert not any("carol" in f"{r['author_email']} {r['committer_email']} {r['merged_by']}" for r in records)
    assert not any(r["pr_number"] == 42 for r in records)
    scan = report(b.root)
    pushes = finding_of(scan, "no-human-direct-pushes")
    assert pushes["outcome"] == "fail" and push in {r["sha"] for r in pushes["refs"]}
    assert finding_of(scan, "changes-through-prs")["outcome"] != "pass"


def test_control_bytes_and_nonce_like_text_in_messages_names_and_paths(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push(ESTATE, "bootstrap", at("2026-02-01T10:00"))
    odd_names = ["a\x1fb.yaml", "c\x1ed.yaml", "e\nf.yaml", "0123456789abcdef0123456789abcdefR.yaml", "g\x1d.yaml"]
    shas = []
    for i, name in enumerate(odd_names):
        shas.append(b.commit(cm(name), f"msg {i}\x1e\x1f\x1d 0123456789abcdef0123456789abcdefF end",
                             at(f"2026-02-0{i + 2}T10:00"), (f"Na\x1eme\x1f{i}", f"p{i}@x.test")))
    history = read_history(open_repository(str(b.root)), None, None, None, {}, {}, NOW)
    assert [c.sha for c in history.commits] == [*reversed(shas), b.shas[0]]
    for i, sha in enumerate(shas):
        c = next(c for c in history.commits if c.sha == sha)
        assert c.files == (("A", f"kubernetes/apps/web/{odd_names[i]}"),)
        assert c.author_name == f"Na\x1eme\x1f{i}" and c.author_email == f"p{i}@x.test"
        assert c.subject == f"msg {i}\x1e\x1f\x1d 0123456789abcdef0123456789abcdefF end"


def test_a_bare_record_separator_in_a_message_does_not_break_the_scan(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push(ESTATE, "bootstrap", at("2026-02-01T10:00"))
    b.push(cm("a.yaml"), "\x1e", at("2026-02-02T10:00"))
    out = cli("scan", str(b.root), "--no-github", "-q", "-f", "json")
    assert out.returncode in (0, 1), out.stderr


def test_a_committed_mailmap_does_not_turn_a_person_into_a_bot(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push({**ESTATE, ".mailmap": "Renovate Bot <bot@renovate.test> Bob <bob@x.test>\n"}, "bootstrap",
           at("2026-02-01T10:00"))
    b.squash_pr(cm("a.yaml"), "reviewed", at("2026-02-10T10:00"))
    push = b.push(cm("b.yaml"), "bump", at("2026-02-20T10:00"), BOB)
    record = next(r for r in trail(b.root) if r["sha"] == push)
    assert (record["author_name"], record["is_bot"], record["change_path"]) == ("Bob", False, "direct-push")
    pushes = finding_of(report(b.root), "no-human-direct-pushes")
    assert pushes["outcome"] == "fail" and push in {r["sha"] for r in pushes["refs"]}


def test_a_hand_made_github_committer_is_unverified_web_flow(tmp_path: Path) -> None:
    b = HistoryBuilder(tmp_path / "r")
    b.push(ESTATE, "bootstrap", at("2026-02-01T10:00"))
    b.push(cm("a.yaml"), "placeholder", at("2026-02-02T10:00"), BOB)
    tree = git(b.root, "rev-parse", "HEAD^{tree}").strip()
    parent = git(b.root, "rev-parse", "HEAD~1").strip()
    raw = (f"tree {tree}\nparent {parent}\nauthor Bob <bob@x.test> 1770112800 +0000\n"
           "committer GitHub <noreply@github.com> 1770112800 +0000\n"
           "gpgsig -----BEGIN PGP SIGNATURE-----\n garbage\n -----END PGP SIGNATURE-----\n\ntweak (#77)\n")
    sha = subprocess.run(["git", "-C", str(b.root), "hash-object", "-t", "commit", "-w", "--stdin"], input=raw,
                         capture_output=True, text=True, check=True, env=GIT_ENV).stdout.strip()
    git(b.root, "update-ref", "refs/heads/main", sha)
    record = next(r for r in trail(b.root) if r["sha"] == sha)
    assert record["change_path_confidence"] == "unverified web-flow"
    assert record["change_path_confidence"] != "high"
