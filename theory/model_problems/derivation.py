"""The result of an exact derivation, and the step log that produces it.

A :class:`Derivation` holds a closed form computed by SymPy, what its symbols mean,
the assumptions it needs, the readable steps taken, and every named intermediate
result. The :class:`Steps` log records each step as one line of math and refuses to
record a check that SymPy cannot confirm: a failed check raises
:class:`DerivationCheckError`, so a derivation object exists only if all its checks
passed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import sympy as sp

from theory.errors import RatecheckError, UnknownNameError


class DerivationCheckError(RatecheckError, ArithmeticError):
    """A step of a derivation did not verify (a bug in ratecheck or in SymPy)."""


def _even_power_sign(expr: sp.Basic) -> sp.Basic:
    """Write (-x)^(2n) as x^(2n) for integer n, so both spellings compare equal."""
    return expr.replace(
        lambda p: p.is_Pow and (p.exp / 2).is_integer and p.base.could_extract_minus_sign(),
        lambda p: (-p.base) ** p.exp,
    )


def freeze_symbolic_powers(expr: sp.Basic, var: sp.Symbol | None = None) -> sp.Basic:
    """Write base^(n + c) as Y * base^c with one fresh symbol Y per (base, n).

    Only powers whose exponent is symbolic (and contains ``var``, if given) are frozen.
    Treating each Y as an independent symbol is sound for proving an identity: if the
    result is 0 as a rational function, the original expression is 0.
    """
    fresh: dict[tuple[sp.Basic, sp.Basic], sp.Dummy] = {}
    replacements = {}
    for power in expr.atoms(sp.Pow):
        if power.exp.is_number or (var is not None and not power.exp.has(var)):
            continue
        shift, rest = power.exp.as_coeff_Add()
        symbol = fresh.setdefault((power.base, rest), sp.Dummy("Y"))
        replacements[power] = symbol * power.base**shift
    return expr.xreplace(replacements)


def is_zero(expr: sp.Basic) -> bool:
    """True when SymPy proves ``expr == 0`` (powers, expansion, gamma, general simplification)."""
    expr = _even_power_sign(sp.sympify(expr))
    if expr == 0:
        return True
    simplifiers = (
        lambda e: sp.cancel(sp.expand(freeze_symbolic_powers(e))),
        lambda e: sp.together(sp.expand(e)),
        lambda e: sp.gammasimp(sp.expand_func(e)),
        sp.simplify,
    )
    return any(simplify(expr) == 0 for simplify in simplifiers)


def tidy_sign(expr: sp.Expr) -> sp.Expr:
    """-n/(d (x - 2)) -> n/(d (2 - x)): move a leading minus sign into a sum in the denominator."""
    num, den = sp.fraction(sp.factor(expr))
    if num.could_extract_minus_sign():
        factors = list(sp.Mul.make_args(den))
        for position, factor in enumerate(factors):
            if factor.is_Add:
                factors[position] = sp.expand(-factor)
                return -num / sp.Mul(*factors)
    return expr


def show(expr: Any) -> str:
    """One-line text form of a SymPy object (``sstr``; Eq printed as ``lhs = rhs``)."""
    if isinstance(expr, sp.Equality):
        return f"{sp.sstr(expr.lhs)} = {sp.sstr(expr.rhs)}"
    return sp.sstr(expr)


class Steps:
    """An append-only log of derivation steps, each one readable line of math."""

    def __init__(self) -> None:
        self._lines: list[str] = []

    def say(self, text: str) -> None:
        """Record a step stated in words and math (an assumption or a model fact)."""
        self._lines.append(text)

    def show(self, label: str, expr: Any) -> Any:
        """Record ``label: expr`` and hand ``expr`` back."""
        self._lines.append(f"{label}: {show(expr)}")
        return expr

    def check_zero(self, label: str, residual: Any) -> None:
        """Record that ``residual`` simplifies to 0, or raise if SymPy cannot show it."""
        if not is_zero(residual):
            raise DerivationCheckError(
                f"check failed ({label}): residual {show(sp.simplify(residual))} is not 0"
            )
        self._lines.append(f"check: {label}: residual simplifies to 0")

    def check_true(self, label: str, statement: Any) -> None:
        """Record that a SymPy relation or boolean evaluates to True, or raise."""
        if sp.simplify(statement) is not sp.true:
            raise DerivationCheckError(f"check failed ({label}): {show(statement)} is not True")
        self._lines.append(f"check: {label}: holds")

    def lines(self) -> tuple[str, ...]:
        """The steps recorded so far."""
        return tuple(self._lines)


@dataclass(frozen=True)
class Derivation:
    """An exact result derived by SymPy on a model problem.

    ``closed_form`` is the main result (an ``Eq``, relation or set); ``results`` holds
    it and every other named result of the derivation, in order. ``variables`` says
    what each symbol means, ``conditions`` the assumptions under which the results
    hold, ``steps`` how they were obtained.
    """

    id: str
    title: str
    source: str
    closed_form: sp.Basic
    variables: Mapping[str, str]
    conditions: tuple[str, ...]
    steps: tuple[str, ...]
    results: Mapping[str, sp.Basic]

    def __post_init__(self) -> None:
        object.__setattr__(self, "variables", MappingProxyType(dict(self.variables)))
        object.__setattr__(self, "results", MappingProxyType(dict(self.results)))
        object.__setattr__(self, "conditions", tuple(self.conditions))
        object.__setattr__(self, "steps", tuple(self.steps))

    def result(self, name: str) -> sp.Basic:
        """The named result; :class:`UnknownNameError` lists the names available."""
        if name not in self.results:
            raise UnknownNameError(
                f"derivation {self.id!r} has no result {name!r}; "
                f"available: {', '.join(self.results)}"
            )
        return self.results[name]

    def summary(self) -> str:
        """A readable multi-line account: closed form, symbols, conditions, steps, results."""
        lines = [
            f"{self.id}: {self.title}  [{self.source}]",
            f"closed form: {show(self.closed_form)}",
        ]
        lines.append("where:")
        lines += [f"  {name}: {meaning}" for name, meaning in self.variables.items()]
        lines.append("conditions:")
        lines += [f"  {condition}" for condition in self.conditions]
        lines.append("steps:")
        lines += [f"  {number}. {step}" for number, step in enumerate(self.steps, start=1)]
        lines.append("results:")
        lines += [f"  {name}: {show(value)}" for name, value in self.results.items()]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready data: every SymPy object as text (``sstr``) and LaTeX."""
        return {
            "id": self.id,
            "title": self.title,
            "source": self.source,
            "closed_form": show(self.closed_form),
            "closed_form_latex": sp.latex(self.closed_form),
            "variables": dict(self.variables),
            "conditions": list(self.conditions),
            "steps": list(self.steps),
            "results": {name: show(value) for name, value in self.results.items()},
        }
