"""What to check and how, decided before a run: :func:`plan_verification`.

For a theorem: its assumptions are checked against the objective
(:mod:`empirical.verification.assumptions`); its iterate picks the recorded average (an
averaged theorem with no ``average`` given records that average, alpha = 1/2 for a suffix
and gamma = 1 for polynomial decay unless given); its quantity picks gap or dist2; its
schedule is compared with the run's, which binds the schedule's own constants; its
conditions are checked on the bound constants; its shape becomes a numeric
:class:`empirical.verdicts.RateShape`.

Mode of the rate check (:func:`attains`): ``match`` (TOST) when the run is an instance
that attains the theorem's rate, that is the theorem is exact, or the objective is one of
its ``attained_on``; and in both cases the optimizer is the theorem's method and the
schedule is the theorem's. Otherwise ``upper`` (faster allowed). O(EXPR) is always
``upper``; ``linear`` asks for linear convergence with an unknown contraction.

Value checks: an ``upper`` theorem's bound B(k) (check_bound, rtol 0); an ``exact``
theorem's B(k) (check_bound with rtol, and check_constant in match mode); an
``asymptotic`` theorem's leading term (check_constant only: B is not a bound at each k).
They need every constant of B bound and the run's schedule equal to the theorem's;
otherwise the plan records why they are skipped. A bound with a floor V > 0 (constant
steps) has no rate to fit and is checked by value only.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from empirical.averaging import Average
from empirical.objectives.base import Objective
from empirical.schedules import Schedule
from empirical.verdicts import RateShape
from empirical.verification.assumptions import resolve_constants
from empirical.verification.binding import (
    bind_schedule_constants,
    bound_curve,
    check_conditions,
    missing_symbols,
    numeric,
)
from empirical.verification.expectation import Expectation
from theory import asymptotics
from theory import symbols as S
from theory.errors import InputError
from theory.theorems import Theorem

__all__ = [
    "DEFAULT_PARAMS",
    "LINEAR_KMIN",
    "METHOD_OPTIMIZERS",
    "POWER_KMIN",
    "Plan",
    "attains",
    "plan_verification",
]

METHOD_OPTIMIZERS: dict[str, str] = {
    "sgd": "sgd",
    "minibatch-sgd": "sgd",
    "gd": "sgd",
    "nesterov": "nesterov",
}
"""A theorem's method -> the built-in optimizer that implements it."""

DEFAULT_PARAMS: dict[str, float] = {"suffix": 0.5, "polydecay": 1.0}
"""Average parameters used when an averaged theorem's parameter is left free."""

POWER_KMIN = 10.0
"""Smallest checkpoint fitted for a power law (STATISTICS.md §5 kmin)."""
LINEAR_KMIN = 1.0
"""Smallest checkpoint fitted for a linear rate: the gap may reach the float floor early."""

BoundCurve = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Plan:
    """The checks of one verification.

    ``mode``: "upper", "match", "linear" (contraction unknown) or "none" (no rate check,
    ``rate_skipped`` says why). ``shape`` is the numeric rate for upper and match.
    ``bound`` is B(k) for the value checks (None: ``bound_skipped`` says why) and
    ``bound_kind`` the theorem's kind. ``ball``: G holds only for ||w - w*|| <= ball.
    ``values`` are the bound constants by name (objective, schedule, average, b).
    ``value_mode`` is the mode of the constant check: "match" when the run attains the
    theorem (as for the rate), else "upper". ``projection`` says how to project SGD onto a
    ball where G holds everywhere ("" if the objective cannot).
    """

    expectation: Expectation
    quantity: str
    average: Average | None
    mode: str
    mode_reason: str
    shape: RateShape | None
    rate_skipped: str | None
    bound: BoundCurve | None
    bound_kind: str | None
    bound_skipped: str | None
    ball: float | None
    values: dict[str, float]
    notes: tuple[str, ...]
    value_mode: str = "upper"
    projection: str = ""

    @property
    def linear(self) -> bool:
        """Whether the rate checked is linear (dense early checkpoints, kmin = 1)."""
        return self.mode == "linear" or (self.shape is not None and self.shape.linear)

    @property
    def kmin(self) -> float:
        return LINEAR_KMIN if self.linear else POWER_KMIN


def attains(theorem: Theorem, objective: Objective) -> bool:
    """Whether ``objective`` is an instance on which ``theorem``'s rate is attained: the
    theorem is exact, or the objective is one of its ``attained_on``."""
    return theorem.kind == "exact" or objective.name in theorem.attained_on


