"""Run R replicates of an optimizer on an objective at once and record a :class:`Trace`.

``run(objective, optimizer, schedule, steps=K, replicates=R, seed=s)`` advances all R
replicates together from ``w_0``: update k (k = 1..K) draws replicate r's batch from
its own stream (:mod:`empirical.sampling`), takes the stochastic gradient at the
optimizer's look-ahead point, applies the optimizer with the step eta_k (times the
replicate's plateau scale), projects onto the objective's domain, tests divergence and
updates the online averages. At each checkpoint it records F(w_k) - F* and
||w_k - w*||^2 for every replicate and every average.

Built-in optimizers on objectives of a compiled family run the fused numba kernel of
:mod:`empirical.kernels`; anything else runs the numpy path, a Python loop over updates
vectorized over replicates that calls ``objective.grad`` and ``optimizer.update``. Both
implement the same formulas (a test checks them against each other); reruns with the
same arguments are bit-identical, and replicate r does not change when R does.
"""

from __future__ import annotations

import importlib.metadata
import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from numbers import Integral
from typing import Any

import numpy as np
import sympy as sp

from empirical import kernels
from empirical.averaging import Average, parse_average, polydecay_rate, suffix_start
from empirical.objectives.base import Objective
from empirical.optimizers.base import Optimizer
from empirical.progress import Progress
from empirical.sampling import (
    GaussianNoise,
    IndexSampler,
    check_batch_size,
    check_sampling,
    replicate_generators,
)
from empirical.schedules import PlateauSchedule, Schedule, bind_schedule
from empirical.trace import Trace, geometric_checkpoints
from theory.errors import InputError, UnknownNameError

KERNELS = ("auto", "compiled", "numpy")
"""``kernel`` choices: the compiled kernel when available, always it, or the numpy path."""
CHUNK_ELEMENTS = 1 << 22
"""Most pre-drawn batch entries (indices or noise), and most snapshot values, per block."""
PROGRESS_CHUNKS = 50
"""With a progress bar, blocks are cut to at most steps/50 updates (bar granularity)."""

AverageSpec = str | Average | None


def run(
    objective: str | Objective,
    optimizer: str | Optimizer,
    schedule: str | sp.Expr | float | Schedule,
    *,
    steps: int,
    replicates: int,
    seed: int,
    batch_size: int = 1,
    sampling: str = "shuffle",
    average: AverageSpec | Sequence[AverageSpec] = None,
    checkpoints: Iterable[int] | None = None,
    w0: np.ndarray | Sequence[float] | None = None,
    constants: Mapping[str, float] | None = None,
    progress: bool | None = None,
    kernel: str = "auto",
) -> Trace:
    """Run ``replicates`` independent copies of ``optimizer`` for ``steps`` updates.

    ``objective`` and ``optimizer`` are specs (``"ridge:n=1000"``, ``"adam:beta1=0.5"``)
    or objects; ``schedule`` is an expression in k (text, SymPy or a number) or a
    ``plateau:...`` rule, bound to the objective's constants and ``constants``.
    ``average`` is None, one spec (``"uniform"``, ``"suffix:alpha=0.5"``,
    ``"polydecay:gamma=1"``) or a list of them. ``checkpoints`` are update counts in
    0..steps (default: about 10 per decade from 1, plus ``steps``). ``w0`` is the start,
    shape (d,) or (R, d) (default: the objective's). ``progress``: None shows a bar on a
    terminal for runs over ~2 s, True/False force it. ``kernel``: ``"auto"`` (compiled
    when the objective's family and the optimizer have a kernel), ``"compiled"`` or
    ``"numpy"``.
    """
    start = time.perf_counter()
    steps = _count("steps", steps, minimum=1)
    replicates = _count("replicates", replicates, minimum=1)
    seed = _count("seed", seed, minimum=0)
    if kernel not in KERNELS:
        raise UnknownNameError(f"kernel: unknown choice {kernel!r}; allowed: {', '.join(KERNELS)}")
    objective = _objective(objective)
    optimizer = _optimizer(optimizer)
    n = objective.n if objective.oracle == "finite-sum" else None
    batch_size = check_batch_size(batch_size, n, objective.name)
    if objective.oracle == "deterministic" and batch_size != 1:
        raise InputError(
            f"batch_size={batch_size}: objective {objective.name!r} has a deterministic "
            "oracle (exact gradients), so the batch size must be 1"
        )
    sampling = check_sampling(sampling)
    averages = _averages(average)
    ks = _checkpoints(checkpoints, steps)
    start_point = _start(w0, objective, replicates)
    bound = bind_schedule(schedule, objective, constants)

    setup = _Setup(objective, optimizer, bound, replicates, steps, seed, batch_size, sampling)
    stepper, compile_time = _stepper(setup, kernel, start_point, averages)
    record = _record(setup, stepper, averages, ks, progress)

    config = _config(setup, averages, ks, w0, constants, stepper.kind)
    return Trace(
        k=ks,
        gap=record.gap,
        dist2=record.dist2,
        avg_gap=record.avg_gap,
        avg_dist2=record.avg_dist2,
        diverged=stepper.diverged_at >= 0,
        diverged_at=stepper.diverged_at.copy(),
        config=config,
        seed=seed,
        wall_time=time.perf_counter() - start,
        compile_time=compile_time,
    )


