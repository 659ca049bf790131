"""Parsing --expect: theorem ids, O(EXPR) orders and 'linear'; bad input names the input."""

from __future__ import annotations

import pytest
import sympy as sp

from empirical.verification.expectation import parse_expectation
from theory.catalog import get_theorem
from theory.errors import InputError, UnknownNameError

ORDERS = [
    # text, exponent, log power, contraction
    ("O(1/k)", -1, 0, None),
    ("O(log(k)/k)", -1, 1, None),
    ("O(1/sqrt(k))", sp.Rational(-1, 2), 0, None),
    ("O(k**(-2))", -2, 0, None),
    ("O(log(k)**2/k**1.5)", sp.Rational(-3, 2), 2, None),
    ("O(1/(k + 100))", -1, 0, None),
    ("O(0.5**k)", None, 0, sp.Rational(1, 2)),
    (" O(exp(-k)) ", None, 0, sp.exp(-1)),
]


@pytest.mark.parametrize(("text", "exponent", "log_power", "contraction"), ORDERS)
def test_orders_give_their_shape(text, exponent, log_power, contraction):
    expectation = parse_expectation(text)
    assert expectation.kind == "order"
    shape = expectation.shape
    assert shape.exponent == exponent
    assert shape.log_power == log_power
    assert shape.contraction == contraction
    assert expectation.describe().startswith("O(")


def test_theorem_id_and_object_give_the_theorem():
    by_id = parse_expectation("minibatch-sgd-quadratic-exact")
    by_object = parse_expectation(get_theorem("minibatch-sgd-quadratic-exact"))
    assert by_id.kind == by_object.kind == "theorem"
    assert by_id.theorem is by_object.theorem
    assert by_id.shape.exponent == -1
    assert by_id.describe() == "minibatch-sgd-quadratic-exact"


def test_linear():
    expectation = parse_expectation("linear")
    assert expectation.kind == "linear" and expectation.shape is None


BAD = [
    # text, error class, a piece the message must contain
    ("", InputError, "expect"),
    ("   ", InputError, "expect"),
    (None, InputError, "None"),
    (3, InputError, "3"),
    ("O()", InputError, "empty"),
    ("O(1)", InputError, "EXPR = '1' is not allowed; expected an expression that depends on k"),
    ("O(k)", InputError, "tends to oo"),
    ("O(log(k))", InputError, "tends to oo"),
    ("O(2 + 1/k)", InputError, "tends to 2"),
    ("O(x/k)", UnknownNameError, "'x'"),
    ("O(lam/k)", UnknownNameError, "'lam'"),
    ("O(__import__('os').getcwd())", InputError, "__import__"),
    ("O(1/k", InputError, "O(EXPR)"),
    ("1/k", InputError, "O(EXPR)"),
    ("no-such-theorem", UnknownNameError, "minibatch-sgd-quadratic-exact"),
    ("lower-sc-stochastic", InputError, "lower bound"),
    ("O(k*0.5**k)", InputError, "power of k in front"),
]


@pytest.mark.parametrize(("text", "error", "piece"), BAD)
def test_bad_expectations_are_input_errors_naming_the_input(text, error, piece):
    with pytest.raises(error) as info:
        parse_expectation(text)
    assert piece in str(info.value)