def _iterate(theorem: Theorem, average: Average | None) -> tuple[Average | None, str | None]:
    """The average the theorem is about, and a note when it was chosen automatically."""
    if theorem.iterate == "last":
        if average is not None:
            raise InputError(
                f"theorem {theorem.id!r} is about the last iterate w_k, but average "
                f"{average.to_spec()!r} was given; drop the average to check this theorem"
            )
        return None, None
    if average is not None:
        if average.kind != theorem.iterate:
            raise InputError(
                f"theorem {theorem.id!r} is about the {theorem.iterate} average, but average "
                f"{average.to_spec()!r} was given; use --average {theorem.iterate}"
                + ("" if theorem.iterate == "uniform" else ":...")
            )
        return average, None
    param = DEFAULT_PARAMS.get(theorem.iterate)
    chosen = Average(theorem.iterate, param)  # type: ignore[arg-type]
    return chosen, (
        f"theorem {theorem.id!r} is about the {theorem.iterate} average, so the run records "
        f"{chosen.to_spec()!r} and checks it"
    )


def _numeric_shape(
    theorem: Theorem,
    shape: asymptotics.RateShape,
    values: dict[str, float],
    schedule_differs: str | None,
) -> RateShape | None:
    """The theorem's rate with constants bound; None for a linear rate whose contraction
    is not bound (then only linear convergence can be checked)."""
    log_power = numeric(shape.log_power, values)
    if shape.is_linear:
        assert shape.contraction is not None
        rho = numeric(shape.contraction, values)
        power = numeric(shape.prefactor_power, values)
        if rho is None or power is None or log_power is None:
            return None
        if not 0 < rho < 1:
            raise InputError(
                f"theorem {theorem.id!r}: its contraction {shape.contraction} is {rho:.6g} for "
                "this run, not in (0, 1)"
            )
        return RateShape(exponent=power, log_power=log_power, contraction=rho)
    assert shape.exponent is not None
    exponent = numeric(shape.exponent, values)
    if exponent is None or log_power is None:
        unbound = ", ".join(missing_symbols(shape.exponent, values))
        why = f" ({schedule_differs})" if schedule_differs else ""
        raise InputError(
            f"theorem {theorem.id!r}: its exponent {shape.exponent} depends on {unbound}, "
            f"which this run does not determine{why}"
        )
    return RateShape(exponent=exponent, log_power=log_power)


def _order_plan(expectation: Expectation, average: Average | None) -> Plan:
    shape = expectation.shape
    assert shape is not None
    if shape.is_linear:
        assert shape.contraction is not None
        numeric_shape = RateShape(contraction=float(shape.contraction))
    else:
        assert shape.exponent is not None
        numeric_shape = RateShape(float(shape.exponent), float(shape.log_power))
    return Plan(
        expectation=expectation,
        quantity="gap",
        average=average,
        mode="upper",
        mode_reason=f"{expectation.describe()} is an upper bound: faster convergence passes",
        shape=numeric_shape,
        rate_skipped=None,
        bound=None,
        bound_kind=None,
        bound_skipped=f"{expectation.describe()} states an order, without constants",
        ball=None,
        values={},
        notes=(),
    )


def _linear_plan(expectation: Expectation, average: Average | None) -> Plan:
    return Plan(
        expectation=expectation,
        quantity="gap",
        average=average,
        mode="linear",
        mode_reason="linear convergence with an unknown contraction: the fitted contraction "
        "must be < 1 and the curve must fall faster than any power of k",
        shape=None,
        rate_skipped=None,
        bound=None,
        bound_kind=None,
        bound_skipped="'linear' states no contraction and no constants",
        ball=None,
        values={},
        notes=(),
    )


def _mode(
    theorem: Theorem, objective: Objective, optimizer: str | None, schedule_differs: str | None
) -> tuple[str, str]:
    if not attains(theorem, objective):
        return "upper", (
            f"objective {objective.name!r} is not an instance known to attain "
            f"{theorem.id!r}: its bound is an upper bound, and faster convergence passes"
        )
    wanted = METHOD_OPTIMIZERS.get(theorem.method)
    if wanted is None or optimizer != wanted:
        used = "a user optimizer" if optimizer is None else f"optimizer {optimizer!r}"
        return "upper", (
            f"{theorem.id!r} is attained by {theorem.method}, but the run uses {used}: "
            "checked as an upper bound"
        )
    if schedule_differs:
        return "upper", f"{schedule_differs}: checked as an upper bound"
    return "match", (
        f"objective {objective.name!r} with {wanted} and the theorem's schedule attains "
        f"{theorem.id!r}: the rate must match (equivalence test)"
    )


