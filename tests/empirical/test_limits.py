"""A run, or an objective, above its limit is refused before anything is allocated."""

from __future__ import annotations

import time

import pytest

from empirical import run
from empirical.limits import affordable_replicates, run_size
from empirical.objectives import objective
from empirical.scenario import Scenario, field_of
from theory.limits import LimitError

RIDGE = ("ridge", "sgd", "1/(lam*k)")


@pytest.mark.parametrize("steps", [10**15, 10**19, 2**70])
def test_too_many_replicate_steps_are_refused_at_once(steps):
    start = time.monotonic()
    with pytest.raises(LimitError) as info:
        Scenario(*RIDGE, expect="sgd-sc-smooth-last", steps=steps)
    assert time.monotonic() - start < 1
    message = str(info.value)
    assert message.startswith(f"scenario: steps = {steps} is not allowed; expected steps x ")
    assert "MAX_REPLICATE_STEPS = 1e+10" in message
    assert "RATECHECK_MAX_REPLICATE_STEPS" in message
    assert field_of(info.value) == "steps"


def test_too_many_replicates_name_the_replicates():
    with pytest.raises(LimitError, match=r"^scenario: replicates = 1000000000 is not allowed"):
        Scenario(*RIDGE, steps=100, replicates=10**9)


def test_the_environment_raises_the_replicate_steps_limit(monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_REPLICATE_STEPS", "1e17")
    assert Scenario(*RIDGE, steps=10**15).steps == 10**15


def test_a_later_stage_of_the_same_scenario_is_checked_too():
    scenario = Scenario(*RIDGE, steps=1000)
    with pytest.raises(LimitError, match="MAX_REPLICATE_STEPS"):
        scenario.replace(steps=10**12)


def test_a_run_too_large_for_memory_is_refused_before_it_allocates():
    with pytest.raises(LimitError) as info:
        Scenario("quadratic:d=1000000", "sgd", "1/k", steps=10, replicates=1000)
    assert "MAX_RUN_BYTES" in str(info.value) and "RATECHECK_MAX_RUN_BYTES" in str(info.value)
    assert field_of(info.value) == "replicates"


def test_run_counts_its_own_averages_and_checkpoints_in_memory(monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_RUN_BYTES", "1.5e8")
    spec = ("quadratic:d=10000", "sgd", "1/k")
    run(*spec, steps=10, replicates=30, seed=0)  # 129 MB estimated: allowed
    averages = ["uniform", "polydecay:gamma=1", "polydecay:gamma=2", "suffix:alpha=0.5"]
    with pytest.raises(LimitError, match=r"^run: replicates = 30 is not allowed; .*MAX_RUN_BYTES"):
        run(*spec, steps=10, replicates=30, seed=0, average=averages)


def test_affordable_replicates_fit_both_limits(monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_REPLICATE_STEPS", "1e6")
    size = run_size(objective("quadratic"), 1, 1000, 32, 1, 0, 1)
    assert affordable_replicates(size) == 1000
    monkeypatch.setenv("RATECHECK_MAX_RUN_BYTES", str(size.bytes() + 10))
    assert affordable_replicates(size) == 1


@pytest.mark.parametrize(
    ("spec", "limit"),
    [
        ("quadratic:d=10000000", "MAX_DIMENSION"),
        ("ridge:n=10,d=100000", "MAX_DENSE_DIMENSION"),
        ("logistic:n=10,d=5000", "MAX_DENSE_DIMENSION"),
        ("ridge:n=100000000,d=10", "MAX_DESIGN_ELEMENTS"),
        ("lad:n=2000000,d=10", "MAX_DESIGN_ELEMENTS"),
    ],
)
def test_an_objective_too_large_to_build_is_refused(monkeypatch, spec, limit):
    monkeypatch.setenv("RATECHECK_MAX_DIMENSION", "1e5")
    monkeypatch.setenv("RATECHECK_MAX_DENSE_DIMENSION", "20")
    monkeypatch.setenv("RATECHECK_MAX_DESIGN_ELEMENTS", "1e4")
    start = time.monotonic()
    with pytest.raises(LimitError, match=f"limit {limit} = .*RATECHECK_{limit}"):
        objective(spec)
    assert time.monotonic() - start < 1


def test_the_default_objective_limits_refuse_what_would_exhaust_memory():
    with pytest.raises(LimitError, match=r"^objective 'quadratic': d = 1000000000.0 is not "):
        objective("quadratic:d=1e9")
    with pytest.raises(LimitError, match=r"^objective 'ridge': n = 1000000000 is not allowed"):
        objective("ridge:n=1e9,d=10")
