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
from theory.asymptotics import RateShape, rate_shape
from theory.catalog import get_theorem, theorem_ids
from theory.errors import InputError, UnknownNameError
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
        raise InputError(f"expect: expected {_FORMS}; got {expect!r}")
    text = expect.strip()
    if text == LINEAR:
        return Expectation("linear", LINEAR)
    if text.startswith("O(") and text.endswith(")"):
        return _order(text)
    if text.startswith(("O(", "o(", "O[")) or "(" in text:
        raise InputError(f"expect {text!r}: write an order as O(EXPR), e.g. O(1/k) or O(log(k)/k)")
    try:
        return _theorem(get_theorem(text))
    except UnknownNameError:
        raise UnknownNameError(
            f"expect {text!r} is not a theorem id, O(EXPR) or linear; known theorems: "
            f"{', '.join(theorem_ids())}"
        ) from None


def _theorem(theorem: Theorem) -> Expectation:
    if theorem.kind == "lower":
        raise InputError(
            f"expect {theorem.id!r} is a lower bound over every method; verify checks a run "
            "against an upper bound, an exact or an asymptotic rate (use O(EXPR) to check "
            "its order)"
        )
    return Expectation("theorem", theorem.id, theorem=theorem, shape=theorem.shape)


def _order(text: str) -> Expectation:
    inner = text[2:-1]
    expr = parse_expression(inner, {"k": S.k}, what=f"expect {text!r}: EXPR")
    if S.k not in expr.free_symbols:
        raise InputError(f"expect {text!r}: EXPR must depend on k, got {format_expression(expr)}")
    shape = rate_shape(expr)
    if shape.floor != 0:
        raise InputError(
            f"expect {text!r}: EXPR tends to {shape.floor} as k -> oo, not 0; a convergence "
            "rate must vanish"
        )
    if shape.is_linear and shape.prefactor_power != 0:
        raise InputError(
            f"expect {text!r}: a linear rate with a power of k in front is not supported; "
            "write O(rho**k)"
        )
    return Expectation("order", text, order=expr, shape=shape)
