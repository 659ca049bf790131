"""The validation vocabulary: one message shape, typed checks, and the rule stated is applied."""

from __future__ import annotations

import re
import subprocess
import sys
from fractions import Fraction

import numpy as np
import pytest

from theory import validation as v
from theory.errors import InputError, RatecheckError, UnknownNameError

SHAPE = re.compile(r"^.+: .+ = .+ is not allowed; expected .+$")


def rejected(call, error: type[RatecheckError] = InputError) -> str:
    """The message of the error ``call()`` raises, checked to be of type ``error`` exactly."""
    with pytest.raises(RatecheckError) as info:
        call()
    assert type(info.value) is error, type(info.value)
    text = str(info.value)
    assert SHAPE.match(text.splitlines()[0]), text
    return text


def test_the_message_shape():
    error = v.not_allowed("objective 'ridge'", "n", 0, "an integer >= 1")
    assert type(error) is InputError
    assert str(error) == "objective 'ridge': n = 0 is not allowed; expected an integer >= 1"
    unknown = v.not_allowed("scenario", "sampling", "x", "one of a, b", UnknownNameError)
    assert type(unknown) is UnknownNameError and str(unknown).startswith("scenario: sampling = 'x'")
    assert v.message("w", "n", 1, "e") == "w: n = 1 is not allowed; expected e"
    assert v.rejection("n", "1", "e") == "n = '1' is not allowed; expected e"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (2, "2"),
        (2.0, "2.0"),
        ("abc", "'abc'"),
        (True, "True"),
        (np.float64(0.25), "0.25"),
        (np.int64(3), "3"),
        (np.bool_(True), "True"),
        (np.array(1.5), "1.5"),
        (np.array([1.0, 2.0]), "[1.0, 2.0]"),
        (np.ones((2, 3)), "<array of shape (2, 3)>"),
        (np.arange(10.0), "<array of shape (10,)>"),
        ((10, 1000), "(10, 1000)"),
        ({"c": "x"}, "{'c': 'x'}"),
    ],
)
def test_values_are_shown_as_given(value, text):
    assert v.shown(value) == text


def test_long_values_are_shortened():
    text = v.shown("x" * 500)
    assert len(text) == 80 and text.endswith("...") and text.startswith("'xxx")


@pytest.mark.parametrize(
    ("value", "kwargs", "result"),
    [
        (3, {"minimum": 1}, 3),
        (np.int64(7), {"minimum": 0}, 7),
        (0, {"minimum": 0}, 0),
        (5, {"minimum": 1, "maximum": 5}, 5),
        (-4, {}, -4),
        (10.0, {"minimum": 1, "integral_float": True}, 10),
        (1e3, {"minimum": 1, "integral_float": True}, 1000),
        (Fraction(6, 2), {"minimum": 1, "integral_float": True}, 3),
    ],
)
def test_integer_accepts(value, kwargs, result):
    got = v.integer("w", "n", value, **kwargs)
    assert got == result and type(got) is int


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (0, {"minimum": 1}, "an integer >= 1"),
        (True, {"minimum": 0}, "an integer >= 0"),
        (np.bool_(True), {"minimum": 0}, "an integer >= 0"),
        (2.5, {"minimum": 1}, "an integer >= 1"),
        (10.0, {"minimum": 1}, "an integer >= 1"),  # a float only with integral_float
        (2.5, {"minimum": 1, "integral_float": True}, "an integer >= 1"),
        (float("inf"), {"minimum": 1, "integral_float": True}, "an integer >= 1"),
        (float("nan"), {"minimum": 1, "integral_float": True}, "an integer >= 1"),
        ("3", {"minimum": 1}, "an integer >= 1"),
        (None, {"minimum": 1}, "an integer >= 1"),
        (6, {"minimum": 1, "maximum": 5}, "an integer in [1, 5]"),
        (6, {"maximum": 5}, "an integer <= 5"),
        (1.5, {}, "an integer"),
    ],
)
def test_integer_refuses(value, kwargs, expected):
    text = rejected(lambda: v.integer("objective 'x'", "n", value, **kwargs))
    assert text == f"objective 'x': n = {v.shown(value)} is not allowed; expected {expected}"


@pytest.mark.parametrize(
    ("bounds", "rule"),
    [
        ({}, "a finite number"),
        ({"above": 0.0}, "a finite number > 0"),
        ({"at_least": 0.0}, "a finite number >= 0"),
        ({"below": 1.0}, "a finite number < 1"),
        ({"at_most": 1.0}, "a finite number <= 1"),
        ({"at_least": 0.0, "below": 1.0}, "a number in [0, 1)"),
        ({"above": 0.0, "below": 0.5}, "a number in (0, 0.5)"),
        ({"above": 0.0, "at_most": 1.0}, "a number in (0, 1]"),
        ({"at_least": 0.05}, "a finite number >= 0.05"),
        ({"above": 1e-8}, "a finite number > 1e-08"),
        ({"at_least": 0.123456789}, "a finite number >= 0.123456789"),
    ],
)
def test_real_rules_state_the_bounds_exactly(bounds, rule):
    assert v.real_rule(**bounds) == rule


def test_real_rule_takes_one_bound_per_side():
    with pytest.raises(ValueError):
        v.real_rule(above=0.0, at_least=0.0)
    with pytest.raises(ValueError):
        v.real_rule(below=1.0, at_most=1.0)


