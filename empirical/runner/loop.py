"""Run R replicates of an optimizer on an objective at once and record a :class:`Trace`.

``run(objective, optimizer, schedule, steps=K, replicates=R, seed=s)`` advances all R
replicates together from ``w_0``: update k (k = 1..K) draws replicate r's batch from
its own stream (:mod:`empirical.runner.sampling`), takes the stochastic gradient at the
optimizer's look-ahead point, applies the optimizer with the step eta_k (times the
replicate's plateau scale), projects onto the objective's domain, tests divergence and
updates the online averages. At each checkpoint it records F(w_k) - F* and
||w_k - w*||^2 for every replicate and every average.

Built-in optimizers on objectives of a compiled family run the fused numba kernel of
:mod:`empirical.runner.kernels`; anything else runs the numpy path, a Python loop over updates
vectorized over replicates that calls ``objective.grad`` and ``optimizer.update`` (both
steppers are in :mod:`empirical.runner.stepping`). Both implement the same formulas (a test
checks them against each other); reruns with the same arguments are bit-identical, and
replicate r does not change when R does. The updates run in blocks, each as long as
memory allows and ending at a plateau evaluation, so one kernel call covers many
checkpoints.
"""

from __future__ import annotations

import importlib.metadata
import json
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import sympy as sp

from empirical import limits
from empirical.averaging import Average, parse_average, suffix_start
from empirical.objectives.base import Objective
from empirical.optimizers.base import Optimizer
from empirical.runner.progress import Progress
from empirical.runner.stepping import Setup, Stepper, draws, make_stepper, sampler
from empirical.runner.trace import Trace, geometric_checkpoints
from empirical.scenario import Scenario
from empirical.schedules import PlateauSchedule, Schedule
from theory import validation
from theory.errors import InputError

KERNELS = ("auto", "compiled", "numpy")
"""``kernel`` choices: the compiled kernel when available, always it, or the numpy path."""
CHUNK_ELEMENTS = 1 << 22
"""Most pre-drawn batch entries (indices or noise), and most snapshot values, per block."""
PROGRESS_CHUNKS = 50
"""With a progress bar, blocks are cut to at most steps/50 updates (bar granularity)."""

AverageSpec = str | Average | None


def run(
    objective: str | Objective | Scenario,
    optimizer: str | Optimizer | None = None,
    schedule: str | sp.Expr | float | Schedule | None = None,
    *,
    steps: int | None = None,
    replicates: int | None = None,
    seed: int | None = None,
    batch_size: int = 1,
    sampling: str = "shuffle",
    average: AverageSpec | Sequence[AverageSpec] = None,
    checkpoints: Iterable[int] | None = None,
    w0: np.ndarray | Sequence[float] | None = None,
    constants: Mapping[str, float] | None = None,
    progress: bool | None = None,
    kernel: str = "auto",
    first_replicate: int = 0,
) -> Trace:
    """Run ``replicates`` independent copies of ``optimizer`` for ``steps`` updates.

    ``run(scenario)`` runs a :class:`~empirical.scenario.Scenario` (recording the average
    it verifies, if any); the keyword form describes one: ``objective`` and ``optimizer`` are
    specs (``"ridge:n=1000"``, ``"adam:beta1=0.5"``) or objects; ``schedule`` is an
    expression in k (text, SymPy or a number) or a ``plateau:...`` rule, bound to the
    objective's constants and ``constants``; ``steps``, ``replicates`` and ``seed`` are
    required. ``average`` is None, one spec (``"uniform"``, ``"suffix:alpha=0.5"``,
    ``"polydecay:gamma=1"``) or a list of them. ``checkpoints`` are update counts in
    0..steps (default: about 10 per decade from 1, plus ``steps``). ``w0`` is the start,
    shape (d,) or (R, d) (default: the objective's). ``progress``: None shows a bar on a
    terminal for runs over ~2 s, True/False force it. ``kernel``: ``"auto"`` (compiled
    when the objective's family and the optimizer have a kernel), ``"compiled"`` or
    ``"numpy"``. ``first_replicate`` = r0 runs replicates r0 .. r0 + R - 1 (each one's
    stream depends on (seed, r) only, so a later stage adds replicates to an earlier one:
    :meth:`Trace.concatenate`).
    """
    start = time.perf_counter()
    if isinstance(objective, Scenario):
        scenario = objective
        given = {"optimizer": optimizer, "schedule": schedule, "steps": steps}
        given.update(replicates=replicates, seed=seed, constants=constants)
        extra = [name for name, value in given.items() if value is not None]
        if extra or batch_size != 1 or sampling != "shuffle" or average is not None:
            raise InputError(
                "run: a Scenario describes the whole run; pass it alone (it was given with "
                f"{', '.join(extra) or 'run fields'})"
            )
        verified = scenario.parts.plan.average if scenario.parts.plan else scenario.parts.average
        averages = [verified] if verified is not None else []
    else:
        required = {"optimizer": optimizer, "schedule": schedule, "steps": steps}
        required.update(replicates=replicates, seed=seed)
        missing = [name for name, value in required.items() if value is None]
        if missing:
            raise InputError(f"run: missing required argument(s) {', '.join(missing)}")
        averages = _averages(average)
        scenario = Scenario(
            objective,
            optimizer,
            schedule,
            steps=steps,
            replicates=replicates,
            seed=seed,
            batch_size=batch_size,
            sampling=sampling,
            constants=constants or {},
        )
    validation.choice("run", "kernel", kernel, KERNELS)
    first_replicate = validation.integer("run", "first_replicate", first_replicate, minimum=0)
    parts = scenario.parts
    replicates = scenario.stage_replicates
    ks = _checkpoints(checkpoints, scenario.steps)
    suffixes = sum(avg.kind == "suffix" for avg in averages)
    size = limits.run_size(
        parts.objective,
        replicates,
        scenario.steps,
        len(ks),
        len(averages),
        suffixes,
        scenario.batch_size,
    )
    limits.check_memory("run", size)
    start_point = _start(w0, parts.objective, replicates)
    setup = Setup(
        parts.objective,
        parts.optimizer,
        parts.schedule,
        replicates,
        scenario.steps,
        scenario.seed,
        scenario.batch_size,
        scenario.sampling,
        first_replicate,
    )
    stepper, compile_time = make_stepper(setup, kernel, start_point, averages)
    record = _record(setup, stepper, averages, ks, progress)

    config = _config(setup, averages, ks, w0, scenario.constants, stepper.kind)
    return Trace(
        k=ks,
        gap=record.gap,
        dist2=record.dist2,
        avg_gap=record.avg_gap,
        avg_dist2=record.avg_dist2,
        diverged=stepper.diverged_at >= 0,
        diverged_at=stepper.diverged_at.copy(),
        config=config,
        seed=scenario.seed,
        wall_time=time.perf_counter() - start,
        compile_time=compile_time,
    )


