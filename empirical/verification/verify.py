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

import dataclasses
import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import sympy as sp

from empirical import limits
from empirical.averaging import Average, parse_average
from empirical.objectives import OBJECTIVES
from empirical.objectives import objective as make_objective
from empirical.objectives.base import Objective
from empirical.optimizers.base import Optimizer
from empirical.runner.loop import run
from empirical.runner.trace import Trace, geometric_checkpoints
from empirical.scenario import (
    DEFAULT_REPLICATES,
    DEFAULT_SEED,
    DEFAULT_STEPS,
    SETTINGS,
    Scenario,
    command_line,
    objective_spec,
    optimizer_spec,
)
from empirical.schedules import Schedule, bind_schedule
from empirical.verdicts.core import checked_trace
from empirical.verification.checks import combine, run_checks
from empirical.verification.expectation import parse_expectation
from empirical.verification.plan import Plan, plan_verification
from empirical.verification.result import SCHEMA, VerificationResult
from theory import validation
from theory.errors import InputError, UnknownNameError
from theory.theorems import Theorem

__all__ = [
    "DEFAULT_REPLICATES",
    "DEFAULT_SEED",
    "DEFAULT_STEPS",
    "SCHEMA",
    "VerificationResult",
    "verify",
    "verify_scenario",
    "verify_trace",
]

SECOND_STAGE_LABELS = ("imprecise", "end-flattening", "pre-asymptotic")
"""INCONCLUSIVE labels that more replicates can resolve (an auto-sized verify's stage 2)."""
WIDER_LABELS = ("imprecise", "end-flattening")
"""INCONCLUSIVE labels of stage 2 that still more replicates can resolve (stage 3, R up to
1.25 times what stage 2 asks for: stage 1's estimate of the need is often low, because its
burn-in test, with fewer replicates, kept a longer window than stage 2's)."""
LONGER_LABELS = ("pre-asymptotic",)
"""INCONCLUSIVE labels of stage 2 that a longer run can resolve (stage 3, K times LONGER)."""
LONGER = 10
"""Stage 3 reruns K = LONGER * K: one more decade, past the curvature of the burn-in."""
LEVELS = (0.5, 0.25, 0.25)
"""Fractions of alpha spent by the looks of an auto-sized verify (Bonferroni: they sum to 1)."""
MAX_REPLICATES = 1000
"""R_cap: the most replicates an auto-sized verify runs."""
TIME_CAP = 55.0
"""Seconds that stages 2 and 3 of an auto-sized verify may take, estimated from stage 1's
speed: 5 s less than a minute, so that with stage 1 and the fits a whole verify stays
under 60 s."""
DENSE_CHECKPOINTS = 100
"""A linear rate records every k <= 100 (it may reach the float floor within a decade)."""
LINEAR_STAGE = 1_000
"""Updates of the first stage of a run checked for a linear rate (see ``_linear_run``)."""


def verify(
    objective: str | Objective | Scenario,
    optimizer: str | Optimizer | None = None,
    schedule: str | sp.Expr | float | Schedule | None = None,
    *,
    expect: str | Theorem | None = None,
    steps: int = DEFAULT_STEPS,
    replicates: int | None = None,
    seed: int = DEFAULT_SEED,
    batch_size: int = 1,
    sampling: str = "shuffle",
    average: str | Average | None = None,
    alpha: float = SETTINGS["alpha"],
    delta: float = SETTINGS["delta"],
    rtol: float = SETTINGS["rtol"],
    alpha_c: float = SETTINGS["alpha_c"],
    constants: Mapping[str, float] | None = None,
    progress: bool | None = False,
    kernel: str = "auto",
) -> VerificationResult:
    """Run ``replicates`` copies of ``optimizer`` for ``steps`` updates and check ``expect``.

    ``verify(scenario)`` checks a :class:`~empirical.scenario.Scenario`; the keyword form
    describes one (its fields, with the same defaults). ``replicates=None`` (the default)
    sizes R by the data in two stages (:func:`verify_scenario`); an integer runs one stage.
    ``expect`` is a theorem id or :class:`Theorem`, ``"O(EXPR)"`` (EXPR in k) or
    ``"linear"``. A theorem's assumptions are checked against the objective first
    (:class:`InputError` if it does not apply).
    ``alpha`` is the level of every test, ``delta`` the tolerance on the exponent (on the
    relative log-rate for linear rates), ``rtol`` the relative tolerance of exact and
    asymptotic constants. ``progress`` and ``kernel`` are those of :func:`empirical.run`.
    """
    if isinstance(objective, Scenario):
        if optimizer is not None or schedule is not None or expect is not None:
            raise InputError("verify: a Scenario describes the whole run; pass it alone")
        scenario = objective
    else:
        if optimizer is None or schedule is None or expect is None:
            missing = [
                name
                for name, value in (
                    ("optimizer", optimizer),
                    ("schedule", schedule),
                    ("expect", expect),
                )
                if value is None
            ]
            raise InputError(f"verify: missing required argument(s) {', '.join(missing)}")
        scenario = Scenario(
            objective,
            optimizer,
            schedule,
            expect=expect,
            steps=steps,
            replicates=replicates,
            seed=seed,
            batch_size=batch_size,
            sampling=sampling,
            average=average,
            constants=constants or {},
            alpha=alpha,
            delta=delta,
            rtol=rtol,
            alpha_c=alpha_c,
        )
    return verify_scenario(scenario, progress=progress, kernel=kernel)