@dataclass(frozen=True)
class _Setup:
    objective: Objective
    optimizer: Optimizer
    schedule: Schedule
    replicates: int
    steps: int
    seed: int
    batch_size: int
    sampling: str


@dataclass(frozen=True)
class _Snapshots:
    """State after selected updates of one block: iterates, online averages, prefix sums."""

    W: np.ndarray  # (R, S, d)
    online: np.ndarray  # (R, S, A, d)
    prefix: np.ndarray  # (R, S, d) or (R, S, 0)


class _Stepper(ABC):
    """Iterates, online averages and prefix sums of R replicates, advanced in blocks."""

    kind: str

    def __init__(self, setup: _Setup, w0: np.ndarray, gammas: np.ndarray, suffix: bool) -> None:
        R, d = setup.replicates, setup.objective.d
        self.setup = setup
        self.W = w0.copy()  # (R, d)
        self.gammas = gammas  # polydecay parameters of the online averages (uniform: 0)
        self.online = np.zeros((R, len(gammas), d))
        self.prefix = np.zeros((R, d if suffix else 0))  # sums of w_s - w*
        self.w_star = np.array(setup.objective.w_star, dtype=np.float64)
        self.alive = np.ones(R, dtype=bool)
        self.diverged_at = np.full(R, -1, dtype=np.int64)

    def _empty_snapshots(self, count: int) -> _Snapshots:
        R, d = self.W.shape
        return _Snapshots(
            W=np.full((R, count, d), np.nan),
            online=np.full((R, count, len(self.gammas), d), np.nan),
            prefix=np.full((R, count, self.prefix.shape[1]), np.nan),
        )

    @abstractmethod
    def advance(
        self, k0: int, lr: np.ndarray, scale: np.ndarray, batches: np.ndarray, snap: np.ndarray
    ) -> _Snapshots:
        """Apply updates k0+1..k0+len(lr) with steps lr * scale and the drawn batches.

        Returns the state after each update k0 + snap[s] (snap: increasing, in 1..len(lr)).
        """


class _CompiledStepper(_Stepper):
    kind = "compiled"

    def __init__(
        self,
        setup: _Setup,
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
    ) -> _Snapshots:
        empty = np.empty((0, 0, 0))
        if self.setup.objective.oracle == "finite-sum":
            idx, noise = batches, empty
        elif self.setup.objective.oracle == "gaussian":
            idx, noise = empty.astype(np.int64), batches
        else:
            idx, noise = empty.astype(np.int64), empty
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


class _NumpyStepper(_Stepper):
    kind = "numpy"

    def __init__(self, setup: _Setup, w0: np.ndarray, gammas: np.ndarray, suffix: bool) -> None:
        super().__init__(setup, w0, gammas, suffix)
        self.state = setup.optimizer.init(self.W.copy())

    def advance(
        self, k0: int, lr: np.ndarray, scale: np.ndarray, batches: np.ndarray, snap: np.ndarray
    ) -> _Snapshots:
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
                grad = objective.grad(optimizer.lookahead(state, W), batch)
                W, state = optimizer.update(grad, state, W, step)
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


