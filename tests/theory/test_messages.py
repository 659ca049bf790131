"""Every rejected value reads the same: ``<where>: <name> = <value> is not allowed; expected ...``.

One walk over bad inputs to the asymptotics functions, formulas, schedules, theorems and the
catalog: each error's first line has the one shape, and its ``where`` names the function
called or the theorem.
"""

from __future__ import annotations

import dataclasses
import re

import pytest
import sympy as sp

from theory import asymptotics as A
from theory import symbols as S
from theory.catalog import get_theorem
from theory.errors import InputError, UnknownNameError
from theory.expressions import parse_expression
from theory.schedules import parse_schedule
from theory.theorems import Theorem

SHAPE = re.compile(r"^.+: .+ = .+ is not allowed; expected .+$")
SC = get_theorem("sgd-sc-last")
SMOOTH = get_theorem("minibatch-sgd-smooth-convex").bound
WHERE = "theorem 'sgd-sc-last'"


def theorem(**changes: object) -> Theorem:
    """``sgd-sc-last`` with ``changes``: a new Theorem, checked again."""
    return dataclasses.replace(SC, **changes)


BAD = [
    # (what is called, the where its message starts with, the error type)
    (lambda: A.rate_shape("1/k"), "rate_shape", InputError),
    (lambda: A.rate_shape(1 / S.k, (sp.true,)), "rate_shape", InputError),
    (lambda: A.leading_term(S.G**2), "leading_term", InputError),
    (lambda: A.iterations_to_eps(1 / S.k, eps="eps"), "iterations_to_eps", InputError),
    (lambda: A.samples_to_eps(S.G**2), "samples_to_eps", InputError),
    (lambda: A.split_batch_terms(S.L * S.R**2 / S.k), "split_batch_terms", InputError),
    (lambda: A.batch_crossover("x"), "batch_crossover", InputError),
    (lambda: A.batch_scaling(SMOOTH, S.G**2 / sp.sqrt(S.k)), "batch_scaling", InputError),
    (lambda: A.minibatch_variance("sigma**2", 2), "minibatch_variance", InputError),
    (lambda: A.minibatch_variance(S.sigma**2, 0), "minibatch_variance", InputError),
    (lambda: A.minibatch_variance(S.sigma**2, 2, 1), "minibatch_variance", InputError),
    (lambda: A.minibatch_variance(S.sigma**2, 5, 3), "minibatch_variance", InputError),
    (lambda: parse_expression(3), "parse_expression", InputError),  # type: ignore[arg-type]
    (lambda: parse_schedule(None), "schedule", InputError),  # type: ignore[arg-type]
    (lambda: parse_schedule(float("nan")), "schedule", InputError),
    (lambda: get_theorem("sgd-sc"), "theorem", UnknownNameError),
    (lambda: theorem(id="Not Kebab"), "theorem", InputError),
    (lambda: theorem(method="adam-ish"), WHERE, UnknownNameError),
    (lambda: theorem(iterate="best"), WHERE, UnknownNameError),
    (lambda: theorem(quantity="grad"), WHERE, UnknownNameError),
    (lambda: theorem(kind="maybe"), WHERE, UnknownNameError),
    (lambda: theorem(assumptions=()), WHERE, InputError),
    (lambda: theorem(assumptions=("convexish",)), WHERE, UnknownNameError),
    (lambda: theorem(bound="1/k"), WHERE, InputError),
    (lambda: theorem(bound=S.G**2 / sp.Symbol("lam")), WHERE, InputError),
    (lambda: theorem(bound=S.G**2 / S.lam), WHERE, InputError),
    (lambda: theorem(bound=S.L / S.k), WHERE, InputError),
    (lambda: theorem(bound=S.G**2 / (S.b * S.lam * S.k)), WHERE, InputError),
    (lambda: theorem(method="minibatch-sgd"), WHERE, InputError),
    (lambda: theorem(valid_from=-1), WHERE, InputError),
    (lambda: theorem(conditions=[S.lam < 1]), WHERE, InputError),
    (lambda: theorem(conditions=(S.lam > 0,)), WHERE, InputError),
    (lambda: theorem(conditions=(sp.Symbol("x") < 1,)), WHERE, InputError),
    (lambda: theorem(attained_on="quadratic"), WHERE, InputError),
    (lambda: theorem(exhibit="quadratic"), WHERE, InputError),
    (lambda: theorem(exhibit={**SC.exhibit, "rtol": 0.2}), WHERE, InputError),
    (lambda: theorem(exhibit={**SC.exhibit, "expect": "sgd-sc-dist"}), WHERE, InputError),
]


@pytest.mark.parametrize(("call", "where", "error"), BAD)
def test_every_rejected_value_has_the_one_shape(call, where, error):
    with pytest.raises(InputError) as info:
        call()
    assert type(info.value) is error, repr(info.value)
    first = str(info.value).splitlines()[0]
    assert SHAPE.match(first), first
    assert first.startswith(f"{where}: "), first


def test_an_exhibit_without_its_required_keys_says_what_is_missing():
    with pytest.raises(InputError) as info:
        theorem(exhibit={"objective": "ridge", "expect": "sgd-sc-last"})
    assert str(info.value) == (
        "theorem 'sgd-sc-last' exhibit: optimizer, schedule are missing; expected the required "
        "keys objective, optimizer, schedule, expect"
    )
