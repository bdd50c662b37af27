"""Sample estates: Git histories stored as `git fast-export` text, materialised into temporary repositories."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

import yaml

from assess.collectors.git_command import git_run


class SampleError(Exception):
    """A sample that does not exist or cannot be materialised."""


@dataclass(frozen=True)
class Sample:
    """One sample estate."""

    name: str
    stage: int
    title: str
    description: str
    directory: Path
    as_of: datetime | None = None
    # A variant shows another sample's estate on another forge: it shares that sample's history and cluster snapshot.
    variant_of: str | None = None
    forge: str = "github"

    @property
    def history(self) -> Path:
        """The fast-export stream of the sample's history."""
        return self.file("history.fi") or self.directory / "history.fi"

    def file(self, name: str) -> Path | None:
        """One of the sample's recorded files: its own, else (a variant) the one of the sample it varies."""
        for directory in (self.directory, *([self.directory.parent / self.variant_of] if self.variant_of else [])):
            if (directory / name).is_file():
                return directory / name
        return None


def samples_root() -> Path:
    """Where samples live: inside the installed package, or at the top of a source checkout."""
    packaged = Path(str(resources.files("assess"))) / "_samples"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "samples"


def list_samples(root: Path | None = None) -> list[Sample]:
    """Every sample with a `sample.yaml` and a history (its own `history.fi`, or a variant's base's), ordered by
    stage."""
    base = root or samples_root()
    found: list[Sample] = []
    for meta in sorted(base.glob("*/sample.yaml")):
        data = yaml.load(meta.read_text(encoding="utf-8"), Loader=yaml.CSafeLoader) or {}
        as_of = datetime.fromisoformat(str(data["as_of"])) if data.get("as_of") else None
        variant_of = str(data["variant_of"]) if data.get("variant_of") else None
        sample = Sample(meta.parent.name, int(data.get("stage", 0)), str(data.get("title", "")),
                        str(data.get("description", "")).strip(), meta.parent, as_of, variant_of,
                        str(data.get("forge", "github")))
        if sample.history.is_file():
            found.append(sample)
    return sorted(found, key=lambda s: (s.stage, s.variant_of is not None, s.name))


def get_sample(name: str) -> Sample:
    """The sample called name, or a SampleError listing the known ones."""
    known = list_samples()
    for sample in known:
        if sample.name == name:
            return sample
    raise SampleError(f"unknown sample {name!r}; known: {', '.join(s.name for s in known) or 'none'}")


def materialise(sample: Sample, dest: Path, bare: bool = False) -> Path:
    """Create a repository at dest from the sample's history (nothing is checked out)."""
    _git(["init", "-q", "--initial-branch=main", *(["--bare"] if bare else []), str(dest.resolve())])
    git_dir = str((dest if bare else dest / ".git").resolve())
    with sample.history.open("rb") as stream:
        proc = git_run(["fast-import", "--quiet"], git_dir=git_dir, stdin=stream)
    if proc.returncode != 0:
        raise SampleError(f"cannot import sample {sample.name}: {proc.stderr.decode(errors='replace').strip()}")
    if not bare:
        _git(["reset", "-q", "--hard", "main"], git_dir=git_dir, work_tree=str(dest.resolve()))
    return dest


def _git(args: list[str], git_dir: str | None = None, work_tree: str | None = None) -> None:
    proc = git_run(args, git_dir=git_dir, work_tree=work_tree, cwd=work_tree)
    if proc.returncode != 0:
        raise SampleError(proc.stderr.decode(errors="replace").strip() or f"git {args[0]} failed")
