"""empirical.Scenario: one validated description of a run, its plain data and command."""

from __future__ import annotations

import pickle
import re
import shlex

import numpy as np
import pytest

from empirical import Scenario, run, verify
from empirical.scenario import check_batch_size, check_sampling, field_of
from theory.errors import InputError, RatecheckError, UnknownNameError

PLAIN = {
    "objective": "quadratic:d=4",
    "optimizer": "momentum:beta=0.5",
    "schedule": "1/(lam*k)",
    "expect": "O(1/k)",
    "steps": 2000,
    "replicates": 6,
    "seed": 3,
    "batch_size": 1,
    "sampling": "replacement",
    "average": "uniform",
    "constants": {"c": 2.0},
    "alpha": 0.02,
    "delta": 0.1,
    "rtol": 0.2,
    "alpha_c": 0.1,
}


def test_round_trip_is_exact() -> None:
    scenario = Scenario.from_dict(PLAIN)
    assert scenario.to_dict() == PLAIN
    assert Scenario.from_dict(scenario.to_dict()) == scenario


def test_defaults_fill_missing_fields() -> None:
    scenario = Scenario.from_dict({"objective": "ridge", "optimizer": "sgd", "schedule": 0.01})
    data = scenario.to_dict()
    assert (data["steps"], data["replicates"], data["seed"]) == (100_000, None, 0)
    assert data["expect"] is None and data["average"] is None


def test_objects_become_their_specs() -> None:
    from empirical import objective, optimizer

    scenario = Scenario(objective("ridge:n=50"), optimizer("sgd"), 0.01, expect="O(1/k)")
    data = scenario.to_dict()
    assert data["objective"].startswith("ridge:n=50,") and data["optimizer"] == "sgd"
    assert Scenario.from_dict(data).parts.objective.n == 50


def test_command_parses_back_to_the_same_scenario() -> None:
    scenario = Scenario.from_dict(PLAIN)
    words = shlex.split(scenario.command())
    assert words[:2] == ["ratecheck", "verify"]
    flags = dict(zip(words[2::2], words[3::2], strict=True))
    assert flags["--objective"] == PLAIN["objective"]
    assert flags["--average"] == "uniform" and flags["--steps"] == "2000"
    assert flags["--alpha"] == "0.02" and flags["--constants"] == "c=2.0"
    assert "--rtol" in flags and "--alpha-c" in flags


def test_command_needs_an_expectation() -> None:
    with pytest.raises(InputError, match=r"^scenario: expect is missing; expected a theorem id"):
        Scenario("ridge", "sgd", 0.01).command()


@pytest.mark.parametrize(
    ("field", "value", "fragment"),
    [
        ("objective", "nope", "objective: name = 'nope' is not allowed"),
        ("optimizer", "sgd:beta=2", "beta"),
        ("schedule", "1/(k*", "schedule"),
        ("expect", "O(k)", ""),
        ("steps", 0, "scenario: steps = 0 is not allowed; expected an integer >= 1"),
        (
            "replicates",
            True,
            "scenario: replicates = True is not allowed; expected an integer >= 1",
        ),
        ("seed", -1, "scenario: seed = -1 is not allowed; expected an integer >= 0"),
        ("batch_size", 0, "scenario: batch_size = 0 is not allowed; expected an integer >= 1"),
        (
            "sampling",
            "random",
            "scenario: sampling = 'random' is not allowed; expected one of shuffle, replacement, "
            "cyclic",
        ),
        ("average", "median", "average: name = 'median' is not allowed"),
        (
            "constants",
            {"c": "x"},
            "scenario: constants = {'c': 'x'} is not allowed; expected a mapping of names to "
            "numbers",
        ),
        ("alpha", 0.9, "scenario: alpha = 0.9 is not allowed; expected a number in (0, 0.5)"),
        ("delta", -1, "scenario: delta = -1 is not allowed; expected a finite number >= 0"),
    ],
)
def test_each_bad_field_is_named(field: str, value: object, fragment: str) -> None:
    with pytest.raises(RatecheckError) as caught:
        Scenario.from_dict({**PLAIN, field: value})
    assert field_of(caught.value) == field
    assert fragment.lower() in str(caught.value).lower()


