"""Per-replicate random streams: minibatch indices of a finite sum, Gaussian oracle noise.

Replicate r draws from its own generator, ``default_rng(SeedSequence(seed).spawn(R)[r])``.
Child r of a spawn depends on (seed, r) only, so replicate r's stream does not depend on
the number of replicates R. Draws come in blocks (one stretch of updates at a time) and
continue each stream where the previous block left it, so block sizes do not change a run.

Sampling orders for a finite sum of n terms, batch size b (batch k uses stream positions
(k-1) b, ..., k b - 1):

* ``"shuffle"`` (default): the stream is a concatenation of independent uniform random
  permutations of 0..n-1, one per epoch, each ``rng.permutation(n)``; a batch may
  straddle two epochs.
* ``"replacement"``: i.i.d. uniform indices, ``rng.integers(0, n)``.
* ``"cyclic"``: the data's own order 0, 1, ..., n-1, 0, 1, ... for every replicate and
  every epoch (incremental gradient; the order that makes Reddi et al.'s example fail).

Gaussian noise is ``rng.standard_normal``.

The numbers are numpy's, bit for bit, drawn for several replicates at a time (one per
thread). Noise comes from numpy itself, which releases the GIL while it fills an array.
Indices come from compiled code: a transcription of numpy's PCG64 bit generator with its
32-bit output buffer, of ``Generator.permutation`` (a Fisher-Yates shuffle whose
``random_interval`` draws use masked rejection, here without branches) and of
``Generator.integers`` (Lemire's rejection), run on a copy of each generator's state
that is written back after every block. Tests compare every stream with numpy's own.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import numba
import numpy as np

from empirical.scenario import check_sampling
from theory.errors import InputError

INDEX_DTYPE = np.int64
"""Integer type of drawn sample indices."""
MAX_SAMPLES = 2**32 - 1
"""Most terms of a finite sum (the compiled draws use numpy's 32-bit paths)."""

_JIT = {"cache": True, "nogil": True, "error_model": "numpy"}
_U64 = np.uint64
_ZERO, _ONE = _U64(0), _U64(1)
_LOW_32 = _U64(0xFFFFFFFF)
_TWO_32 = _U64(1 << 32)
_PCG_MULTIPLIER_HIGH = _U64(2549297995355413924)  # numpy's PCG_DEFAULT_MULTIPLIER_128
_PCG_MULTIPLIER_LOW = _U64(4865540595714422341)
_SHIFTS = (_U64(1), _U64(2), _U64(4), _U64(8), _U64(16), _U64(32))
_S32, _S58, _S63, _S64 = _U64(32), _U64(58), _U64(63), _U64(64)
_HIGH, _LOW, _INC_HIGH, _INC_LOW, _HAS_32, _BUFFERED_32 = range(6)  # a state row's layout
_MASK_64 = (1 << 64) - 1


def replicate_seeds(seed: int, replicates: int, first: int = 0) -> list[np.random.SeedSequence]:
    """Replicate r's seed, r = first .. first + replicates - 1: child r of
    ``SeedSequence(seed).spawn(...)``, which depends on (seed, r) only."""
    return [np.random.SeedSequence(seed, spawn_key=(r,)) for r in range(first, first + replicates)]


def replicate_generators(seed: int, replicates: int, first: int = 0) -> list[np.random.Generator]:
    """One generator per replicate: ``default_rng(SeedSequence(seed).spawn(...)[r])``."""
    return [np.random.default_rng(child) for child in replicate_seeds(seed, replicates, first)]


class IndexSampler:
    """Minibatch indices for R replicates of a finite sum, drawn block by block."""

    def __init__(
        self, n: int, batch_size: int, sampling: str, generators: list[np.random.Generator]
    ) -> None:
        if not 1 <= n <= MAX_SAMPLES:
            raise InputError(f"IndexSampler: n={n} samples; allowed: 1 <= n <= {MAX_SAMPLES}")
        for r, rng in enumerate(generators):
            kind = type(rng.bit_generator).__name__
            if kind != "PCG64":
                raise InputError(
                    f"IndexSampler: replicate {r}'s generator uses {kind}; "
                    "allowed: PCG64 (numpy.random.default_rng)"
                )
        self.n = n
        self.batch_size = batch_size
        self.sampling = check_sampling(sampling)
        self._generators = generators
        self._position = 0  # stream position of the next index (cyclic order)
        if self.sampling == "shuffle":  # each replicate's current epoch and the next position
            self._epochs = np.empty((len(generators), n), dtype=INDEX_DTYPE)
            self._next = np.full(len(generators), n, dtype=np.int64)  # n: start a new epoch

    def draw(self, steps: int) -> np.ndarray:
        """Indices of the next ``steps`` batches: int64 array (R, steps, b)."""
        R, b = len(self._generators), self.batch_size
        count = steps * b
        if self.sampling == "cyclic":
            row = (self._position + np.arange(count, dtype=INDEX_DTYPE)) % self.n
            self._position += count
            return np.ascontiguousarray(np.broadcast_to(row.reshape(steps, b), (R, steps, b)))
        out = np.empty((R, count), dtype=INDEX_DTYPE)
        states = _pcg64_states(self._generators)
        if self.sampling == "replacement":
            _fill_integers(states, self.n, out)
        else:
            _fill_shuffled(states, self._epochs, self._next, out)
        _set_pcg64_states(self._generators, states)
        return out.reshape(R, steps, b)


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
        root_b = float(np.sqrt(self.batch_size))

        def fill(r: int) -> None:  # numpy fills with the GIL released
            self._generators[r].standard_normal(out=out[r])
            np.divide(out[r], root_b, out=out[r])

        _each_replicate(fill, len(self._generators))
        return out


def _pcg64_states(generators: list[np.random.Generator]) -> np.ndarray:
    """(R, 6) uint64: each generator's PCG64 state, increment and 32-bit output buffer."""
    states = np.empty((len(generators), 6), dtype=np.uint64)
    for r, rng in enumerate(generators):
        full = rng.bit_generator.state
        state, inc = full["state"]["state"], full["state"]["inc"]
        states[r] = (state >> 64, state & _MASK_64, inc >> 64, inc & _MASK_64,
                     full["has_uint32"], full["uinteger"])  # fmt: skip
    return states


def _set_pcg64_states(generators: list[np.random.Generator], states: np.ndarray) -> None:
    """Write the advanced states back into the generators."""
    for rng, row in zip(generators, states.tolist(), strict=True):
        high, low, inc_high, inc_low, has_32, buffered = row
        rng.bit_generator.state = {
            "bit_generator": "PCG64",
            "state": {"state": (high << 64) | low, "inc": (inc_high << 64) | inc_low},
            "has_uint32": has_32,
            "uinteger": buffered,
        }


def _each_replicate(task: Callable[[int], None], replicates: int) -> None:
    """task(r) for every r, on up to ``numba.get_num_threads()`` threads (task drops the GIL)."""
    threads = min(replicates, numba.get_num_threads())
    if threads <= 1:
        for r in range(replicates):
            task(r)
        return

    def run(rows: np.ndarray) -> None:
        for r in rows:
            task(int(r))

    list(_pool().map(run, np.array_split(np.arange(replicates), threads)))


@functools.cache
def _pool() -> ThreadPoolExecutor:
    return ThreadPoolExecutor(max_workers=os.cpu_count() or 1, thread_name_prefix="ratecheck")


@numba.njit(inline="always", **_JIT)
def _mulhi(a, b):
    """The high 64 bits of the 128-bit product a b (uint64), from 32-bit halves."""
    a0, a1 = a & _LOW_32, a >> _S32
    b0, b1 = b & _LOW_32, b >> _S32
    p00, p01, p10 = a0 * b0, a0 * b1, a1 * b0
    middle = (p00 >> _S32) + (p01 & _LOW_32) + (p10 & _LOW_32)
    return a1 * b1 + (p01 >> _S32) + (p10 >> _S32) + (middle >> _S32)


@numba.njit(inline="always", **_JIT)
def _next_64(s):
    """numpy's PCG64 (XSL-RR 128/64): state = state m + inc mod 2^128, then its output."""
    high, low = s[_HIGH], s[_LOW]
    product_low = low * _PCG_MULTIPLIER_LOW
    product_high = (
        _mulhi(low, _PCG_MULTIPLIER_LOW) + high * _PCG_MULTIPLIER_LOW + low * _PCG_MULTIPLIER_HIGH
    )
    low = product_low + s[_INC_LOW]
    high = product_high + s[_INC_HIGH] + (_ONE if low < product_low else _ZERO)
    s[_HIGH], s[_LOW] = high, low
    value, rotation = high ^ low, high >> _S58
    return (value >> rotation) | (value << ((_S64 - rotation) & _S63))


@numba.njit(inline="always", **_JIT)
def _next_32(s):
    """numpy's ``next_uint32``: the low half of a 64-bit output, then the buffered high half."""
    if s[_HAS_32] != _ZERO:
        s[_HAS_32] = _ZERO
        return s[_BUFFERED_32]
    value = _next_64(s)
    s[_HAS_32], s[_BUFFERED_32] = _ONE, value >> _S32
    return value & _LOW_32


@numba.njit(inline="always", **_JIT)
def _candidate(epoch, i, mask, value):
    """One draw of numpy's ``random_interval(i)`` in a shuffle, without a branch.

    The candidate j = value & mask is accepted if j <= i: entries i and j are swapped and
    the shuffle moves on to i - 1. Otherwise entry i is swapped with itself and the next
    32-bit value is tried at the same i (masked rejection).
    """
    j = np.int64(value & mask)
    accepted = j <= i
    j = j if accepted else i
    epoch[i], epoch[j] = epoch[j], epoch[i]
    return i - np.int64(accepted)


@numba.njit(inline="always", **_JIT)
def _permutation(s, epoch):
    """epoch = numpy's ``rng.permutation(n)``: 0..n-1 shuffled, i = n-1..1 swapped with
    ``random_interval(i)`` (mask: the smallest 2^m - 1 >= i), drawing ``next_uint32``."""
    n = epoch.shape[0]
    for i in range(n):
        epoch[i] = i
    i = n - 1
    if i == 0:
        return
    mask = _U64(i)
    for shift in _SHIFTS:
        mask |= mask >> shift
    half = np.int64(mask >> _SHIFTS[0])  # the mask halves when i drops to half
    if s[_HAS_32] != _ZERO:  # a high half left by the last draw comes first
        s[_HAS_32] = _ZERO
        i = _candidate(epoch, i, mask, s[_BUFFERED_32])
    while i > 0:  # two 32-bit values per 64-bit output: low half, then high half
        value = _next_64(s)
        if i <= half:
            mask, half = mask >> _SHIFTS[0], half >> 1
        i = _candidate(epoch, i, mask, value & _LOW_32)
        s[_BUFFERED_32] = value >> _S32
        if i == 0:
            s[_HAS_32] = _ONE
            return
        if i <= half:
            mask, half = mask >> _SHIFTS[0], half >> 1
        i = _candidate(epoch, i, mask, value >> _S32)


@numba.njit(inline="always", **_JIT)
def _lemire(s, n):
    """numpy's ``buffered_bounded_lemire_uint32``: uniform in 0..n-1 (2 <= n <= 2^32 - 1)."""
    bound = _U64(n)
    product = _next_32(s) * bound
    if (product & _LOW_32) < bound:
        threshold = (_TWO_32 - bound) % bound
        while (product & _LOW_32) < threshold:
            product = _next_32(s) * bound
    return np.int64(product >> _S32)


@numba.njit(parallel=True, **_JIT)
def _fill_integers(states, n, out):
    """out[r] = the next ``rng.integers(0, n, size=out.shape[1])`` of replicate r."""
    for r in numba.prange(out.shape[0]):
        s = states[r]
        row = out[r]
        for q in range(out.shape[1]):
            row[q] = _lemire(s, n) if n > 1 else 0


@numba.njit(parallel=True, **_JIT)
def _fill_shuffled(states, epochs, positions, out):
    """out[r] = the next entries of replicate r's stream of ``rng.permutation(n)`` epochs.

    ``epochs[r]`` holds the current epoch and ``positions[r]`` its next entry (n when it
    is used up).
    """
    n = epochs.shape[1]
    for r in numba.prange(out.shape[0]):
        s = states[r]
        epoch = epochs[r]
        t = positions[r]
        row = out[r]
        for q in range(out.shape[1]):
            if t == n:
                _permutation(s, epoch)
                t = 0
            row[q] = epoch[t]
            t += 1
        positions[r] = t
