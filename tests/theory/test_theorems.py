"""theory.theorems: the assumption vocabulary and the Theorem record's validation."""

from __future__ import annotations

import dataclasses
import json
import re

import pytest
import sympy as sp

from theory import symbols as S
from theory.errors import InputError, UnknownNameError
from theory.theorems import ASSUMPTIONS, Theorem

REQUIRED_TAGS = {
    "strongly-convex": S.lam,
    "smooth": S.L,
    "smooth-at-optimum": S.mu,
    "convex": None,
    "bounded-second-moment": S.G,
    "bounded-variance": S.sigma,
    "bounded-domain": S.D,
    "initial-distance": S.R,
    "quadratic": S.lam,
    "additive-noise": S.sigma,
    "deterministic": None,
    "non-smooth-allowed": None,
}


@pytest.mark.parametrize(("tag", "constant"), REQUIRED_TAGS.items())
def test_required_tags_bring_their_constant(tag, constant):
    assert ASSUMPTIONS[tag].constant is constant


@pytest.mark.parametrize("assumption", ASSUMPTIONS.values(), ids=lambda a: a.tag)
def test_every_tag_is_documented_with_a_known_symbol(assumption):
    assert assumption.statement and "\n" not in assumption.statement
    assert assumption.constant is None or S.ALL[assumption.constant.name] is assumption.constant


def test_vocabulary_is_frozen():
    with pytest.raises(TypeError):
        ASSUMPTIONS["new"] = None  # type: ignore[index]


EXHIBIT = {"objective": "ridge", "optimizer": "sgd", "schedule": "1/(lam*k)", "expect": "sgd-test"}


def _fields(**overrides):
    fields = {
        "id": "sgd-test",
        "title": "test theorem",
        "method": "sgd",
        "assumptions": ("strongly-convex", "bounded-second-moment"),
        "schedule": 1 / (S.lam * S.k),
        "iterate": "last",
        "iterate_param": None,
        "quantity": "gap",
        "bound": 17 * S.G**2 * (1 + sp.log(S.k + 1)) / (S.lam * (S.k + 1)),
        "kind": "upper",
        "valid_from": 1,
        "conditions": (),
        "attained_by": None,
        "source": "a paper, Theorem 1",
        "verified": False,
        "verification": "unverified",
    }
    fields.update(overrides)
    return fields


BAD = [
    ({"id": "Not Kebab"}, InputError, "theorem: id = 'Not Kebab' is not allowed; expected kebab"),
    (
        {"method": "adam-ish"},
        UnknownNameError,
        "method = 'adam-ish' is not allowed; expected one of",
    ),
    ({"iterate": "best"}, UnknownNameError, "iterate = 'best' is not allowed"),
    ({"quantity": "grad"}, UnknownNameError, "quantity = 'grad' is not allowed"),
    ({"kind": "maybe"}, UnknownNameError, "kind = 'maybe' is not allowed"),
    ({"assumptions": ("convexish",)}, UnknownNameError, "assumption = 'convexish' is not"),
    (
        {"assumptions": ()},
        InputError,
        "assumptions = () is not allowed; expected a non-empty tuple",
    ),
    ({"bound": "1/k"}, InputError, "bound = '1/k' is not allowed; expected a SymPy expression"),
    (
        {"bound": S.G**2 / sp.Symbol("lam")},
        InputError,
        "symbols of theory.symbols, not look-alikes",
    ),
    (
        {"bound": S.G**2 / S.lam},
        InputError,
        "bound = G**2/lam is not allowed; expected an expression",
    ),
    ({"bound": S.L / S.k}, InputError, "constants = [L] is not allowed; expected constants"),
    ({"bound": S.G**2 / (S.b * S.lam * S.k)}, InputError, "method = 'sgd' is not allowed"),
    ({"method": "minibatch-sgd"}, InputError, "expected a bound in the batch size b"),
    ({"valid_from": -1}, InputError, "valid_from = -1 is not allowed; expected an integer >= 0"),
    ({"conditions": (S.lam > 0,)}, InputError, "conditions[0] = True is not allowed"),
    (
        {"conditions": [S.c > 1]},
        InputError,
        "conditions = [c > 1] is not allowed; expected a tuple",
    ),
    ({"attained_on": "quadratic"}, InputError, "attained_on = 'quadratic' is not allowed"),
    ({"exhibit": "quadratic"}, InputError, "exhibit = 'quadratic' is not allowed; expected a dict"),
    ({"exhibit": {**EXHIBIT, "rtol": 0.2}}, InputError, "exhibit key = 'rtol' is not allowed"),
    (
        {"exhibit": {"objective": "ridge", "expect": "sgd-test"}},
        InputError,
        "theorem 'sgd-test' exhibit: optimizer, schedule are missing",
    ),
    (
        {"exhibit": {**EXHIBIT, "expect": "sgd-sc-last"}},
        InputError,
        "= 'sgd-sc-last' is not allowed",
    ),
]


