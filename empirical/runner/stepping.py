"""Advance R replicates block by block: the compiled stepper and the numpy stepper.

A stepper holds the iterates w (R, d), the optimizer state, the online (polynomial-decay)
averages and the prefix sums of w - w* that suffix averages need, and applies a block of
updates k0+1..k0+m with pre-drawn batches, returning snapshots of that state after the
requested updates. :class:`CompiledStepper` runs the fused kernel of
:mod:`empirical.runner.kernels`; :class:`NumpyStepper` is a Python loop over updates,
vectorized over replicates, that calls ``objective.grad`` and ``optimizer.update`` (whose
first results it checks against the optimizer protocol). Both implement the same formulas
(tests check them against each other).
"""

from __future__ import annotations

import time
from abc import ABC, abstractmethod
from dataclasses import dataclass

import numpy as np

from empirical.averaging import Average, polydecay_rate
from empirical.objectives.base import Objective
from empirical.optimizers.base import Optimizer, checked_point, checked_update
from empirical.runner import kernels
from empirical.runner.sampling import INDEX_DTYPE, GaussianNoise, IndexSampler, replicate_generators
from empirical.schedules import Schedule
from theory.errors import InputError


@dataclass(frozen=True)
class Setup:
    """What a run applies: the objective, optimizer, bound schedule and run sizes."""

    objective: Objective
    optimizer: Optimizer
    schedule: Schedule
    replicates: int
    steps: int
    seed: int
    batch_size: int
    sampling: str
    first_replicate: int = 0
    """Index of the first replicate run (a later stage continues a run's replicates)."""


@dataclass(frozen=True)
class Snapshots:
    """State after selected updates of one block: iterates, online averages, prefix sums."""

    W: np.ndarray  # (R, S, d)
    online: np.ndarray  # (R, S, A, d)
    prefix: np.ndarray  # (R, S, d) or (R, S, 0)


class Stepper(ABC):
    """Iterates, online averages and prefix sums of R replicates, advanced in blocks."""

    kind: str

    def __init__(self, setup: Setup, w0: np.ndarray, gammas: np.ndarray, suffix: bool) -> None:
        R, d = setup.replicates, setup.objective.d
        self.setup = setup
        self.W = w0.copy()  # (R, d)
        self.gammas = gammas  # polydecay parameters of the online averages (uniform: 0)
        self.online = np.zeros((R, len(gammas), d))
        self.prefix = np.zeros((R, d if suffix else 0))  # sums of w_s - w*
        self.w_star = np.array(setup.objective.w_star, dtype=np.float64)
        self.alive = np.ones(R, dtype=bool)
        self.diverged_at = np.full(R, -1, dtype=np.int64)

    def _empty_snapshots(self, count: int) -> Snapshots:
        R, d = self.W.shape
        return Snapshots(
            W=np.full((R, count, d), np.nan),
            online=np.full((R, count, len(self.gammas), d), np.nan),
            prefix=np.full((R, count, self.prefix.shape[1]), np.nan),
        )

    @abstractmethod
    def advance(
        self, k0: int, lr: np.ndarray, scale: np.ndarray, batches: np.ndarray, snap: np.ndarray
    ) -> Snapshots:
        """Apply updates k0+1..k0+len(lr) with steps lr * scale and the drawn batches.

        Returns the state after each update k0 + snap[s] (snap: increasing, in 1..len(lr)).
        """


class CompiledStepper(Stepper):
    """The fused kernel of :mod:`empirical.runner.kernels` (built-in optimizers, compiled
    families)."""

    kind = "compiled"

    def __init__(
        self,
        setup: Setup,
        w0: np.ndarray,
        gammas: np.ndarray,
        suffix: bool,
        family: kernels.FamilyData,
        opt: kernels.OptimizerData,
    ) -> None:
        super().__init__(setup, w0, gammas, suffix)
        self.family = family
        self.opt = opt
        self.domain = kernels.pack_domain(setup.objective.domain, setup.objective.d)
        self.state = np.zeros((setup.replicates, opt.slots, setup.objective.d))

    def advance(
        self, k0: int, lr: np.ndarray, scale: np.ndarray, batches: np.ndarray, snap: np.ndarray
    ) -> Snapshots:
        empty = np.empty((0, 0, 0))
        if self.setup.objective.oracle == "finite-sum":
            idx, noise = batches, empty
        elif self.setup.objective.oracle == "gaussian":
            idx, noise = empty.astype(INDEX_DTYPE), batches
        else:
            idx, noise = empty.astype(INDEX_DTYPE), empty
        out = self._empty_snapshots(len(snap))
        fam, opt, dom = self.family, self.opt, self.domain
        kernels.advance(
            fam.code, fam.X, fam.y, fam.vec, fam.center, fam.scal,
            opt.code, opt.params,
            dom.code, dom.lo, dom.hi, dom.radius,
            self.W, self.state, idx, noise, lr, scale, k0,
            self.gammas, self.online, self.w_star, self.prefix,
            self.alive, self.diverged_at,
            snap, out.W, out.online, out.prefix,
        )  # fmt: skip
        return out


