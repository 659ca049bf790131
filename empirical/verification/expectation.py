"""What a verification expects: a catalog theorem, an order ``O(EXPR)``, or ``linear``.

``parse_expectation("minibatch-sgd-quadratic-exact")`` looks the theorem up in
:mod:`theory.catalog`; ``parse_expectation("O(log(k)/k)")`` reads EXPR with
:func:`theory.expressions.parse_expression` (no ``eval``; the only symbol is k) and derives
its shape with :func:`theory.asymptotics.rate_shape`: O(log(k)/k) is exponent -1 with log
power 1, O(1/sqrt(k)) is exponent -1/2, O(0.5**k) is linear with contraction 1/2;
``parse_expectation("linear")`` asks for linear convergence with an unknown contraction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import sympy as sp

from theory import symbols as S
from theory import validation
from theory.asymptotics import RateShape, rate_shape
from theory.catalog import get_theorem, theorem_ids
from theory.expressions import format_expression, parse_expression
from theory.theorems import Theorem

__all__ = ["LINEAR", "Expectation", "parse_expectation"]

LINEAR = "linear"
"""The expectation "converges linearly, contraction unknown"."""

ExpectationKind = Literal["theorem", "order", "linear"]
_FORMS = 'a theorem id (see \'ratecheck theory\'), "O(EXPR)" with EXPR in k, or "linear"'


@dataclass(frozen=True)
class Expectation:
    """A parsed expectation.

    ``kind`` is "theorem" (``theorem`` set; ``shape`` is the theorem's, possibly with
    constants), "order" (``order`` is EXPR of O(EXPR); ``shape`` numeric) or "linear"
    (``shape`` None).
    """

    kind: ExpectationKind
    text: str
    theorem: Theorem | None = None
    order: sp.Expr | None = None
    shape: RateShape | None = None

    def describe(self) -> str:
        """``theorem-id``, ``O(1/k)`` or ``linear``."""
        if self.kind == "order":
            assert self.order is not None
            return f"O({format_expression(self.order)})"
        return self.text


def parse_expectation(expect: str | Theorem) -> Expectation:
    """Read ``expect``: a :class:`Theorem`, a theorem id, ``"O(EXPR)"`` or ``"linear"``.

    Lower bounds (kind "lower") are refused: a run is checked against a bound that holds
    for its method, an exact rate or an asymptotic equivalent.
    """
    if isinstance(expect, Theorem):
        return _theorem(expect)
    if not isinstance(expect, str) or not expect.strip():
        raise validation.not_allowed("expect", "spec", expect, _FORMS)
    text = expect.strip()
    if text == LINEAR:
        return Expectation("linear", LINEAR)
    if text.startswith("O(") and text.endswith(")"):
        return _order(text)
    if text.startswith(("O(", "o(", "O[")) or "(" in text:
        expected = "an order written O(EXPR), e.g. O(1/k) or O(log(k)/k)"
        raise validation.not_allowed("expect", "spec", expect, expected)
    ids = theorem_ids()
    expected = f"a theorem id, O(EXPR) or linear; theorem ids: {', '.join(ids)}"
    known = (*ids, LINEAR)  # 'linear' is handled above: here it only serves the suggestion
    return _theorem(
        get_theorem(validation.choice("expect", "spec", text, known, expected=expected))
    )


def _theorem(theorem: Theorem) -> Expectation:
    if theorem.kind == "lower":
        expected = (
            "an upper bound, an exact or an asymptotic rate, not a lower bound over every "
            "method (use O(EXPR) to check its order)"
        )
        raise validation.not_allowed("expect", "theorem", theorem.id, expected)
    return Expectation("theorem", theorem.id, theorem=theorem, shape=theorem.shape)


def _order(text: str) -> Expectation:
    inner = text[2:-1]
    expr = parse_expression(inner, {"k": S.k}, what=f"expect {text!r}: EXPR")
    where = f"expect {text!r}"
    if S.k not in expr.free_symbols:
        raise validation.not_allowed(where, "EXPR", inner, "an expression that depends on k")
    shape = rate_shape(expr)
    if shape.floor != 0:
        expected = f"a rate that tends to 0 as k -> oo (it tends to {shape.floor})"
        raise validation.not_allowed(where, "EXPR", inner, expected)
    if shape.is_linear and shape.prefactor_power != 0:
        expected = "a linear rate rho**k without a power of k in front"
        raise validation.not_allowed(where, "EXPR", inner, expected)
    return Expectation("order", text, order=expr, shape=shape)