def _stepper(
    setup: _Setup, kernel: str, w0: np.ndarray, averages: list[Average]
) -> tuple[_Stepper, float]:
    """The compiled stepper if allowed and available (timing its compilation), else numpy."""
    online = [avg for avg in averages if avg.kind != "suffix"]
    gammas = np.array([0.0 if avg.kind == "uniform" else avg.param for avg in online])
    suffix = any(avg.kind == "suffix" for avg in averages)
    if kernel == "numpy":
        return _NumpyStepper(setup, w0, gammas, suffix), 0.0
    family = kernels.pack_objective(setup.objective)
    opt = kernels.pack_optimizer(setup.optimizer)
    if kernel == "auto" and (family is None or opt is None):
        return _NumpyStepper(setup, w0, gammas, suffix), 0.0
    if family is None or opt is None:
        raise InputError(
            f"kernel='compiled': no compiled kernel for objective family "
            f"{setup.objective.family!r} (compiled: {', '.join(kernels.FAMILY_CODES)}) with "
            f"optimizer {setup.optimizer.name!r} (compiled built-ins: "
            f"{', '.join(kernels.OPTIMIZER_SLOTS)})"
        )
    stepper = _CompiledStepper(setup, w0, gammas, suffix, family, opt)
    tic = time.perf_counter()  # an empty block compiles (or loads) the kernel
    no_snap = np.empty(0, dtype=np.int64)
    stepper.advance(0, np.empty(0), np.ones(setup.replicates), _draws(setup, None, 0), no_snap)
    return stepper, time.perf_counter() - tic


@dataclass
class _Record:
    gap: np.ndarray
    dist2: np.ndarray
    avg_gap: dict[str, np.ndarray]
    avg_dist2: dict[str, np.ndarray]


def _record(
    setup: _Setup,
    stepper: _Stepper,
    averages: list[Average],
    ks: np.ndarray,
    progress: bool | None,
) -> _Record:
    """Run all updates; record gaps and distances (NaN once diverged) at the checkpoints.

    Events are the checkpoints, the times t = suffix_start(alpha, k) - 1 whose prefix
    sums the suffix averages need, and the plateau rule's evaluation points. A block
    (one kernel call) covers as many events as memory allows and ends at a plateau
    evaluation, whose decision changes the steps that follow.
    """
    objective, R = setup.objective, setup.replicates
    J = len(ks)
    record = _Record(
        gap=np.full((R, J), np.nan),
        dist2=np.full((R, J), np.nan),
        avg_gap={avg.label: np.full((R, J), np.nan) for avg in averages},
        avg_dist2={avg.label: np.full((R, J), np.nan) for avg in averages},
    )
    suffixes = [avg for avg in averages if avg.kind == "suffix"]
    online = [avg for avg in averages if avg.kind != "suffix"]
    last_use: dict[int, int] = {}  # prefix-sum time -> last checkpoint that needs it
    for avg in suffixes:
        for k in ks[ks >= 1]:
            t = suffix_start(avg.param, int(k)) - 1
            last_use[t] = max(last_use.get(t, 0), int(k))
    prefixes: dict[int, np.ndarray] = {0: np.zeros_like(stepper.prefix)}
    checkpoint_index = {int(k): j for j, k in enumerate(ks)}
    schedule = setup.schedule
    tracker = schedule.tracker(R) if isinstance(schedule, PlateauSchedule) else None
    plateau_times = (
        set(range(schedule.every, setup.steps + 1, schedule.every)) if tracker else set()
    )
    events = sorted((set(checkpoint_index) | set(last_use) | plateau_times) - {0})

    def evaluate(k: int, W: np.ndarray, online_avg: np.ndarray, prefix: np.ndarray) -> None:
        """Record checkpoint k and/or feed the plateau rule, from the state after update k."""
        nonlocal scale
        if k in last_use:
            prefixes[k] = prefix.copy()
        dead = (stepper.diverged_at >= 1) & (stepper.diverged_at <= k)
        with np.errstate(all="ignore"):
            gap = np.where(dead, np.nan, objective.gap(W))
            if k in checkpoint_index:
                j = checkpoint_index[k]
                record.gap[:, j] = gap
                record.dist2[:, j] = np.where(dead, np.nan, objective.dist2(W))
                points = _average_points(
                    online, online_avg, suffixes, prefix, prefixes, k, stepper.w_star
                )
                for label, point in points.items():
                    record.avg_gap[label][:, j] = np.where(dead, np.nan, objective.gap(point))
                    record.avg_dist2[label][:, j] = np.where(dead, np.nan, objective.dist2(point))
                for t in [t for t in prefixes if last_use.get(t, k) <= k]:
                    del prefixes[t]
        if tracker is not None and k in plateau_times:
            tracker.observe(objective.f_star + gap)
            scale = tracker.scale

    scale = np.ones(R)
    if 0 in checkpoint_index:
        evaluate(0, stepper.W, stepper.online, stepper.prefix)
    draws = _sampler(setup, replicate_generators(setup.seed, R))
    bar = Progress(setup.steps, enabled=progress)
    step_cap, snap_cap = _block_caps(setup, len(stepper.gammas), bar.enabled)
    done, i = 0, 0
    while i < len(events):
        block: list[int] = []
        while i < len(events) and events[i] - done <= step_cap and len(block) < snap_cap:
            block.append(events[i])
            i += 1
            if block[-1] in plateau_times:
                break
        end = block[-1] if block else done + step_cap
        m = end - done
        lr = schedule.values(np.arange(done + 1, end + 1))
        snap = np.array(block, dtype=np.int64) - done
        out = stepper.advance(done, lr, scale, _draws(setup, draws, m), snap)
        for s, k in enumerate(block):
            evaluate(k, out.W[:, s], out.online[:, s], out.prefix[:, s])
        done = end
        bar.update(done)
    bar.close()
    return record


