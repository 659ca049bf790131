"""Check a run against theory: ``verify(objective, optimizer, schedule, expect=...)``.

``verify`` plans the checks (:mod:`empirical.verification.plan`: assumptions, iterate,
quantity, mode, bound with its constants), runs R replicates (:func:`empirical.run`),
then tests the recorded quantity (:mod:`empirical.verification.checks`) and returns a
:class:`VerificationResult`. ``verify_trace`` does the same on a recorded
:class:`~empirical.runner.trace.Trace`.

Defaults: K = 1e5 updates and R = 30 replicates. With kmin = 10, K = 1e5 leaves up to
four decades to fit. STATISTICS.md §3a gives the per-replicate slope sd sigma_1 = 0.065 at
four decades and 10 noise dimensions, falling like 1/sqrt(d) in the noise dimension d;
the rule of §3b (:func:`empirical.fitting.needed_replicates`: 95% power against an
exponent off by 0.1 at a 1% false-alarm level) then asks for R = 10 at d = 10, R = 30 at
d = 2.5 and R = 70 at d = 1. Runs with fewer noise dimensions get INCONCLUSIVE verdicts
that state the R they need.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from numbers import Integral
from typing import Any

import numpy as np
import sympy as sp

from empirical.averaging import Average, parse_average
from empirical.fitting.inputs import checked_fraction, checked_nonnegative
from empirical.objectives import OBJECTIVES
from empirical.objectives import objective as make_objective
from empirical.objectives.base import Objective
from empirical.optimizers import optimizer as make_optimizer
from empirical.optimizers.base import Optimizer
from empirical.runner.loop import run
from empirical.runner.sampling import check_batch_size, check_sampling
from empirical.runner.trace import Trace, geometric_checkpoints
from empirical.schedules import Schedule, bind_schedule
from empirical.verdicts.core import checked_trace
from empirical.verification.checks import combine, run_checks
from empirical.verification.expectation import Expectation, parse_expectation
from empirical.verification.plan import Plan, plan_verification
from empirical.verification.result import SCHEMA, VerificationResult
from theory.errors import InputError, UnknownNameError
from theory.theorems import Theorem

__all__ = [
    "DEFAULT_REPLICATES",
    "DEFAULT_SEED",
    "DEFAULT_STEPS",
    "SCHEMA",
    "VerificationResult",
    "verify",
    "verify_trace",
]

DEFAULT_STEPS = 100_000
DEFAULT_REPLICATES = 30
DEFAULT_SEED = 0
DENSE_CHECKPOINTS = 100
"""A linear rate records every k <= 100 (it may reach the float floor within a decade)."""
LINEAR_STAGE = 1_000
"""Updates of the first stage of a run checked for a linear rate (see ``_linear_run``)."""

_DEFAULTS = {"alpha": 0.01, "delta": 0.05, "rtol": 0.1, "alpha_c": 0.2}
"""Test settings: level alpha, exponent tolerance delta (STATISTICS.md §5), relative
tolerance rtol of exact constants, alpha_c of the burn-in curvature test."""


def verify(
    objective: str | Objective,
    optimizer: str | Optimizer,
    schedule: str | sp.Expr | float | Schedule,
    *,
    expect: str | Theorem,
    steps: int = DEFAULT_STEPS,
    replicates: int = DEFAULT_REPLICATES,
    seed: int = DEFAULT_SEED,
    batch_size: int = 1,
    sampling: str = "shuffle",
    average: str | Average | None = None,
    alpha: float = _DEFAULTS["alpha"],
    delta: float = _DEFAULTS["delta"],
    rtol: float = _DEFAULTS["rtol"],
    alpha_c: float = _DEFAULTS["alpha_c"],
    constants: Mapping[str, float] | None = None,
    progress: bool | None = False,
    kernel: str = "auto",
) -> VerificationResult:
    """Run ``replicates`` copies of ``optimizer`` for ``steps`` updates and check ``expect``.

    ``expect`` is a theorem id or :class:`Theorem`, ``"O(EXPR)"`` (EXPR in k) or
    ``"linear"``. A theorem's assumptions are checked against the objective first
    (:class:`InputError` if it does not apply). ``alpha`` is the level of every test,
    ``delta`` the tolerance on the exponent (on the relative log-rate for linear rates),
    ``rtol`` the relative tolerance of exact and asymptotic constants. The other arguments
    are those of :func:`empirical.run`.
    """
    settings = _settings(alpha, delta, rtol, alpha_c)
    expectation = parse_expectation(expect)
    obj = make_objective(objective)
    opt = make_optimizer(optimizer)
    sampling = check_sampling(sampling)
    n = obj.n if obj.oracle == "finite-sum" else None
    batch_size = check_batch_size(batch_size, n, obj.name)
    bound_schedule = bind_schedule(schedule, obj, constants)
    plan = plan_verification(
        expectation,
        obj,
        opt.name if opt.builtin else None,
        bound_schedule,
        batch_size=batch_size,
        sampling=sampling,
        average=parse_average(average),
    )
    options = {
        "replicates": replicates,
        "seed": seed,
        "batch_size": batch_size,
        "sampling": sampling,
        "average": plan.average,
        "constants": constants,
        "progress": progress,
        "kernel": kernel,
    }
    if plan.linear:
        trace = _linear_run(plan, obj, opt, bound_schedule, _count("steps", steps), options)
    else:
        trace = run(obj, opt, bound_schedule, steps=steps, **options)
    config = _config(objective, optimizer, expectation, plan, trace, settings, constants, steps)
    notes = []
    if int(trace.k[-1]) < steps:
        notes.append(
            f"the run stopped after {int(trace.k[-1])} of {steps} updates: the gap reached the "
            "float floor (or a replicate diverged) by then, and later updates cannot change "
            "the verdict"
        )
    return _checked(plan, trace, obj, settings, config, notes)


def verify_trace(
    trace: Trace,
    expect: str | Theorem,
    *,
    objective: str | Objective | None = None,
    average: str | Average | None = None,
    alpha: float = _DEFAULTS["alpha"],
    delta: float = _DEFAULTS["delta"],
    rtol: float = _DEFAULTS["rtol"],
    alpha_c: float = _DEFAULTS["alpha_c"],
) -> VerificationResult:
    """Check a recorded ``trace`` against ``expect`` (see :func:`verify`).

    ``average`` selects a recorded average (by spec, e.g. ``"uniform"``); a theorem about
    an average needs it recorded. ``objective`` defaults to the built-in objective that
    the trace's config describes; a theorem needs it (assumptions and constants).
    """
    if not isinstance(trace, Trace):
        raise InputError(f"trace: expected an empirical.Trace, got {type(trace).__name__}")
    settings = _settings(alpha, delta, rtol, alpha_c)
    expectation = parse_expectation(expect)
    cfg = trace.config
    obj = _trace_objective(trace, objective)
    run_optimizer = cfg.get("optimizer", {})
    schedule = bind_schedule(
        str(cfg.get("schedule", "")), obj, cfg.get("schedule_constants") or None
    )
    plan = plan_verification(
        expectation,
        obj,
        run_optimizer.get("name") if run_optimizer.get("builtin") else None,
        schedule,
        batch_size=int(cfg.get("batch_size", 1)),
        sampling=str(cfg.get("sampling", "shuffle")),
        average=parse_average(average),
    )
    config = _config(
        _objective_spec(obj),
        _optimizer_spec(run_optimizer),
        expectation,
        plan,
        trace,
        settings,
        cfg.get("constants") or None,
    )
    return _checked(plan, trace, obj, settings, config)


def _linear_run(
    plan: Plan,
    objective: Objective,
    optimizer: Optimizer,
    schedule: Schedule,
    steps: int,
    options: dict[str, Any],
) -> Trace:
    """Run for a linear rate: every k <= 100 recorded, and a first stage of
    ``LINEAR_STAGE`` updates kept when the gap reaches the float floor (or a replicate
    diverges) in it, since the whole tail after the floor is cut from every check."""

    def staged(count: int) -> Trace:
        dense = np.arange(1, min(count, DENSE_CHECKPOINTS) + 1)
        checkpoints = np.union1d(geometric_checkpoints(count), dense)
        return run(objective, optimizer, schedule, steps=count, checkpoints=checkpoints, **options)

    if steps > LINEAR_STAGE:
        first = staged(LINEAR_STAGE)
        series = _series(plan, first)
        clean = checked_trace(first.k, series, plan.kmin, _f_scale(plan, objective)).clean
        if clean.n_diverged or clean.cut_cause == "floor":
            return first
    return staged(steps)


def _settings(alpha: float, delta: float, rtol: float, alpha_c: float) -> dict[str, float]:
    """The test settings, checked before anything runs."""
    return {
        "alpha": checked_fraction("alpha", alpha),
        "delta": checked_nonnegative("delta", delta),
        "rtol": checked_nonnegative("rtol", rtol),
        "alpha_c": checked_fraction("alpha_c", alpha_c),
    }


def _count(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, Integral) or int(value) < 1:
        raise InputError(f"{name}: expected an integer >= 1, got {value!r}")
    return int(value)


def _trace_objective(trace: Trace, objective: str | Objective | None) -> Objective:
    if objective is not None:
        return make_objective(objective)
    described = trace.config.get("objective", {})
    name = described.get("name")
    if name not in OBJECTIVES:
        raise InputError(
            f"trace: its objective {name!r} is not built in; pass objective=... to verify it"
        )
    return OBJECTIVES[name](**described.get("params", {}))


def _series(plan: Plan, trace: Trace) -> np.ndarray:
    """The checked quantity (R, J): gap or dist2 of the last iterate or of the average."""
    if plan.average is None:
        return np.asarray(trace.gap if plan.quantity == "gap" else trace.dist2)
    table = trace.avg_gap if plan.quantity == "gap" else trace.avg_dist2
    label = plan.average.label
    if label not in table:
        raise UnknownNameError(
            f"average {plan.average.to_spec()!r} is not recorded in the trace; recorded: "
            f"{', '.join(table) or '(none)'}; run with average={plan.average.to_spec()!r}"
        )
    return np.asarray(table[label])


def _f_scale(plan: Plan, objective: Objective) -> float:
    """Magnitude behind the float floor (STATISTICS.md §4c): for the gap, max(1, |f*|),
    since rounding near the optimum scales with |f*| (never with the largest gap: a
    diverging run would raise the floor above every checkpoint and hide the divergence);
    for ||w - w*||^2, whose rounding error is about (eps ||w*||)^2, the f_scale giving
    tau = (1e3 eps ||w*||)^2."""
    if plan.quantity == "dist2":
        norm2 = float(np.dot(objective.w_star, objective.w_star))
        return 1e3 * float(np.finfo(np.float64).eps) * norm2
    return max(1.0, abs(float(objective.f_star)))


def _checked(
    plan: Plan,
    trace: Trace,
    objective: Objective,
    settings: dict[str, float],
    config: dict[str, Any],
    notes: list[str] | None = None,
) -> VerificationResult:
    series = _series(plan, trace)
    checks = run_checks(
        plan,
        np.asarray(trace.k),
        series,
        np.asarray(trace.dist2),
        f_scale=_f_scale(plan, objective),
        **settings,
    )
    outcome = combine(plan, checks)
    return VerificationResult.build(plan, checks, outcome, trace, series, config, notes or [])


def _objective_spec(objective: str | Objective) -> str:
    if isinstance(objective, str):
        return objective.strip()
    params = ",".join(f"{key}={value}" for key, value in objective.params.items())
    return f"{objective.name}:{params}" if params else objective.name


def _optimizer_spec(optimizer: str | Optimizer | Mapping[str, Any]) -> str:
    if isinstance(optimizer, str):
        return optimizer.strip()
    if isinstance(optimizer, Optimizer):
        name, hyper = optimizer.name, optimizer.hyperparams
    else:
        name, hyper = str(optimizer.get("name", "custom")), optimizer.get("hyperparams", {})
    params = ",".join(f"{key}={value}" for key, value in hyper.items())
    return f"{name}:{params}" if params else name


def _config(
    objective: str | Objective,
    optimizer: str | Optimizer | Mapping[str, Any],
    expectation: Expectation,
    plan: Plan,
    trace: Trace,
    settings: dict[str, float],
    constants: Mapping[str, float] | None,
    steps: int | None = None,
) -> dict[str, Any]:
    """Everything needed to rerun, and the command line that does (``steps`` as requested;
    default: the trace's last checkpoint)."""
    cfg = trace.config
    average = plan.average.to_spec() if plan.average else "none"
    config = {
        "objective": _objective_spec(objective),
        "optimizer": _optimizer_spec(optimizer),
        "schedule": str(cfg.get("schedule")),
        "batch_size": int(cfg.get("batch_size", 1)),
        "sampling": str(cfg.get("sampling", "shuffle")),
        "average": average,
        "steps": int(trace.k[-1]) if steps is None else int(steps),
        "steps_run": int(trace.k[-1]),
        "replicates": trace.replicates,
        "seed": trace.seed,
        "expect": expectation.describe(),
        "constants": dict(constants or {}),
        **settings,
        "run": dict(cfg),
    }
    words = ["ratecheck", "verify"]
    for flag in ("objective", "optimizer", "schedule", "batch-size", "sampling", "average"):
        words += [f"--{flag}", str(config[flag.replace("-", "_")])]
    for flag in ("steps", "replicates", "seed", "expect"):
        words += [f"--{flag}", str(config[flag])]
    for key, default in _DEFAULTS.items():
        if settings[key] != default:
            words += [f"--{key.replace('_', '-')}", repr(settings[key])]
    if constants:
        words += ["--constants", ",".join(f"{k}={v!r}" for k, v in constants.items())]
    config["command"] = shlex.join(words)
    return config
