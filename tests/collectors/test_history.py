"""The history reader against plain `git` commands on the samples, and on awkward repositories."""

from __future__ import annotations

import subprocess
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assess.collectors.git_command import Verifiers
from assess.collectors.git_repo import RepositoryError, open_repository
from assess.collectors.history import read_history, verify_signatures
from assess.collectors.repo_tree import collect_repo
from assess.collectors.samples import get_sample, list_samples, materialise
from assess.derive.audit_trail import build_audit_trail
from assess.derive.deployment import deployment_map, env_roots, glob_regex
from assess.model.history import ChangePath, SignatureType
from tests.conftest import GIT_ENV, git, make_repo

NOW = datetime(2026, 11, 30, tzinfo=UTC)


def history_of(repo: Path, **kw: object):  # type: ignore[no-untyped-def]
    ev = collect_repo(str(repo), "HEAD", False, NOW)
    envs = deployment_map(ev).environments
    return read_history(open_repository(str(repo)), kw.get("branch"), kw.get("since"), kw.get("until"),  # type: ignore[arg-type]
                        env_roots(envs), envs, NOW)


def plain(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=True).stdout


@pytest.mark.parametrize("sample", list_samples(), ids=[s.name for s in list_samples()])
def test_commits_and_files_match_plain_git(sample, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    repo = materialise(sample, tmp_path / "r")
    history = history_of(repo)
    assert [c.sha for c in history.commits] == plain(repo, "rev-list", "--first-parent", "main").split()
    for c in history.commits:
        if c.parents:
            expected = plain(repo, "diff", "--no-renames", "--name-status", c.parents[0], c.sha)
        else:
            expected = plain(repo, "show", "--no-renames", "--name-status", "--format=", c.sha)
        pairs = [tuple(line.split("\t", 1)) for line in expected.splitlines() if line]
        assert list(c.files) == pairs, c.subject
        fields = plain(repo, "show", "-s", "--format=%an%x00%ae%x00%cI%x00%s", c.sha).rstrip("\n").split("\0")
        assert [c.author_name, c.author_email, c.committed_at, c.subject] == fields


@pytest.mark.parametrize("name", ["stage1-pushed", "stage2-argocd", "stage3-platform", "stage4-fleet"])
def test_audit_records_match_an_independent_count(name: str, tmp_path: Path) -> None:
    repo = materialise(get_sample(name), tmp_path / "r")
    history = history_of(repo)
    records = build_audit_trail(history)
    # Independently: first-parent commits whose first-parent diff touches an environment path.
    pattern = glob_regex(tuple(p for globs in history.environments.values() for p in globs))
    expected = []
    for line in plain(repo, "log", "--first-parent", "--format=%H %P").splitlines():
        sha, *parents = line.split()
        base = parents[0] if parents else "4b825dc642cb6eb9a060e54bf8d69288fbee4904"  # the empty tree
        names = plain(repo, "diff", "--no-renames", "--name-only", base, sha).split()
        if any(pattern.match(n) for n in names):
            expected.append(sha)
    assert [r.sha for r in records] == expected
    subjects = dict(line.split(" ", 1) for line in plain(repo, "log", "--first-parent", "--format=%H %s").splitlines())
    for r in records:
        merge = subjects[r.sha].startswith("Merge pull request #")
        assert (r.change_path is ChangePath.PR_MERGE) == merge
        if r.change_path is ChangePath.PR_MERGE:
            assert str(r.pr_number) == subjects[r.sha].split("#")[1].split()[0]
    reverts = [r for r in records if r.is_revert]
    revert_subjects = [s for sha, s in subjects.items() if sha in {r.sha for r in records}
                       and ("/revert-" in s or s.startswith("Revert "))]
    assert len(reverts) == len(revert_subjects)
    assert reverts or name == "stage1-pushed"  # its revert touches k8s/, which no environment path claims
    for r in reverts:  # every revert found its target, which is marked failed
        target = next(x for x in records if x.sha == r.sha or (x.reverted_by == r.sha and x.failed))
        assert target.remediated_by == r.sha or target.sha == r.sha


def test_lead_time_of_a_merge_is_from_the_first_branch_commit(tmp_path: Path) -> None:
    repo = materialise(get_sample("stage2-argocd"), tmp_path / "r")
    records = build_audit_trail(history_of(repo))
    merge = next(r for r in records if r.change_path is ChangePath.PR_MERGE and not r.is_bot)
    first = min(datetime.fromisoformat(t) for t in
                plain(repo, "log", "--format=%aI", f"{merge.sha}^1..{merge.sha}^2").split())
    expected = (datetime.fromisoformat(merge.deployed_at) - first).total_seconds() / 3600
    assert merge.lead_time_hours == pytest.approx(expected, abs=0.01)
    assert merge.lead_time_source == "pr-first-commit"
    squash = next(r for r in records if r.change_path is ChangePath.PR_SQUASH)
    assert squash.lead_time_hours is None and squash.lead_time_source in ("unavailable-offline", "excluded-bot")


def test_window_limits_the_history(tmp_path: Path) -> None:
    repo = materialise(get_sample("stage3-platform"), tmp_path / "r")
    since = datetime(2025, 10, 15, tzinfo=UTC)
    until = datetime(2025, 11, 15, tzinfo=UTC)
    h = history_of(repo, since=since, until=until)
    expected = plain(repo, "rev-list", "--first-parent", f"--since={since.isoformat()}",
                     f"--until={until.isoformat()}", "main").split()
    assert [c.sha for c in h.commits] == expected and 0 < len(expected) < 60
    assert h.as_of == until.isoformat()


def test_shallow_clone_is_said_to_be_limited(tmp_path: Path) -> None:
    source = materialise(get_sample("stage2-argocd"), tmp_path / "src")
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "3", f"file://{source}", str(shallow)], check=True,
                   env=GIT_ENV)
    h = history_of(shallow)
    assert h.shallow and len(h.commits) == 3
    assert "shallow clone" in h.notes[0]


