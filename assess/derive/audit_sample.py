"""A reproducible random sample of the change population (pure), the way an auditor tests a control."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from assess.model.history import AuditRecord


@dataclass(frozen=True)
class Sample:
    """The changes drawn, newest first, with what it takes to draw them again."""

    records: tuple[AuditRecord, ...]
    population: int
    size: int
    seed: int


def draw_sample(records: Sequence[AuditRecord], size: int, seed: int) -> Sample:
    """`size` changes drawn with `random.Random(seed)` from the population sorted by sha (the whole population when
    it is smaller); the same population and seed always give the same changes."""
    population = sorted(records, key=lambda r: r.sha)
    chosen = random.Random(seed).sample(population, min(size, len(population)))
    newest_first = sorted(chosen, key=lambda r: (r.deployed_at, r.sha), reverse=True)
    return Sample(tuple(newest_first), len(population), size, seed)


__all__ = ["Sample", "draw_sample"]
