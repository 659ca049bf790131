"""Per-replicate random streams: minibatch indices of a finite sum, Gaussian oracle noise.

Replicate r draws from its own generator, ``default_rng(SeedSequence(seed).spawn(R)[r])``.
Child r of a spawn depends on (seed, r) only, so replicate r's stream does not depend on
the number of replicates R. Draws come in blocks (one segment between checkpoints at a
time); numpy's generators give the same numbers whether a stream is drawn in one block or
in several, so the block sizes do not change the run.

Sampling orders for a finite sum of n terms, batch size b (batch k uses stream positions
(k-1) b, ..., k b - 1):

* ``"shuffle"`` (default): the stream is a concatenation of independent uniform random
  permutations of 0..n-1, one per epoch; a batch may straddle two epochs.
* ``"replacement"``: i.i.d. uniform indices.
* ``"cyclic"``: the data's own order 0, 1, ..., n-1, 0, 1, ... for every replicate and
  every epoch (incremental gradient; the order that makes Reddi et al.'s example fail).
"""

from __future__ import annotations

from numbers import Integral

import numpy as np

from theory.errors import InputError, UnknownNameError

SAMPLINGS: tuple[str, ...] = ("shuffle", "replacement", "cyclic")
"""Sampling orders of finite-sum minibatches."""


def replicate_generators(seed: int, replicates: int) -> list[np.random.Generator]:
    """One generator per replicate: ``default_rng(SeedSequence(seed).spawn(R)[r])``."""
    return [
        np.random.default_rng(child) for child in np.random.SeedSequence(seed).spawn(replicates)
    ]


def check_sampling(sampling: object) -> str:
    """Return ``sampling`` if it names a sampling order, else raise listing the allowed ones."""
    if sampling not in SAMPLINGS:
        raise UnknownNameError(
            f"sampling: unknown sampling order {sampling!r}; allowed: {', '.join(SAMPLINGS)}"
        )
    return str(sampling)


def check_batch_size(batch_size: object, n: int | None, objective_name: str) -> int:
    """Validate the minibatch size: an integer with 1 <= b (<= n for a finite sum)."""
    if isinstance(batch_size, bool) or not isinstance(batch_size, Integral):
        raise InputError(f"batch_size: expected an integer >= 1, got {batch_size!r}")
    b = int(batch_size)
    if b < 1:
        raise InputError(f"batch_size: expected an integer >= 1, got {b}")
    if n is not None and b > n:
        raise InputError(
            f"batch_size={b} exceeds the number of samples n={n} of objective "
            f"{objective_name!r}; allowed: 1 <= batch_size <= {n}"
        )
    return b


class IndexSampler:
    """Minibatch indices for R replicates of a finite sum, drawn block by block."""

    def __init__(
        self, n: int, batch_size: int, sampling: str, generators: list[np.random.Generator]
    ) -> None:
        self.n = n
        self.batch_size = batch_size
        self.sampling = check_sampling(sampling)
        self._generators = generators
        self._position = 0  # stream position of the next index (cyclic order)
        self._epochs: list[np.ndarray] = [np.empty(0, dtype=np.int64) for _ in generators]

    def draw(self, steps: int) -> np.ndarray:
        """Indices of the next ``steps`` batches: int64 array (R, steps, b)."""
        R, b = len(self._generators), self.batch_size
        count = steps * b
        if self.sampling == "cyclic":
            row = (self._position + np.arange(count, dtype=np.int64)) % self.n
            self._position += count
            return np.ascontiguousarray(np.broadcast_to(row.reshape(steps, b), (R, steps, b)))
        out = np.empty((R, count), dtype=np.int64)
        for r, rng in enumerate(self._generators):
            if self.sampling == "replacement":
                out[r] = rng.integers(0, self.n, size=count, dtype=np.int64)
            else:
                out[r] = self._shuffled(r, rng, count)
        return out.reshape(R, steps, b)

    def _shuffled(self, r: int, rng: np.random.Generator, count: int) -> np.ndarray:
        """The next ``count`` positions of replicate r's stream of epoch permutations."""
        rest = self._epochs[r]  # the unused tail of the current epoch
        if len(rest) >= count:
            self._epochs[r] = rest[count:]
            return rest[:count]
        pieces = [rest]
        need = count - len(rest)
        while need > 0:
            perm = rng.permutation(self.n)
            pieces.append(perm[:need])
            rest = perm[need:]
            need -= len(pieces[-1])
        self._epochs[r] = rest
        return np.concatenate(pieces)


class GaussianNoise:
    """Oracle noise of a Gaussian streaming objective: z / sqrt(b) with z ~ N(0, I_d).

    The mean of b independent N(0, I_d) draws has the law of one draw scaled by
    1/sqrt(b); the objective multiplies this batch by its noise level sigma.
    """

    def __init__(self, d: int, batch_size: int, generators: list[np.random.Generator]) -> None:
        self.d = d
        self.batch_size = batch_size
        self._generators = generators

    def draw(self, steps: int) -> np.ndarray:
        """Noise of the next ``steps`` updates: float64 array (R, steps, d)."""
        out = np.empty((len(self._generators), steps, self.d))
        for r, rng in enumerate(self._generators):
            out[r] = rng.standard_normal((steps, self.d))
        return out / np.sqrt(self.batch_size)
