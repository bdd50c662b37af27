"""Repository archives are streamed: the entry cap applies before the rest of the archive is even read."""

from __future__ import annotations

import gzip
import io
import tarfile
from datetime import UTC, datetime

import pytest

from assess.collectors.archive_tree import ArchiveError, tree_from_tarball
from assess.evaluation.evaluate import evaluate, maturity_model
from assess.evaluation.scope import Scope
from assess.model.evidence import EvidenceBundle
from assess.policy.config import Config

NOW = datetime(2026, 3, 1, tzinfo=UTC)
MANIFEST = b"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n"


def archive(entries: int, tail: bytes = b"") -> bytes:
    """A GitHub-style tarball: `entries` files under one top directory, then `tail` appended to the tar stream."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as tar:
        for i in range(entries):
            info = tarfile.TarInfo(f"acme-web-abc123/deploy/cm{i:06}.yaml")
            info.size = len(MANIFEST)
            tar.addfile(info, io.BytesIO(MANIFEST))
    body = raw.getvalue()
    end = body.rstrip(b"\0")  # drop the end-of-archive blocks so `tail` reads as more entries
    padded = end + b"\0" * (-len(end) % 512)
    return gzip.compress(padded + tail)


def test_the_entry_cap_applies_while_streaming_and_is_reported() -> None:
    # 150 good entries, then garbage: indexing the whole archive first (getmembers) would fail on the garbage
    data = archive(150, tail=b"\x01" * 512 * 50)
    tree = tree_from_tarball(data, "acme/web", "main", NOW, max_members=100)
    assert len(tree.files) == 100 and len(tree.docs) == 100
    assert tree.partial == ("the archive has more than 100 entries; the rest was not read",)
    report = evaluate(EvidenceBundle(git=tree), Config(), maturity_model(Config()),
                      Scope(now=NOW, target_name="acme/web"))
    assert "partially observed: the archive has more than 100 entries" in (report.sources["git"].detail or "")


def test_an_archive_within_the_cap_is_read_whole() -> None:
    tree = tree_from_tarball(archive(20), "acme/web", "main", NOW)
    assert len(tree.files) == 20 and tree.partial == ()


def test_a_broken_archive_is_a_clear_error() -> None:
    with pytest.raises(ArchiveError, match="acme/web: the archive is not readable"):
        tree_from_tarball(b"not a tarball at all", "acme/web", "main", NOW)
