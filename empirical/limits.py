"""What one run costs, checked against the limits of :mod:`theory.limits` before it starts.

A run of R replicates for K updates on an objective of dimension d costs R K
replicate-steps (MAX_REPLICATE_STEPS) and holds, as float64 (8 bytes each):

* ``VECTORS + 3 A`` vectors of length d per replicate: iterate, gradient, optimizer
  state (at most three: Adam's moments and a look-ahead point), temporaries and the two
  snapshots of a block's state, three per average (A averages);
* the b x d minibatch rows a finite sum gathers per replicate (b = batch size);
* J prefix-sum vectors per replicate for each suffix average (at most one per checkpoint);
* 2 (1 + A) records of J checkpoints per replicate (gaps and distances);
* the pre-drawn batches of one block, ``CHUNK_ELEMENTS`` values at most.

This is an upper estimate, compared with MAX_RUN_BYTES: a ``quadratic:d=100000`` run
with R = 30 and a uniform average grows the process by 260 MB, estimated 439 MB.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from empirical.objectives.base import Objective
from theory.limits import MAX_REPLICATE_STEPS, MAX_RUN_BYTES

__all__ = [
    "RunSize",
    "affordable_replicates",
    "check_memory",
    "check_steps",
    "checkpoint_bound",
    "run_size",
]

VECTORS = 12
"""Vectors of length d per replicate that every run holds (see the module docstring)."""
CHUNK_BYTES = 8 * (1 << 22) * 3
"""Pre-drawn batches and block buffers: three chunks of ``CHUNK_ELEMENTS`` float64s."""


@dataclass(frozen=True)
class RunSize:
    """The sizes that decide a run's cost: R, K, J checkpoints, A averages (S of them
    suffix averages), the objective's dimension d and the rows b gathered per gradient."""

    replicates: int
    steps: int
    checkpoints: int
    averages: int
    suffixes: int
    d: int
    rows: int

    def replicate_steps(self) -> int:
        """R K."""
        return self.replicates * self.steps

    def bytes(self) -> int:
        """Estimated memory of the run's arrays (module docstring)."""
        per_replicate = (
            self.d * (VECTORS + 3 * self.averages + self.rows + self.suffixes * self.checkpoints)
            + 2 * (1 + self.averages) * self.checkpoints
        )
        return 8 * self.replicates * per_replicate + CHUNK_BYTES


def checkpoint_bound(steps: int) -> int:
    """At least as many as the default checkpoints of K = ``steps`` (about 10 a decade)."""
    return 10 * math.ceil(math.log10(steps)) + 2


def run_size(
    objective: Objective,
    replicates: int,
    steps: int,
    checkpoints: int,
    averages: int,
    suffixes: int,
    batch_size: int,
) -> RunSize:
    """The :class:`RunSize` of a run of ``objective``."""
    rows = batch_size if objective.oracle == "finite-sum" else 0
    return RunSize(replicates, steps, checkpoints, averages, suffixes, objective.d, rows)


def check_steps(where: str, replicates: int, steps: int) -> None:
    """Refuse R K above MAX_REPLICATE_STEPS (checked first: K may be too large even to
    lay out its checkpoints), naming the larger factor of ``where``."""
    field, given = ("steps", steps) if steps >= replicates else ("replicates", replicates)
    what = f"steps x replicates = {steps} x {replicates}"
    MAX_REPLICATE_STEPS.check(replicates * steps, where, field, given, what)


def check_memory(where: str, size: RunSize) -> None:
    """Refuse a run whose estimated memory is above MAX_RUN_BYTES."""
    what = (
        f"an estimated memory (R = {size.replicates} replicates of d = {size.d} coordinates, "
        f"{size.checkpoints} checkpoints, {size.averages} averages)"
    )
    MAX_RUN_BYTES.check(size.bytes(), where, "replicates", size.replicates, what)


def affordable_replicates(size: RunSize) -> int:
    """The most replicates a run of ``size`` (its other sizes kept) may have within both
    limits; 0 if not even one fits."""
    by_steps = int(MAX_REPLICATE_STEPS.value() // size.steps)
    one = RunSize(1, size.steps, size.checkpoints, size.averages, size.suffixes, size.d, size.rows)
    per_replicate = one.bytes() - CHUNK_BYTES
    by_bytes = int((MAX_RUN_BYTES.value() - CHUNK_BYTES) // per_replicate)
    return max(0, min(by_steps, by_bytes))