def _average_points(
    online: list[Average],
    online_avg: np.ndarray,
    suffixes: list[Average],
    prefix: np.ndarray,
    prefixes: dict[int, np.ndarray],
    k: int,
    w_star: np.ndarray,
) -> dict[str, np.ndarray]:
    """Each average of w_1..w_k (R, d) by label; none at k = 0.

    Suffix averages come from prefix sums of w - w*: w* + (S_k - S_{j-1})/(k - j + 1).
    """
    if k == 0:
        return {}
    points = {avg.label: online_avg[:, a] for a, avg in enumerate(online)}
    for avg in suffixes:
        first = suffix_start(avg.param, k)
        points[avg.label] = w_star + (prefix - prefixes[first - 1]) / (k - first + 1)
    return points


def _sampler(setup: _Setup, generators: list[np.random.Generator]) -> Any:
    """The block source of the oracle's randomness (None for a deterministic oracle)."""
    objective = setup.objective
    if objective.oracle == "finite-sum":
        assert objective.n is not None
        return IndexSampler(objective.n, setup.batch_size, setup.sampling, generators)
    if objective.oracle == "gaussian":
        return GaussianNoise(objective.d, setup.batch_size, generators)
    return None


def _draws(setup: _Setup, sampler: Any, m: int) -> np.ndarray:
    """Batches of the next m updates: indices (R, m, b), noise (R, m, d) or an empty array."""
    R = setup.replicates
    if sampler is not None and m > 0:
        return sampler.draw(m)
    if setup.objective.oracle == "finite-sum":
        return np.empty((R, 0, setup.batch_size), dtype=np.int64)
    if setup.objective.oracle == "gaussian":
        return np.empty((R, 0, setup.objective.d))
    return np.empty((R, 0, 0))