def verify_scenario(
    scenario: Scenario,
    *,
    progress: bool | None = False,
    kernel: str = "auto",
    max_replicates: int = MAX_REPLICATES,
    time_cap: float = TIME_CAP,
) -> VerificationResult:
    """Run ``scenario`` and check it against its expectation (see :func:`verify`).

    With ``scenario.replicates`` set, one stage at that R and level alpha. Auto-sized (the
    default, ``replicates=None``): a group-sequential test in up to three looks at levels
    alpha/2, alpha/4 and alpha/4 (Bonferroni: P(FAIL | correct) and P(PASS | off by delta)
    stay <= alpha whatever path is taken).

    1. R0 = DEFAULT_REPLICATES replicates for K = ``scenario.steps`` updates; a PASS or FAIL
       ends it, and so does an INCONCLUSIVE that more replicates cannot resolve.
    2. On imprecise, end-flattening or pre-asymptotic (not for a deterministic run):
       R1 = min(max_replicates, max(4 R0, ceil(1.25 N))), N the replicates stage 1 asks
       for, reusing stage 1's replicates (replicate r's stream depends on (seed, r) only,
       so stage 2 runs r = R0 .. R1 - 1), capped so that it takes about ``time_cap``
       seconds at stage 1's measured speed.
    3. When stage 2 is still imprecise or end-flattening and asks for more than R1:
       R2 = min(max_replicates, ceil(1.25 N2)), reusing stage 2's replicates, within the
       rest of ``time_cap``. When stage 2 is pre-asymptotic instead (every burn-in window
       materially curved at R1, so more replicates of the same K cannot help): a rerun
       from scratch at K3 = LONGER * K with R1 replicates, fewer if the rest of
       ``time_cap`` (at stage 2's speed) does not allow them, and skipped below R0.
    """
    if scenario.expect is None:
        raise InputError("verify: the scenario has no expect=...; say what to check")
    parts = scenario.parts
    plan = parts.plan
    assert plan is not None
    options = {"progress": progress, "kernel": kernel}
    settings = _settings(scenario)
    levels = [settings["alpha"] * share for share in LEVELS]
    if scenario.auto:
        settings["alpha"] = levels[0]
    first_trace = _linear_run(plan, scenario, options) if plan.linear else run(scenario, **options)
    notes = _stopped_note(first_trace, scenario.steps)
    record = scenario.record()

    def checked(trace: Trace, level: float) -> VerificationResult:
        config = _config(record, trace, scenario.steps)
        return _checked(plan, trace, parts.objective, {**settings, "alpha": level}, config, notes)

    first = checked(first_trace, settings["alpha"])
    if not scenario.auto:
        return first
    stages = (_stage(1, first, levels[0]),)
    if not _resolvable(first, SECOND_STAGE_LABELS):
        return dataclasses.replace(first, stages=stages)
    size = first_trace.replicates
    wanted = min(max_replicates, max(4 * size, math.ceil(1.25 * (first.needed_replicates or 0))))
    per_replicate = _seconds(first_trace) / size
    affordable = _affordable(scenario, first_trace, int(first_trace.k[-1]))
    total = min(wanted, size + int(time_cap / per_replicate), size + affordable)
    if total <= size:
        return dataclasses.replace(first, stages=stages)
    trace, second_trace = _more_replicates(scenario, first_trace, total - size, options)
    if total < wanted:
        notes.append(
            f"stage 2 stopped at R = {total} by the time cap ({time_cap:g} s at stage 1's speed) "
            f"or the run limits (theory.limits); stage 1 asked for R = {wanted}"
        )
    second = checked(trace, levels[1])
    stages = (*stages, _stage(2, second, levels[1]))
    left = time_cap - _seconds(second_trace)
    if _resolvable(second, WIDER_LABELS):
        wanted = min(max_replicates, math.ceil(1.25 * (second.needed_replicates or 0)))
        per_replicate = _seconds(second_trace) / second_trace.replicates
        more = min(wanted, total + int(max(left, 0) / per_replicate), size + affordable) - total
        if more <= 0:
            return dataclasses.replace(second, stages=stages)
        wider, _ = _more_replicates(scenario, trace, more, options)
        if total + more < wanted:
            notes.append(
                f"stage 3 stopped at R = {total + more} by the time cap or the run limits; "
                f"stage 2 asked for R = {wanted}"
            )
        third = checked(wider, levels[2])
        return dataclasses.replace(third, stages=(*stages, _stage(3, third, levels[2])))
    stopped = int(first_trace.k[-1]) < scenario.steps  # a longer run would change nothing
    if plan.linear or stopped or not _resolvable(second, LONGER_LABELS):
        return dataclasses.replace(second, stages=stages)
    longer = LONGER * scenario.steps
    per_run = _seconds(second_trace) / second_trace.replicates * LONGER
    count = min(total, int(left / per_run)) if left > 0 else 0
    allowed = _affordable(scenario, second_trace, longer)
    if min(count, allowed) < size:
        reason = (
            f"it would take more than the {max(left, 0):.3g} s left of the time cap "
            f"({time_cap:g} s)"
            if count < size
            else f"R = {size} replicates of K = {longer} are above the run limits (theory.limits)"
        )
        skipped = f"stage 3 (K = {longer}, R >= {size}) was not run: {reason}"
        return dataclasses.replace(second, stages=stages, notes=(*second.notes, skipped))
    count = min(count, allowed)
    notes.append(
        f"stage 3 reran K = {longer} updates (R = {count}): at K = {scenario.steps} every "
        "burn-in window was materially curved, which more replicates cannot change"
    )
    third = checked(run(scenario.replace(replicates=count, steps=longer), **options), levels[2])
    return dataclasses.replace(third, stages=(*stages, _stage(3, third, levels[2])))