@pytest.mark.parametrize(("overrides", "error", "message"), BAD)
def test_invalid_theorems_are_rejected_with_a_named_field(overrides, error, message):
    with pytest.raises(error, match=re.escape(message)):
        Theorem(**_fields(**overrides))


def test_constants_may_come_from_the_schedule_and_iterate_param():
    theorem = Theorem(
        **_fields(
            schedule=S.c / S.k,
            iterate="polydecay",
            iterate_param=S.gamma,
            bound=S.c * S.G**2 * (S.gamma + 1) / (S.lam * S.k),
            conditions=(S.c * S.lam > sp.Rational(1, 2),),
        )
    )
    assert theorem.shape.exponent == -1


def test_theorem_is_frozen():
    theorem = Theorem(**_fields())
    with pytest.raises(dataclasses.FrozenInstanceError):
        theorem.bound = 1 / S.k  # type: ignore[misc]


REQUIRED_KEYS = {
    "id", "method", "assumptions", "schedule", "iterate", "bound", "order", "exponent",
    "log_power", "contraction", "attained_by", "attained_on", "exhibit", "source", "k_to_eps",
}  # fmt: skip

DERIVED = [
    # bound, conditions, exponent, log_power, contraction, floor (k_to_eps only if floor 0)
    (17 * S.G**2 * (1 + sp.log(S.k + 1)) / (S.lam * (S.k + 1)), (), -1.0, 1, None, 0.0),
    (S.G**2 * S.k ** (-2 * S.c * S.lam), (), "-2*c*lam", 0, None, 0.0),
    (S.G**2 * (1 - S.c * S.lam) ** S.k, (S.c * S.lam < 1,), None, 0, "-c*lam + 1", 0.0),
    (S.G**2 * (1 + 1 / S.k), (), -1.0, 0, None, "G**2"),  # the shape of B - floor
]


@pytest.mark.parametrize(("bound", "conditions", "exponent", "log_power", "rho", "floor"), DERIVED)
def test_to_dict_is_json_ready_and_carries_the_derived_shape(
    bound, conditions, exponent, log_power, rho, floor
):
    theorem = Theorem(**_fields(schedule=S.c / S.k, bound=bound, conditions=conditions))
    data = json.loads(json.dumps(theorem.to_dict()))
    assert set(data) >= REQUIRED_KEYS
    assert data["exponent"] == exponent
    assert data["log_power"] == log_power
    assert data["contraction"] == rho
    assert data["floor"] == floor
    assert (data["k_to_eps"] is None) == (floor != 0)
    assert data["assumptions"] == ["strongly-convex", "bounded-second-moment"]


def test_the_exhibit_is_read_only_in_the_order_of_verify_keywords():
    theorem = Theorem(**_fields(attained_on=("ridge",), exhibit={"seed": 3, **EXHIBIT}))
    assert list(theorem.exhibit) == ["objective", "optimizer", "schedule", "expect", "seed"]
    with pytest.raises(TypeError):
        theorem.exhibit["steps"] = 10  # type: ignore[index]
    data = json.loads(json.dumps(theorem.to_dict()))
    assert data["exhibit"] == {**EXHIBIT, "seed": 3} and data["attained_on"] == ["ridge"]
    assert "attained on  ridge" in theorem.summary()


def test_summary_states_the_bound_and_the_verification():
    text = Theorem(**_fields()).summary()
    assert text.startswith("sgd-test: test theorem")
    assert "E[F(w_k) - F*] <= 17*G**2*(log(k + 1) + 1)/(lam*(k + 1))   (k >= 1)" in text
    assert "order        log(k)/k" in text
    assert "verified     NO: unverified" in text
