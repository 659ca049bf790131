"""Binding schedules to objective constants, and the plateau rule."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from empirical.schedules import PlateauSchedule, StepSchedule, bind_schedule, parse_plateau
from theory import symbols
from theory.errors import InputError, UnknownNameError


@dataclass
class Constants:
    """The part of an objective a schedule reads."""

    constants: dict[str, float] = field(default_factory=lambda: {"lam": 0.3, "L": 4.0})
    name: str = "toy"
    n: int | None = None


K = np.arange(1, 2001)

CASES = [
    ("1/(lam*k)", {}, 1.0 / (0.3 * K)),
    ("1/L", {}, np.full(K.shape, 1.0 / 4.0)),
    ("c/sqrt(k)", {"c": 0.5}, 0.5 / np.sqrt(K)),
    ("c*k**(-p)", {"c": 2.0, "p": 0.75}, 2.0 * K ** (-0.75)),
    ("c/(k + k0)", {"c": 1.0, "k0": 10.0}, 1.0 / (K + 10.0)),
    ("1/(lam*k)", {"lam": 2.0}, 1.0 / (2.0 * K)),  # an override wins over the objective
    (0.25, {}, np.full(K.shape, 0.25)),
    (symbols.c / (symbols.lam * symbols.k), {"c": 0.5}, 0.5 / (0.3 * K)),
]


@pytest.mark.parametrize(("schedule", "constants", "expected"), CASES)
def test_values_match_the_formula(schedule: object, constants: dict, expected: np.ndarray) -> None:
    bound = bind_schedule(schedule, Constants(), constants)
    assert isinstance(bound, StepSchedule)
    values = bound.values(K)
    assert values.dtype == np.float64 and values.shape == K.shape
    np.testing.assert_allclose(values, expected, rtol=1e-15)


def test_constants_are_used_to_the_last_bit() -> None:
    lam = 0.12345678901234568
    bound = bind_schedule("1/(lam*k)", Constants({"lam": lam}))
    np.testing.assert_array_equal(bound.values(K), 1.0 / (lam * K.astype(float)))
    assert bound.constants == {"lam": lam}
    assert bound.bound.free_symbols == {symbols.k}


def test_blocks_give_the_same_values() -> None:
    bound = bind_schedule("c*k**(-p)", Constants(), {"c": 0.7, "p": 0.51})
    whole = bound.values(np.arange(1, 101))
    parts = np.concatenate([bound.values(np.arange(1, 38)), bound.values(np.arange(38, 101))])
    np.testing.assert_array_equal(whole, parts)


def test_missing_constant_names_it_and_the_available_ones() -> None:
    pattern = (
        r"^schedule 'c/k': c is missing; expected a value from objective 'toy' .*lam=0\.3, L=4"
    )
    with pytest.raises(InputError, match=pattern + ".*constants=") as err:
        bind_schedule("c/k", Constants())
    assert "c" in str(err.value)


def test_unknown_override_key_lists_the_constants() -> None:
    pattern = "constant = 'lamda' is not allowed; expected one of lam, mu"
    with pytest.raises(UnknownNameError, match=pattern):
        bind_schedule("1/(lam*k)", Constants(), {"lamda": 1.0})


@pytest.mark.parametrize("value", [float("nan"), "big", True])
def test_override_must_be_a_finite_number(value: object) -> None:
    with pytest.raises(
        InputError, match=r"^schedule 'c/k': c = .* is not allowed; expected a finite"
    ):
        bind_schedule("c/k", Constants(), {"c": value})


def test_non_positive_step_names_the_first_bad_k() -> None:
    bound = bind_schedule("1/(L*(k - 3))", Constants())
    np.testing.assert_allclose(bound.values(np.arange(5, 8)), 1 / (4 * np.arange(2, 5)))
    with pytest.raises(InputError, match=r"eta\(1\) = -0\.125 is not allowed; expected a finite"):
        bound.values(np.arange(1, 10))
    with pytest.raises(InputError, match=r"eta\(3\) = inf is not allowed"):
        bound.values(np.arange(3, 10))


def test_plateau_spec_and_defaults() -> None:
    rule = bind_schedule("plateau:eta0=0.1,patience=2", Constants())
    assert rule == PlateauSchedule(eta0=0.1, factor=10.0, patience=2, tol=1e-4, every=100)
    assert rule.label == "plateau:eta0=0.1,factor=10.0,patience=2,tol=0.0001,every=100"
    assert parse_plateau(rule.label) == rule
    np.testing.assert_array_equal(rule.values(np.arange(1, 4)), [0.1, 0.1, 0.1])


@pytest.mark.parametrize(
    ("spec", "error", "fragment"),
    [
        ("plateau", InputError, "^schedule 'plateau': eta0 is missing; expected the required key"),
        (
            "plateau:eta0=0.1,speed=2",
            UnknownNameError,
            "key = 'speed' is not allowed; expected one of eta0, factor, patience, tol, every",
        ),
        ("plateau:eta0=-1", InputError, "eta0 = -1 is not allowed; expected a finite number > 0"),
        (
            "plateau:eta0=1,factor=1",
            InputError,
            "factor = 1 is not allowed; expected a finite number > 1",
        ),
        (
            "plateau:eta0=1,patience=0",
            InputError,
            "patience = 0 is not allowed; expected an integer >= 1",
        ),
        ("plateau:eta0=1,patience=1.5", InputError, r"patience = 1\.5 is not allowed"),
        (
            "plateau:eta0=1,tol=1",
            InputError,
            r"tol = 1 is not allowed; expected a number in \[0, 1\)",
        ),
        (
            "plateau:eta0=1,every=0",
            InputError,
            "every = 0 is not allowed; expected an integer >= 1",
        ),
    ],
)
def test_plateau_errors(spec: str, error: type, fragment: str) -> None:
    with pytest.raises(error, match=fragment):
        bind_schedule(spec, Constants())


# Per replicate: the objective values seen at successive evaluation points, and the scale
# after each one (patience 2, factor 10, tol 0.1).
PLATEAU_RULE = [
    ([5.0, 4.0, 3.0, 2.0], [1, 1, 1, 1]),  # always improving by > 10%
    ([5.0, 4.8, 4.7, 4.0, 4.0], [1, 1, 0.1, 0.1, 0.1]),  # 4.8, 4.7 not 10% better; 4.0 is
    ([5.0, 6.0, 6.0, 6.0, 6.0], [1, 1, 0.1, 0.1, 0.01]),  # bad counter restarts after a cut
    ([-1.0, -1.05, -1.2, -1.2], [1, 1, 1, 1]),  # relative to |best| for negative values
    ([np.nan, 3.0, 3.0, 3.0], [1, 1, 1, 0.1]),  # NaN never improves; 3.0 improves on inf
]


@pytest.mark.parametrize(("values", "scales"), PLATEAU_RULE)
def test_plateau_rule_table(values: list[float], scales: list[float]) -> None:
    tracker = PlateauSchedule(eta0=1.0, factor=10.0, patience=2, tol=0.1).tracker(1)
    for value, scale in zip(values, scales, strict=True):
        tracker.observe(np.array([value]))
        assert tracker.scale[0] == pytest.approx(scale, rel=1e-15)


def test_plateau_replicates_are_independent() -> None:
    rule = PlateauSchedule(eta0=1.0, factor=10.0, patience=2, tol=0.1)
    together = rule.tracker(len(PLATEAU_RULE))
    for step in range(4):
        together.observe(np.array([values[step] for values, _ in PLATEAU_RULE]))
    alone = [scales[3] for _, scales in PLATEAU_RULE]
    np.testing.assert_allclose(together.scale, alone, rtol=1e-15)


def test_schedule_type_errors() -> None:
    with pytest.raises(InputError):
        bind_schedule([1, 2], Constants())  # type: ignore[arg-type]