@dataclass
class _Record:
    gap: np.ndarray
    dist2: np.ndarray
    avg_gap: dict[str, np.ndarray]
    avg_dist2: dict[str, np.ndarray]


def _record(
    setup: Setup,
    stepper: Stepper,
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
    source = sampler(setup)
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
        out = stepper.advance(done, lr, scale, draws(setup, source, m), snap)
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


def _block_caps(setup: Setup, n_online: int, progress: bool) -> tuple[int, int]:
    """Most updates and most snapshots per block (bounded memory; finer with a progress bar)."""
    oracle, R, d = setup.objective.oracle, setup.replicates, setup.objective.d
    width = {"finite-sum": setup.batch_size, "gaussian": d}.get(oracle, 1)
    steps = max(1, CHUNK_ELEMENTS // (R * width))
    if progress:
        steps = min(steps, max(1024, setup.steps // PROGRESS_CHUNKS))
    snaps = max(1, CHUNK_ELEMENTS // (R * d * (2 + n_online)))
    return steps, snaps


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
    expected = f"a non-empty list of integers in 0..steps={steps} (k counts updates)"
    try:
        values = np.asarray(list(checkpoints))
    except TypeError:
        raise validation.not_allowed("run", "checkpoints", checkpoints, expected) from None
    if (
        values.ndim != 1
        or values.size == 0
        or values.dtype.kind not in "iuf"
        or not np.all(np.isfinite(values))
        or not np.all(values == np.rint(values))
    ):
        raise validation.not_allowed("run", "checkpoints", checkpoints, expected)
    ks = np.unique(values.astype(np.int64))
    outside = ks[(ks < 0) | (ks > steps)]
    if outside.size:
        expected += f"; {outside.tolist()} are outside"
        raise validation.not_allowed("run", "checkpoints", checkpoints, expected)
    return ks


def _start(w0: object, objective: Objective, replicates: int) -> np.ndarray:
    """The start of every replicate, (R, d): ``w0`` (shape (d,) or (R, d)) or the objective's."""
    d = objective.d
    if w0 is None:
        return np.tile(np.asarray(objective.w0, dtype=np.float64), (replicates, 1))
    expected = (
        f"finite numbers of shape ({d},) or ({replicates}, {d}), for objective "
        f"{objective.name!r} with R = {replicates}"
    )
    try:
        start = np.array(w0, dtype=np.float64)
    except (TypeError, ValueError):
        raise validation.not_allowed("run", "w0", w0, expected) from None
    if start.shape not in ((d,), (replicates, d)) or not np.all(np.isfinite(start)):
        raise validation.not_allowed("run", "w0", w0, expected)
    if objective.domain is not None:
        projected = objective.domain.project(np.atleast_2d(start))
        if not np.array_equal(projected, np.atleast_2d(start)):
            expected = f"a start inside the domain of objective {objective.name!r}"
            raise validation.not_allowed("run", "w0", w0, expected)
    return np.ascontiguousarray(np.broadcast_to(start, (replicates, d)))


def _config(
    setup: Setup,
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
        "first_replicate": setup.first_replicate,
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