@pytest.mark.parametrize(
    ("value", "bounds", "ok"),
    [
        (0.5, {"above": 0.0, "below": 1.0}, True),
        (0.0, {"above": 0.0}, False),
        (0.0, {"at_least": 0.0}, True),
        (1.0, {"below": 1.0}, False),
        (1.0, {"at_most": 1.0}, True),
        (np.float32(0.5), {"at_least": 0.0}, True),
        (3, {}, True),
        (Fraction(1, 4), {"above": 0.0}, True),
        (float("inf"), {}, False),
        (float("-inf"), {"below": 0.0}, False),
        (float("nan"), {}, False),
        (True, {}, False),
        (np.bool_(False), {}, False),
        ("0.5", {}, False),
        (None, {}, False),
        (1j, {}, False),
    ],
)
def test_real_checks_the_rule_it_states(value, bounds, ok):
    call = lambda: v.real("optimizer 'adam'", "beta1", value, **bounds)  # noqa: E731
    if ok:
        got = call()
        assert type(got) is float and got == float(value)
    else:
        text = rejected(call)
        assert text.endswith(f"expected {v.real_rule(**bounds)}")


def test_fraction_is_an_open_interval():
    assert v.fraction("scenario", "alpha", 0.01) == 0.01
    assert v.fraction("fit_rate", "level", 0.95, 1.0) == 0.95
    text = rejected(lambda: v.fraction("scenario", "alpha", 0.9))
    assert text == "scenario: alpha = 0.9 is not allowed; expected a number in (0, 0.5)"
    rejected(lambda: v.fraction("scenario", "alpha", 0.0))


def test_flag():
    assert v.flag("w", "f", True) is True
    assert v.flag("w", "f", np.bool_(False)) is False
    for value in (1, 0, "true", None):
        text = rejected(lambda value=value: v.flag("optimizer 'adam'", "bias_correction", value))
        assert text.endswith("expected true or false")


def test_choice():
    assert v.choice("scenario", "sampling", "cyclic", ("shuffle", "cyclic")) == "cyclic"
    text = rejected(
        lambda: v.choice("scenario", "sampling", "random", ("shuffle", "replacement", "cyclic")),
        UnknownNameError,
    )
    assert text == (
        "scenario: sampling = 'random' is not allowed; expected one of shuffle, replacement, cyclic"
    )
    hint = rejected(
        lambda: v.choice("objective", "name", "ridgee", ("ridge", "lad")), UnknownNameError
    )
    assert hint.endswith("expected one of ridge, lad (did you mean 'ridge'?)")
    other = rejected(lambda: v.choice("w", "beta", 3, ("auto",)), UnknownNameError)
    assert other.endswith("expected one of auto")
    custom = rejected(
        lambda: v.choice("w", "beta", "x", ("auto",), expected="'auto' or a number"),
        UnknownNameError,
    )
    assert custom.endswith("expected 'auto' or a number")
    as_input = rejected(lambda: v.choice("w", "m", "x", ("a",), error=InputError))
    assert as_input.startswith("w: m = 'x'")


def test_keys():
    v.keys("objective 'ridge'", {"n": 1}, ("n", "d"))
    text = rejected(
        lambda: v.keys("objective 'ridge'", {"n": 1, "bogus": 2}, ("n", "d")), UnknownNameError
    )
    assert text == "objective 'ridge': key = 'bogus' is not allowed; expected one of n, d"
    several = rejected(lambda: v.keys("w", {"a": 1, "b": 2}, ("n",)), UnknownNameError)
    assert several.endswith("expected one of n (also not allowed: 'b')")
    none = rejected(lambda: v.keys("optimizer 'sgd'", {"lr": 1}, ()), UnknownNameError)
    assert none == "optimizer 'sgd': key = 'lr' is not allowed; expected no keys"
    field = rejected(
        lambda: v.keys("scenario", {"step": 1}, ("steps",), name="field"), UnknownNameError
    )
    assert field == (
        "scenario: field = 'step' is not allowed; expected one of steps (did you mean 'steps'?)"
    )


def test_an_unknown_key_gets_the_closest_allowed_one_suggested():
    text = rejected(
        lambda: v.keys("objective 'quadratic'", {"dd": 10}, ("d", "lam", "L")), UnknownNameError
    )
    assert text.endswith("expected one of d, lam, L (did you mean 'd'?)"), text
    far = rejected(lambda: v.keys("w", {"zzz": 1}, ("alpha",)), UnknownNameError)
    assert "did you mean" not in far
    assert v.suggestion("sufix", ("uniform", "suffix")) == " (did you mean 'suffix'?)"
    assert v.suggestion(3, ("3",)) == ""


def test_missing_keys_are_an_input_error_in_the_same_words():
    with pytest.raises(InputError) as info:
        v.keys("schedule 'plateau'", {"factor": 2}, ("eta0", "factor"), required=("eta0",))
    assert type(info.value) is InputError
    assert str(info.value) == (
        "schedule 'plateau': eta0 is missing; expected the required key eta0"
    )
    both = v.missing("scenario", ["optimizer", "schedule"], "the required fields")
    assert str(both) == "scenario: optimizer, schedule are missing; expected the required fields"


def test_the_bottom_layer_imports_nothing_above_it():
    code = (
        "import sys, theory.validation; "
        "bad = [m for m in sys.modules if m.split('.')[0] in ('empirical', 'reports')]; "
        "sys.exit(1 if bad else 0)"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