def _block_caps(setup: _Setup, n_online: int, progress: bool) -> tuple[int, int]:
    """Most updates and most snapshots per block (bounded memory; finer with a progress bar)."""
    oracle, R, d = setup.objective.oracle, setup.replicates, setup.objective.d
    width = {"finite-sum": setup.batch_size, "gaussian": d}.get(oracle, 1)
    steps = max(1, CHUNK_ELEMENTS // (R * width))
    if progress:
        steps = min(steps, max(1024, setup.steps // PROGRESS_CHUNKS))
    snaps = max(1, CHUNK_ELEMENTS // (R * d * (2 + n_online)))
    return steps, snaps


def _count(name: str, value: object, minimum: int) -> int:
    """An integer >= minimum (bools refused), else InputError naming the argument."""
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < minimum:
        raise InputError(f"{name}: expected an integer >= {minimum}, got {value!r}")
    return int(value)


def _objective(spec: str | Objective) -> Objective:
    if isinstance(spec, Objective):
        return spec
    from empirical.objectives import objective  # the registry imports every objective

    return objective(spec)


def _optimizer(spec: str | Optimizer) -> Optimizer:
    if isinstance(spec, Optimizer):
        return spec
    from empirical.optimizers import optimizer

    return optimizer(spec)


def _averages(average: AverageSpec | Sequence[AverageSpec]) -> list[Average]:
    """Parsed averages, 'none' dropped; a label given twice is an error."""
    items = list(average) if isinstance(average, list | tuple) else [average]
    parsed = [avg for avg in map(parse_average, items) if avg is not None]
    labels = [avg.label for avg in parsed]
    twice = sorted({label for label in labels if labels.count(label) > 1})
    if twice:
        raise InputError(f"average: {', '.join(twice)} given more than once")
    return parsed


def _checkpoints(checkpoints: Iterable[int] | None, steps: int) -> np.ndarray:
    """Sorted distinct update counts in 0..steps (default: geometric, see Trace)."""
    if checkpoints is None:
        return geometric_checkpoints(steps)
    try:
        values = np.asarray(list(checkpoints))
    except TypeError:
        raise InputError(f"checkpoints: expected a list of integers, got {checkpoints!r}") from None
    if values.ndim != 1 or values.size == 0:
        raise InputError(f"checkpoints: expected a non-empty list of integers, got {checkpoints!r}")
    if values.dtype.kind not in "iu" and not (
        values.dtype.kind == "f"
        and np.all(np.isfinite(values))
        and np.all(values == np.rint(values))
    ):
        raise InputError(f"checkpoints: expected integers, got {values.tolist()!r}")
    ks = np.unique(values.astype(np.int64))
    outside = ks[(ks < 0) | (ks > steps)]
    if outside.size:
        raise InputError(
            f"checkpoints: {outside.tolist()} outside 0..steps={steps} (k counts updates)"
        )
    return ks


def _start(w0: object, objective: Objective, replicates: int) -> np.ndarray:
    """The start of every replicate, (R, d): ``w0`` (shape (d,) or (R, d)) or the objective's."""
    d = objective.d
    if w0 is None:
        return np.tile(np.asarray(objective.w0, dtype=np.float64), (replicates, 1))
    try:
        start = np.array(w0, dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"w0: expected an array of {d} numbers, got {w0!r}") from None
    if start.shape not in ((d,), (replicates, d)):
        raise InputError(
            f"w0: expected shape ({d},) or ({replicates}, {d}) for objective "
            f"{objective.name!r} with R={replicates}, got shape {start.shape}"
        )
    if not np.all(np.isfinite(start)):
        raise InputError(f"w0: contains NaN or infinite values ({start.tolist()!r})")
    if objective.domain is not None:
        projected = objective.domain.project(np.atleast_2d(start))
        if not np.array_equal(projected, np.atleast_2d(start)):
            raise InputError(
                f"w0: {start.tolist()!r} lies outside the domain of {objective.name!r}"
            )
    return np.ascontiguousarray(np.broadcast_to(start, (replicates, d)))


def _config(
    setup: _Setup,
    averages: list[Average],
    ks: np.ndarray,
    w0: object,
    constants: Mapping[str, float] | None,
    kind: str,
) -> dict[str, Any]:
    """A JSON-ready description of the run."""
    opt = setup.optimizer
    config = {
        "objective": setup.objective.describe(),
        "optimizer": {
            "name": opt.name,
            "hyperparams": dict(opt.hyperparams),
            "builtin": opt.builtin,
        },
        "schedule": setup.schedule.describe(),
        "schedule_constants": dict(getattr(setup.schedule, "constants", {}) or {}),
        "steps": setup.steps,
        "replicates": setup.replicates,
        "seed": setup.seed,
        "batch_size": setup.batch_size,
        "sampling": setup.sampling,
        "averages": [avg.to_spec() for avg in averages],
        "checkpoints": ks.tolist(),
        "w0": None if w0 is None else np.asarray(w0, dtype=float).tolist(),
        "constants": dict(constants or {}),
        "ratecheck": _version(),
        "kernel": kind,
    }
    return json.loads(json.dumps(config, default=_json_default))


def _json_default(value: object) -> Any:
    if isinstance(value, np.generic | np.ndarray):
        return value.tolist()
    return str(value)


def _version() -> str:
    try:
        return importlib.metadata.version("ratecheck")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"
