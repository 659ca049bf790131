"""Bind a theorem's symbols to a run: schedule constants, conditions, numeric bound B(k).

The run's schedule is the theory's expression with the objective's constants substituted
(:class:`empirical.schedules.StepSchedule`). The theorem's schedule is compared with it
after substituting the same constants; a constant that only the schedule carries (c in
c/sqrt(k), eta in a constant step) is solved for, so ``0.5/sqrt(k)`` binds c = 1/2 and
``1/(lam*k)`` binds c = 1/lam in ``c/k``. Two schedules are equal when their ratio is free
of k and equals 1 to within 1e-12.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

import numpy as np
import sympy as sp
from sympy.core.relational import Relational

from empirical.schedules import PlateauSchedule, Schedule
from theory import symbols as S
from theory.errors import InputError
from theory.expressions import format_expression
from theory.theorems import Theorem

__all__ = [
    "bind_schedule_constants",
    "bound_curve",
    "check_conditions",
    "missing_symbols",
    "numeric",
]

_RTOL = 1e-12


def _substituted(expr: sp.Expr, values: Mapping[str, float]) -> sp.Expr:
    return expr.xreplace({S.ALL[name]: sp.Float(value) for name, value in values.items()})


def numeric(expr: sp.Expr, values: Mapping[str, float]) -> float | None:
    """The value of ``expr`` with ``values`` substituted, or None if symbols remain."""
    value = _substituted(expr, values).evalf()
    if value.free_symbols or not value.is_number:
        return None
    result = complex(value)
    return result.real if result.imag == 0 else None


def _same(a: sp.Expr, b: sp.Expr) -> bool:
    ratio = sp.simplify(a / b)
    if S.k in ratio.free_symbols or not ratio.is_number:
        return False
    return abs(complex(ratio.evalf()) - 1) <= _RTOL


def bind_schedule_constants(
    theorem: Theorem, schedule: Schedule, values: Mapping[str, float]
) -> tuple[dict[str, float], str | None]:
    """Values of the theorem schedule's own constants that make it the run's schedule.

    Returns ``(values, None)`` when the schedules agree, else ``({}, why they differ)``.
    """
    if theorem.schedule is None:
        return {}, f"theorem {theorem.id!r} has no step schedule in k (a horizon-tuned step)"
    if isinstance(schedule, PlateauSchedule):
        return {}, "the run's schedule is the plateau rule, not an expression in k"
    theirs = _substituted(theorem.schedule, values)
    ours = schedule.bound
    unknown = sorted(theirs.free_symbols - {S.k}, key=str)
    differ = (
        f"the run's schedule {schedule.label} (= {format_expression(ours)}) is not the theorem's "
        f"{format_expression(theorem.schedule)}"
    )
    if not unknown:
        return ({}, None) if _same(theirs, ours) else ({}, differ)
    if len(unknown) > 1:
        return {}, differ + f" for any single value of {', '.join(map(str, unknown))}"
    (symbol,) = unknown
    try:
        roots = sp.solve(sp.Eq(theirs, ours), symbol)
    except NotImplementedError:
        roots = []
    for root in roots:
        if S.k in root.free_symbols or not root.is_number:
            continue
        value = complex(root.evalf())
        if value.imag == 0 and value.real > 0 and _same(theirs.subs(symbol, value.real), ours):
            return {symbol.name: value.real}, None
    return {}, differ + f" for any value of {symbol}"


def check_conditions(theorem: Theorem, values: Mapping[str, float]) -> list[str]:
    """Raise :class:`InputError` if a condition is false at ``values``; return the
    conditions that cannot be decided (some constant unknown)."""
    undecided = []
    for cond in theorem.conditions:
        lhs = numeric(cond.lhs, values)
        rhs = numeric(cond.rhs, values)
        if lhs is None or rhs is None:
            undecided.append(str(cond))
            continue
        if not _holds(cond, lhs, rhs):
            shown = ", ".join(
                f"{s.name} = {values[s.name]:.6g}"
                for s in sorted(cond.free_symbols, key=str)
                if s.name in values
            )
            raise InputError(
                f"theorem {theorem.id!r} requires {cond}, which is false for this run "
                f"({shown}: {lhs:.6g} vs {rhs:.6g}); the theorem does not apply"
            )
    return undecided


def _holds(cond: Relational, lhs: float, rhs: float) -> bool:
    scale = _RTOL * max(abs(lhs), abs(rhs), 1e-300)
    if isinstance(cond, sp.Eq):
        return abs(lhs - rhs) <= 1e3 * scale
    if isinstance(cond, sp.StrictLessThan):
        return lhs < rhs
    if isinstance(cond, sp.LessThan):
        return lhs <= rhs + scale
    if isinstance(cond, sp.StrictGreaterThan):
        return lhs > rhs
    if isinstance(cond, sp.GreaterThan):
        return lhs >= rhs - scale
    raise InputError(f"condition {cond}: only =, <, <=, >, >= are supported")


def bound_curve(
    expr: sp.Expr, values: Mapping[str, float]
) -> Callable[[np.ndarray], np.ndarray] | None:
    """B(k) as a numpy function of k, or None if a constant other than k is unbound.

    Special functions free of k (the hypergeometric constant of the c/k schedule) are
    evaluated by SymPy first, so the function is plain numpy.
    """
    bound = _substituted(expr, values).evalf()
    if bound.free_symbols - {S.k}:
        return None
    fn = sp.lambdify(S.k, bound, modules="numpy")

    def curve(k: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            out = np.asarray(fn(np.asarray(k, dtype=np.float64)), dtype=np.float64)
        return np.broadcast_to(out, np.shape(k)).copy()

    return curve


def missing_symbols(expr: sp.Expr, values: Mapping[str, float]) -> list[str]:
    """Names of the symbols of ``expr`` other than k that ``values`` does not bind."""
    return sorted(s.name for s in expr.free_symbols if s != S.k and s.name not in values)