def test_unknown_and_missing_fields_are_refused() -> None:
    with pytest.raises(
        UnknownNameError,
        match=r"^scenario: field = 'step' is not allowed; expected one of objective",
    ):
        Scenario.from_dict({**PLAIN, "step": 3})
    with pytest.raises(InputError, match=r"^scenario: schedule is missing; expected the required"):
        Scenario.from_dict({"objective": "ridge", "optimizer": "sgd"})


def test_deterministic_objective_refuses_a_batch() -> None:
    with pytest.raises(
        InputError, match=r"^scenario: batch_size = 2 is not allowed; expected 1: .*deterministic"
    ) as caught:
        Scenario("worst-case-gd", "sgd", "1/L", batch_size=2)
    assert field_of(caught.value) == "batch_size"


def test_pickle_rebuilds_the_parts() -> None:
    scenario = Scenario.from_dict(PLAIN)
    again = pickle.loads(pickle.dumps(scenario))
    assert again == scenario and "_parts" not in pickle.loads(pickle.dumps(scenario)).__dict__
    assert again.parts.plan is not None and again.parts.objective.d == 4


def test_run_of_a_scenario_equals_the_keyword_run() -> None:
    scenario = Scenario("ridge:n=200", "sgd", "1/(lam*k)", steps=500, replicates=4, seed=5)
    by_object = run(scenario)
    by_keywords = run("ridge:n=200", "sgd", "1/(lam*k)", steps=500, replicates=4, seed=5)
    np.testing.assert_array_equal(by_object.gap, by_keywords.gap)
    assert by_object.config["checkpoints"] == by_keywords.config["checkpoints"]


def test_run_refuses_a_scenario_with_run_fields() -> None:
    scenario = Scenario("ridge:n=200", "sgd", 0.01, steps=10, replicates=2)
    with pytest.raises(InputError, match="pass it alone"):
        run(scenario, steps=20)


def test_verify_of_a_scenario_equals_the_keyword_verify() -> None:
    fields = {**PLAIN, "average": None, "constants": {}, "optimizer": "sgd"}
    by_object = verify(Scenario.from_dict(fields)).to_dict()
    by_keywords = verify(**fields).to_dict()
    for data in (by_object, by_keywords):
        data["config"]["run"].pop("ratecheck")
        for timing in ("wall_time", "compile_time"):
            data["trace"].pop(timing)
    assert by_object == by_keywords
    assert by_object["config"]["command"] == Scenario.from_dict(fields).command()


@pytest.mark.parametrize(
    ("batch_size", "n", "fragment"),
    [
        (0, 10, "scenario: batch_size = 0 is not allowed; expected an integer >= 1"),
        (2.5, 10, "scenario: batch_size = 2.5 is not allowed; expected an integer >= 1"),
        (True, 10, "batch_size = True is not allowed"),
        (
            11,
            10,
            "scenario: batch_size = 11 is not allowed; expected an integer in [1, 10]: "
            "objective 'toy' has n = 10 samples",
        ),
    ],
)
def test_batch_size_errors_name_the_input(batch_size: object, n: int, fragment: str) -> None:
    with pytest.raises(InputError, match=re.escape(fragment)):
        check_batch_size(batch_size, n, "toy")


@pytest.mark.parametrize(("batch_size", "n"), [(1, 1), (10, 10), (np.int64(3), 5), (64, None)])
def test_batch_size_accepted(batch_size: int, n: int | None) -> None:
    assert check_batch_size(batch_size, n, "toy") == int(batch_size)


def test_unknown_sampling_lists_the_allowed_orders() -> None:
    with pytest.raises(UnknownNameError, match=r"expected one of shuffle, replacement, cyclic$"):
        check_sampling("random")
    assert check_sampling("cyclic") == "cyclic"


def test_resizing_keeps_the_parts_and_checks_the_sizes() -> None:
    scenario = Scenario.from_dict(PLAIN)
    longer = scenario.replace(steps=5000, replicates=3)
    assert longer.parts is scenario.parts
    assert (longer.steps, longer.replicates) == (5000, 3) and longer == Scenario.from_dict(
        {**PLAIN, "steps": 5000, "replicates": 3}
    )
    with pytest.raises(
        RatecheckError, match="scenario: steps = 0 is not allowed; expected an integer >= 1"
    ):
        scenario.replace(steps=0)
    other = scenario.replace(sampling="shuffle")
    assert other.parts is not scenario.parts and other.sampling == "shuffle"