def _method_notes(
    theorem: Theorem, objective: Objective, optimizer: str | None, batch_size: int
) -> list[str]:
    """Refuse a run whose built-in optimizer is not the theorem's method (or GD with
    stochastic gradients); for a user optimizer, the note that the method is assumed."""
    wanted = METHOD_OPTIMIZERS.get(theorem.method)
    if wanted is None:
        return []
    if optimizer is None:
        return [f"a user optimizer: the theorem's method ({theorem.method}) is assumed"]
    if optimizer != wanted:
        raise InputError(
            f"theorem {theorem.id!r} is about {theorem.method}, and the run uses the built-in "
            f"optimizer {optimizer!r}; the theorem does not apply: use --optimizer {wanted}, "
            "or check the rate alone with --expect 'O(...)'"
        )
    full = (
        objective.oracle == "deterministic"
        or (objective.oracle == "finite-sum" and batch_size == objective.n)
        or (objective.oracle == "gaussian" and objective.constants.get("sigma") == 0)
    )
    if theorem.method == "gd" and not full:
        size = f" of n = {objective.n}" if objective.oracle == "finite-sum" else ""
        raise InputError(
            f"theorem {theorem.id!r} is about gd (exact gradients), and the run's gradients "
            f"are stochastic (batch size {batch_size}{size}, {objective.oracle} oracle); the "
            "theorem does not apply"
            + (f": use --batch-size {objective.n}" if objective.oracle == "finite-sum" else "")
        )
    return []


def _theorem_plan(
    expectation: Expectation,
    objective: Objective,
    optimizer: str | None,
    schedule: Schedule,
    batch_size: int,
    sampling: str,
    average: Average | None,
) -> Plan:
    theorem = expectation.theorem
    assert theorem is not None and expectation.shape is not None
    constants = resolve_constants(theorem, objective, batch_size=batch_size, sampling=sampling)
    average, average_note = _iterate(theorem, average)
    notes = [average_note] if average_note else []
    values = dict(constants.values)
    values["b"] = float(batch_size)
    if theorem.iterate_param is not None and average is not None and average.param is not None:
        values[str(theorem.iterate_param)] = float(average.param)
    notes += _method_notes(theorem, objective, optimizer, batch_size)
    bound_values, schedule_differs = bind_schedule_constants(theorem, schedule, values)
    if schedule_differs and theorem.schedule is not None:
        raise InputError(
            f"theorem {theorem.id!r} assumes eta_k = {theorem.schedule}, and {schedule_differs}; "
            "the theorem does not apply: run its schedule, or check the rate alone with "
            "--expect 'O(...)'"
        )
    values.update(bound_values)
    for cond in check_conditions(theorem, values):
        notes.append(f"condition {cond} not checked: it involves a constant this run lacks")
    mode, mode_reason = _mode(theorem, objective, optimizer, schedule_differs)
    value_mode = mode
    shape = expectation.shape
    rate_skipped = None
    numeric_shape: RateShape | None = None
    if shape.floor != 0:
        floor = numeric(shape.floor, values)
        shown = f"{floor:.4g}" if floor is not None else str(shape.floor)
        mode = "none"
        rate_skipped = (
            f"the bound tends to the floor {shown} > 0 (a noise ball), so there is no rate to "
            "fit; the bound's values decide"
        )
    else:
        numeric_shape = _numeric_shape(theorem, shape, values, schedule_differs)
        if numeric_shape is None:
            mode = "linear"
            notes.append(
                f"the contraction {shape.contraction} is not bound for this run, so only linear "
                "convergence is checked"
            )
    bound, bound_skipped = None, None
    unbound = missing_symbols(theorem.bound, values)
    if schedule_differs:
        bound_skipped = schedule_differs
    elif unbound:
        reasons = [constants.missing.get(name, f"{name} has no value") for name in unbound]
        bound_skipped = f"the bound needs {', '.join(unbound)}: " + "; ".join(reasons)
    else:
        bound = bound_curve(theorem.bound, values)
    if bound is None and mode == "none":
        raise InputError(
            f"theorem {theorem.id!r}: its bound tends to a floor, so only its values can be "
            f"checked, and they cannot: {bound_skipped}"
        )
    uses_g = S.G in theorem.bound.free_symbols
    return Plan(
        expectation=expectation,
        quantity=theorem.quantity,
        average=average,
        mode=mode,
        mode_reason=mode_reason,
        shape=numeric_shape,
        rate_skipped=rate_skipped,
        bound=bound,
        bound_kind=theorem.kind if bound is not None else None,
        bound_skipped=bound_skipped,
        ball=constants.ball if uses_g else None,
        values=values,
        notes=tuple(notes),
        value_mode=value_mode,
        projection=constants.projection if uses_g else "",
    )


def plan_verification(
    expectation: Expectation,
    objective: Objective,
    optimizer: str | None,
    schedule: Schedule,
    *,
    batch_size: int,
    sampling: str,
    average: Average | None,
) -> Plan:
    """The :class:`Plan` for checking ``expectation`` on this run (module docstring).

    ``optimizer`` is the built-in optimizer's name, None for a user optimizer.

    Raises :class:`InputError` when the theorem does not apply to the run.
    """
    if expectation.kind == "order":
        return _order_plan(expectation, average)
    if expectation.kind == "linear":
        return _linear_plan(expectation, average)
    return _theorem_plan(expectation, objective, optimizer, schedule, batch_size, sampling, average)