def test_only_branch_is_not_main(tmp_path: Path) -> None:
    repo = tmp_path / "trunk"
    repo.mkdir()
    git(repo, "init", "-q", "--initial-branch=trunk")
    (repo / "clusters" / "prod").mkdir(parents=True)
    (repo / "clusters" / "prod" / "a.yaml").write_text("apiVersion: v1\nkind: ConfigMap\n")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "first")
    h = history_of(repo)
    assert h.branch == "trunk" and len(h.commits) == 1
    with pytest.raises(RepositoryError, match="not found"):
        read_history(open_repository(str(repo)), "main", None, None, {}, {}, NOW)


def _sign_repo(tmp_path: Path) -> tuple[Path, Path]:
    key = tmp_path / "key"
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(key)], check=True)
    signers = tmp_path / "allowed_signers"
    signers.write_text(f"author@example.test {(tmp_path / 'key.pub').read_text()}")
    repo = make_repo(tmp_path / "r", {"clusters/prod/a.yaml": "apiVersion: v1\nkind: ConfigMap\n"})
    (repo / "clusters/prod/b.yaml").write_text("apiVersion: v1\nkind: Secret\n")
    git(repo, "add", "-A")
    git(repo, "-c", "gpg.format=ssh", "-c", f"user.signingkey={key}", "commit", "-q", "-S", "-m", "signed")
    return repo, signers


def test_signature_type_from_raw_headers_and_verification_pass(tmp_path: Path) -> None:
    repo, signers = _sign_repo(tmp_path)
    # A commit with an empty gpgsig header: git's own verification dies on it; we must not.
    raw = plain(repo, "cat-file", "commit", "HEAD")
    head = raw.partition("\n\n")[0]
    lines = [ln for ln in head.splitlines() if not ln.startswith(("gpgsig", " "))]
    lines[1] = f"parent {plain(repo, 'rev-parse', 'HEAD').strip()}"
    lines.insert(len(lines), "gpgsig ")
    broken = "\n".join(lines) + "\n\nbroken signature\n"
    sha = subprocess.run(["git", "-C", str(repo), "hash-object", "-t", "commit", "-w", "--literally", "--stdin"],
                         input=broken, capture_output=True, text=True, check=True).stdout.strip()
    git(repo, "update-ref", "refs/heads/main", sha)
    h = history_of(repo)
    types = [c.signature for c in h.commits]
    assert types == [SignatureType.MALFORMED, SignatureType.SSH, SignatureType.NONE]
    handle = open_repository(str(repo))
    signed = [(c.sha, c.signature) for c in h.commits if c.signature is not SignatureType.NONE]
    ssh = Verifiers(ssh="ssh-keygen")
    result = verify_signatures(handle, signed, signers, ssh)
    assert result[h.commits[1].sha] == "G"
    assert result[h.commits[0].sha] == "malformed"
    unverified = verify_signatures(handle, [signed[1]], None, ssh)
    assert unverified[h.commits[1].sha] == "U"
    # No verifier named for SSH: nothing runs, and the signature stays not verified.
    assert h.commits[1].sha not in verify_signatures(handle, signed, signers, Verifiers(openpgp="gpg"))