def _more_replicates(
    scenario: Scenario, trace: Trace, added: int, options: Mapping[str, Any]
) -> tuple[Trace, Trace]:
    """``trace`` extended by ``added`` replicates of the same run (r = R .. R + added - 1,
    at its checkpoints and K), equal to one run of them all, and the added ones alone."""
    extra = run(
        scenario.replace(replicates=added, steps=int(trace.k[-1])),
        checkpoints=trace.k,
        first_replicate=trace.replicates,
        **options,
    )
    return Trace.concatenate(trace, extra), extra


def _affordable(scenario: Scenario, trace: Trace, steps: int) -> int:
    """The most replicates a later stage of ``steps`` updates may run within the run
    limits (:mod:`empirical.limits`), its averages as in ``trace``."""
    averages = trace.avg_gap
    suffixes = sum(label.startswith("suffix") for label in averages)
    size = limits.run_size(
        scenario.parts.objective,
        1,
        steps,
        limits.checkpoint_bound(steps),
        len(averages),
        suffixes,
        scenario.batch_size,
    )
    return limits.affordable_replicates(size)


def _resolvable(result: VerificationResult, labels: tuple[str, ...]) -> bool:
    """Whether another look can decide ``result``: a stochastic run INCONCLUSIVE with one
    of ``labels``."""
    return (
        result.outcome == "inconclusive"
        and result.label in labels
        and not result.checks.deterministic
    )


def _seconds(trace: Trace) -> float:
    """Seconds ``trace``'s updates took, its compilation excluded."""
    return max(trace.wall_time - trace.compile_time, 1e-9)


