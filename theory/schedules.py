"""Step-size schedules eta_k as SymPy expressions in the update counter k.

A schedule is an expression in ``k`` (k = 1, 2, ...; update k uses eta_k) and the
positive constants of :data:`theory.symbols.CONSTANTS`, for example ``1/(lam*k)``,
``c/(k + k0)``, ``c*k**(-p)`` or ``c*q**k``. The batch size ``b`` and the sample count
``n`` are not schedule variables.
"""

from __future__ import annotations

import functools
import numbers

import sympy as sp

from theory import symbols, validation
from theory.errors import InputError
from theory.expressions import format_expression, parse_expression

SCHEDULE_SYMBOLS: dict[str, sp.Symbol] = {"k": symbols.k, **symbols.CONSTANTS}
"""The symbols a schedule may use, by name."""


def parse_schedule(source: str | sp.Expr | int | float) -> sp.Expr:
    """Read a step-size schedule eta_k from text, a SymPy expression or a number.

    A number is a constant schedule (floats become exact rationals). The result uses
    only ``k`` and the constants of :data:`SCHEDULE_SYMBOLS`, is defined at k = 1, is
    not identically zero and is not provably non-positive for every k >= 1.
    """
    is_number = isinstance(source, numbers.Real) and not isinstance(source, bool)
    if not isinstance(source, str | sp.Expr) and not is_number:
        expected = "text, a SymPy expression or a number"
        raise validation.not_allowed("schedule", "source", source, expected)
    return _parse_schedule(source)


@functools.lru_cache(maxsize=256, typed=True)
def _parse_schedule(source: str | sp.Expr | int | float) -> sp.Expr:
    """:func:`parse_schedule` on an input of a known type, cached: its checks call
    SymPy's simplify (about 5 ms) and every run parses its schedule."""
    if isinstance(source, str):
        expr = parse_expression(source, SCHEDULE_SYMBOLS, what="schedule")
    elif isinstance(source, sp.Expr):
        expr = _check_expression(source)
    else:
        expr = _number(source)
    _check_value(expr, source)
    return expr


def schedule_constants(expr: sp.Expr) -> tuple[str, ...]:
    """Names of the constants (every symbol but k) that ``expr`` needs, sorted."""
    return tuple(sorted(s.name for s in expr.free_symbols if s != symbols.k))


def free_exponents(expr: sp.Expr) -> tuple[sp.Symbol, ...]:
    """Constants that shape how ``expr`` decays in k, sorted by name.

    These are the constants in the exponent of a power whose base depends on k (p in
    ``c*k**(-p)``), in the base of a power whose exponent depends on k (q in
    ``c*q**k``) and in the argument of an ``exp`` of k (eta in ``exp(-eta*k)``).
    """
    k = symbols.k
    found: set[sp.Symbol] = set()
    for power in expr.atoms(sp.Pow, sp.exp):
        base, exponent = power.as_base_exp()
        if base.has(k):
            found |= exponent.free_symbols
        if exponent.has(k):
            found |= base.free_symbols | exponent.free_symbols
    found.discard(k)
    return tuple(sorted(found, key=lambda s: s.name))


def _number(value: numbers.Real) -> sp.Expr:
    if isinstance(value, numbers.Rational):  # int, Fraction, numpy integers
        return sp.Rational(int(value.numerator), int(value.denominator))
    as_float = float(value)
    if as_float != as_float or abs(as_float) == float("inf"):
        raise validation.not_allowed("schedule", "source", value, "a finite number")
    return sp.Rational(repr(as_float))


def _check_expression(expr: sp.Expr) -> sp.Expr:
    """Check the symbols of a ready-made expression and make its floats exact."""
    allowed = set(SCHEDULE_SYMBOLS.values())
    foreign = sorted((s for s in expr.free_symbols if s not in allowed), key=str)
    if foreign:
        names = ", ".join(str(s) for s in foreign)
        lookalike = [s for s in foreign if str(s) in SCHEDULE_SYMBOLS]
        hint = (
            f" ({', '.join(map(str, lookalike))} must be the symbols of theory.symbols, "
            "with their assumptions)"
            if lookalike
            else ""
        )
        raise InputError(
            f"schedule {format_expression(expr)!r} uses {names}{hint}; "
            f"a schedule may use only {', '.join(SCHEDULE_SYMBOLS)}"
        )
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I):
        raise InputError(f"schedule {format_expression(expr)!r} is not a finite real expression")
    floats = {f: sp.Rational(repr(float(f))) for f in expr.atoms(sp.Float)}
    return expr.xreplace(floats) if floats else expr


def _check_value(expr: sp.Expr, source: object) -> None:
    """Reject schedules that are undefined at k = 1, identically zero or never positive."""
    shown = format_expression(expr)
    first = expr.subs(symbols.k, 1)
    if first.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise InputError(f"schedule {source!r} is undefined at k = 1 (eta_1 = {first})")
    if expr.is_zero or sp.simplify(expr).is_zero:
        raise InputError(f"schedule {source!r} is identically zero ({shown})")
    if expr.is_nonpositive:
        raise InputError(
            f"schedule {source!r} is non-positive for every k >= 1 ({shown}); "
            "a step size must be positive"
        )