class NumpyStepper(Stepper):
    """A Python loop over updates calling ``objective.grad`` and ``optimizer.update``."""

    kind = "numpy"

    def __init__(self, setup: Setup, w0: np.ndarray, gammas: np.ndarray, suffix: bool) -> None:
        super().__init__(setup, w0, gammas, suffix)
        self.state = setup.optimizer.init(self.W.copy())
        self.unchecked = True  # the first update's result is checked against the protocol

    def advance(
        self, k0: int, lr: np.ndarray, scale: np.ndarray, batches: np.ndarray, snap: np.ndarray
    ) -> Snapshots:
        objective, optimizer = self.setup.objective, self.setup.optimizer
        per_replicate = not np.all(scale == 1.0)
        limit2 = kernels.DIVERGENCE_LIMIT * kernels.DIVERGENCE_LIMIT
        out = self._empty_snapshots(len(snap))
        where = {int(offset): s for s, offset in enumerate(snap)}
        W, state = self.W, self.state
        with np.errstate(over="ignore", invalid="ignore"):
            for j in range(len(lr)):
                k = k0 + j + 1
                step = (lr[j] * scale)[:, None] if per_replicate else float(lr[j])
                batch = None if objective.oracle == "deterministic" else batches[:, j]
                point = optimizer.lookahead(state, W)
                if self.unchecked:  # the first step: the results' shapes and structure
                    point = checked_point(optimizer.name, point, W.shape)
                grad = objective.grad(point, batch)
                result = optimizer.update(grad, state, W, step)
                if self.unchecked:
                    result = checked_update(optimizer.name, result, W.shape)
                    self.unchecked = False
                W, state = result
                if objective.domain is not None:
                    W = objective.domain.project(W)
                W = np.asarray(W, dtype=np.float64)
                bad = ~(np.einsum("rd,rd->r", W, W) <= limit2) & self.alive
                self.diverged_at[bad] = k
                self.alive &= ~bad
                for a, gamma in enumerate(self.gammas):
                    rate = polydecay_rate(float(gamma), k)
                    self.online[:, a] = self.online[:, a] + rate * (W - self.online[:, a])
                if self.prefix.shape[1]:
                    self.prefix += W - self.w_star
                if j + 1 in where:
                    s = where[j + 1]
                    out.W[:, s], out.online[:, s], out.prefix[:, s] = W, self.online, self.prefix
        self.W, self.state = W, state
        return out


def make_stepper(
    setup: Setup, kernel: str, w0: np.ndarray, averages: list[Average]
) -> tuple[Stepper, float]:
    """The compiled stepper if allowed and available (timing its compilation), else numpy."""
    online = [avg for avg in averages if avg.kind != "suffix"]
    gammas = np.array([0.0 if avg.kind == "uniform" else avg.param for avg in online])
    suffix = any(avg.kind == "suffix" for avg in averages)
    if kernel == "numpy":
        return NumpyStepper(setup, w0, gammas, suffix), 0.0
    family = kernels.pack_objective(setup.objective)
    opt = kernels.pack_optimizer(setup.optimizer)
    if kernel == "auto" and (family is None or opt is None):
        return NumpyStepper(setup, w0, gammas, suffix), 0.0
    if family is None or opt is None:
        raise InputError(
            f"kernel='compiled': no compiled kernel for objective family "
            f"{setup.objective.family!r} (compiled: {', '.join(kernels.FAMILY_CODES)}) with "
            f"optimizer {setup.optimizer.name!r} (compiled built-ins: "
            f"{', '.join(kernels.OPTIMIZER_SLOTS)})"
        )
    stepper = CompiledStepper(setup, w0, gammas, suffix, family, opt)
    tic = time.perf_counter()  # an empty block compiles (or loads) the kernel
    no_snap = np.empty(0, dtype=np.int64)
    stepper.advance(0, np.empty(0), np.ones(setup.replicates), draws(setup, None, 0), no_snap)
    return stepper, time.perf_counter() - tic


Source = IndexSampler | GaussianNoise | None
"""Where a run's batches come from: indices, Gaussian noise, or nothing (exact gradients)."""


def sampler(setup: Setup) -> Source:
    """The block source of the oracle's randomness (None for a deterministic oracle)."""
    objective = setup.objective
    generators = replicate_generators(setup.seed, setup.replicates, setup.first_replicate)
    if objective.oracle == "finite-sum":
        assert objective.n is not None
        return IndexSampler(objective.n, setup.batch_size, setup.sampling, generators)
    if objective.oracle == "gaussian":
        return GaussianNoise(objective.d, setup.batch_size, generators)
    return None


def draws(setup: Setup, source: Source, m: int) -> np.ndarray:
    """Batches of the next m updates: indices (R, m, b), noise (R, m, d) or an empty array."""
    R = setup.replicates
    if source is not None and m > 0:
        return source.draw(m)
    if setup.objective.oracle == "finite-sum":
        return np.empty((R, 0, setup.batch_size), dtype=INDEX_DTYPE)
    if setup.objective.oracle == "gaussian":
        return np.empty((R, 0, setup.objective.d))
    return np.empty((R, 0, 0))