def _stopped_note(trace: Trace, steps: int) -> list[str]:
    if int(trace.k[-1]) >= steps:
        return []
    return [
        f"the run stopped after {int(trace.k[-1])} of {steps} updates: the gap reached the "
        "float floor (or a replicate diverged) by then, and later updates cannot change "
        "the verdict"
    ]


def _stage(number: int, result: VerificationResult, alpha: float) -> dict[str, Any]:
    """One look of an auto-sized verify: its R, K, level, outcome, label and needed R."""
    return {
        "stage": number,
        "replicates": result.trace.replicates,
        "steps": int(result.trace.k[-1]),
        "alpha": alpha,
        "outcome": result.outcome,
        "label": result.label,
        "needed_replicates": result.needed_replicates,
    }


def verify_trace(
    trace: Trace,
    expect: str | Theorem,
    *,
    objective: str | Objective | None = None,
    average: str | Average | None = None,
    alpha: float = SETTINGS["alpha"],
    delta: float = SETTINGS["delta"],
    rtol: float = SETTINGS["rtol"],
    alpha_c: float = SETTINGS["alpha_c"],
) -> VerificationResult:
    """Check a recorded ``trace`` against ``expect`` (see :func:`verify`).

    ``average`` selects a recorded average (by spec, e.g. ``"uniform"``); a theorem about
    an average needs it recorded. ``objective`` defaults to the built-in objective that
    the trace's config describes; a theorem needs it (assumptions and constants).
    """
    where = "verify_trace"
    if not isinstance(trace, Trace):
        raise validation.not_allowed(where, "trace", trace, "an empirical.Trace")
    settings = {
        "alpha": validation.fraction(where, "alpha", alpha),
        "delta": validation.real(where, "delta", delta, at_least=0.0),
        "rtol": validation.real(where, "rtol", rtol, at_least=0.0),
        "alpha_c": validation.fraction(where, "alpha_c", alpha_c),
    }
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
    record = {
        "objective": objective_spec(obj),
        "optimizer": optimizer_spec(run_optimizer),
        "schedule": str(cfg.get("schedule")),
        "batch_size": int(cfg.get("batch_size", 1)),
        "sampling": str(cfg.get("sampling", "shuffle")),
        "average": plan.average.to_spec() if plan.average else "none",
        "steps": int(trace.k[-1]),
        "replicates": trace.replicates,
        "seed": trace.seed,
        "expect": expectation.describe(),
        "constants": dict(cfg.get("constants") or {}),
        **settings,
    }
    return _checked(plan, trace, obj, settings, _config(record, trace))


def _linear_run(plan: Plan, scenario: Scenario, options: dict[str, Any]) -> Trace:
    """Run for a linear rate: every k <= 100 recorded, and a first stage of
    ``LINEAR_STAGE`` updates kept when the gap reaches the float floor (or a replicate
    diverges) in it, since the whole tail after the floor is cut from every check."""

    def staged(count: int) -> Trace:
        dense = np.arange(1, min(count, DENSE_CHECKPOINTS) + 1)
        checkpoints = np.union1d(geometric_checkpoints(count), dense)
        return run(scenario.replace(steps=count), checkpoints=checkpoints, **options)

    if scenario.steps > LINEAR_STAGE:
        first = staged(LINEAR_STAGE)
        series = _series(plan, first)
        objective = scenario.parts.objective
        clean = checked_trace(first.k, series, plan.kmin, _f_scale(plan, objective)).clean
        if clean.n_diverged or clean.cut_cause == "floor":
            return first
    return staged(scenario.steps)


def _settings(scenario: Scenario) -> dict[str, float]:
    return {name: getattr(scenario, name) for name in SETTINGS}


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


def _config(record: dict[str, Any], trace: Trace, steps: int | None = None) -> dict[str, Any]:
    """Everything needed to rerun, and the command line that does (``steps`` as requested;
    default: the trace's last checkpoint)."""
    config = {
        **{key: record[key] for key in ("objective", "optimizer", "schedule", "batch_size")},
        **{key: record[key] for key in ("sampling", "average")},
        "steps": int(trace.k[-1]) if steps is None else int(steps),
        "steps_run": int(trace.k[-1]),
        "replicates": trace.replicates,
        "seed": trace.seed,
        "expect": record["expect"],
        "constants": dict(record["constants"]),
        **{name: record[name] for name in SETTINGS},
        "run": dict(trace.config),
    }
    config["command"] = command_line({**config, "replicates": record["replicates"]})
    return config
