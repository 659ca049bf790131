"""Verdicts a CI can act on: correct runs that must PASS, with the advice a rerun can use."""

from __future__ import annotations

import numpy as np
import pytest

from empirical import Scenario, check_bound, optimizer, verify
from theory.errors import InputError


def test_a_deterministic_run_at_the_exact_rate_passes() -> None:
    """GD with eta_k = c/(lam k), c lam = 0.3 < 1/2, on a noiseless 1-D quadratic: the gap
    is exactly of order k^(-2 c lam) = k^-0.6 with a curvature that moves the local slope by
    less than delta; identical replicates (se = 0) are judged by that magnitude."""
    result = verify(
        "quadratic:d=1,sigma=0",
        "sgd",
        "0.3/(lam*k)",
        expect="minibatch-sgd-quadratic-c-over-k-slow",
        replicates=3,
    )
    assert (result.outcome, result.label) == ("pass", "matches")
    assert result.fit is not None and not result.fit.flags


@pytest.mark.parametrize("theorem", ["gd-smooth-convex-tight", "gd-smooth-convex"])
def test_gd_on_its_tight_worst_case_passes_at_the_horizon(theorem: str) -> None:
    """GD with step 1/L on the worst case built for N = 1000 steps: the gap equals
    L R^2/(4N + 2) at k = N up to rounding and stays below the bound at every k, while
    its local slope (-0.25) is unlike the rate; the bound decides."""
    result = verify("worst-case-gd:N=1000", "sgd", "1/L", expect=theorem, steps=1000, replicates=2)
    assert (result.outcome, result.label) == ("pass", "within-bound")
    assert result.checks.bound is not None and result.checks.bound.outcome == "pass"
    assert "WITHIN-BOUND" in result.reason


def test_a_gap_equal_to_its_bound_up_to_rounding_is_not_a_violation() -> None:
    k = np.unique(np.geomspace(1, 1e3, 31).round())
    bound = 1.0 / (4 * k + 2)
    gaps = np.tile(bound * (1 + 4e-15), (2, 1))
    verdict = check_bound(k, gaps, bound, f_scale=1.0)
    assert verdict.outcome == "pass"
    assert check_bound(k, np.tile(bound * (1 + 1e-9), (2, 1)), bound, f_scale=1.0).outcome == (
        "fail"
    )


def test_a_stochastic_run_below_its_bound_is_still_judged_by_its_rate() -> None:
    """The bound decides only for deterministic runs: SGD with a slow step on ridge stays a
    FAIL (slower) although a loose bound may hold."""
    result = verify(
        "ridge:n=200,d=5",
        "sgd",
        "1/k**0.7",
        expect="O(1/k)",
        steps=10_000,
        replicates=10,
        sampling="replacement",
    )
    assert (result.outcome, result.label) == ("fail", "slower")
    assert not result.checks.deterministic


def test_gd_reaching_the_float_floor_under_its_bound_passes() -> None:
    """Full-batch GD on least squares (data seed 3) reaches the float floor within a decade,
    so no rate can be fitted; its replicates differ only in summation order, and the gap is
    below the bound with constants at every clean checkpoint: the bound decides."""
    result = verify(
        "least-squares:n=30,seed=3",
        "sgd",
        "1/L",
        expect="gd-smooth-convex",
        batch_size=30,
        seed=3,
        steps=100_000,
        replicates=4,
    )
    assert (result.outcome, result.label) == ("pass", "within-bound")
    assert result.checks.deterministic


REFUSED = [
    # objective, optimizer, schedule, theorem, batch size, words of the refusal
    ("ridge", "adam", "1/(lam*k)", "sgd-sc-smooth-last", 1, "is about sgd"),
    ("quadratic", "momentum", "1/(lam*k)", "minibatch-sgd-quadratic-exact", 1, "--optimizer sgd"),
    ("ridge", "sgd", "1/k", "sgd-sc-smooth-last", 1, "assumes eta_k = 1/(k*lam)"),
    ("quadratic", "sgd", "2/(lam*k)", "sgd-sc-dist", 1, "does not apply"),
    ("least-squares:n=30", "sgd", "1/L", "gd-smooth-convex", 1, "--batch-size 30"),
]


@pytest.mark.parametrize(("spec", "opt", "schedule", "theorem", "b", "words"), REFUSED)
def test_a_theorem_is_applied_only_to_its_method_and_schedule(
    spec, opt, schedule, theorem, b, words
):
    with pytest.raises(InputError, match="does not apply") as caught:
        Scenario(spec, opt, schedule, expect=theorem, batch_size=b)
    assert words in str(caught.value)


def test_a_user_optimizer_is_assumed_to_be_the_theorems_method() -> None:
    from empirical.optimizers.base import Optimizer

    sgd = optimizer("sgd")
    mine = Optimizer(init=sgd.init, update=sgd.update, name="mine")
    plan = Scenario("ridge", mine, "1/(lam*k)", expect="sgd-sc-smooth-last").parts.plan
    assert any("the theorem's method (sgd) is assumed" in note for note in plan.notes)


def test_an_auto_sized_verify_adds_replicates_only_when_they_decide() -> None:
    """The quadratic against its exact theorem: R = 30 cannot decide (imprecise); the
    second stage, at level alpha/2, reuses those 30 replicates and passes."""
    fields = {
        "objective": "quadratic:d=10",
        "optimizer": "sgd",
        "schedule": "1/(lam*k)",
        "expect": "minibatch-sgd-quadratic-exact",
        "steps": 30_000,
    }
    single = verify(**fields, replicates=30)
    auto = verify(**fields)
    assert (single.outcome, single.label) == ("inconclusive", "imprecise")
    assert auto.stages[0]["replicates"] == 30 and len(auto.stages) == 2
    assert (auto.stages[0]["alpha"], auto.stages[1]["alpha"]) == (0.005, 0.0025)
    assert auto.outcome == "pass" and auto.trace.replicates > 30
    np.testing.assert_array_equal(auto.trace.gap[:30], verify(**fields, replicates=30).trace.gap)
    assert "--replicates" not in auto.config["command"]
    assert "stages" in auto.summary()


def test_no_second_stage_for_a_decided_or_deterministic_run() -> None:
    decided = verify(
        "ridge:n=200,d=5",
        "sgd",
        "1/k**0.7",
        expect="O(1/k)",
        steps=10_000,
        sampling="replacement",
    )
    assert decided.outcome == "fail" and len(decided.stages) == 1
    exact = verify("quadratic:d=1,sigma=0", "sgd", "0.3/(lam*k)", expect="O(k**-0.6)")
    assert len(exact.stages) == 1


def test_the_time_cap_bounds_the_second_stage() -> None:
    from empirical.verification.verify import verify_scenario

    scenario = Scenario(
        "quadratic:d=10",
        "sgd",
        "1/(lam*k)",
        expect="minibatch-sgd-quadratic-exact",
        steps=30_000,
    )
    capped = verify_scenario(scenario, time_cap=1e-9)
    assert len(capped.stages) == 1 and capped.trace.replicates == 30


RIDGE_REPLACEMENT = {
    "objective": "ridge",
    "optimizer": "sgd",
    "schedule": "1/(lam*k)",
    "expect": "sgd-sc-smooth-last",
    "sampling": "replacement",
    "steps": 10_000,
}


def test_a_third_look_runs_longer_when_more_replicates_leave_it_pre_asymptotic() -> None:
    """Ridge with replacement sampling, seed 0: at K = 1e4 every burn-in window is
    materially curved at R = 30 and at R = 120; a rerun at K = 1e5 (level alpha/4) passes."""
    assert verify(**RIDGE_REPLACEMENT, replicates=120).label == "pre-asymptotic"
    auto = verify(**RIDGE_REPLACEMENT)
    assert [(s["replicates"], s["steps"]) for s in auto.stages] == [
        (30, 10_000),
        (120, 10_000),
        (120, 100_000),
    ]
    assert [s["alpha"] for s in auto.stages] == [0.005, 0.0025, 0.0025]
    assert [s["label"] for s in auto.stages][:2] == ["pre-asymptotic"] * 2
    assert auto.outcome == "pass" and int(auto.trace.k[-1]) == 100_000
    assert any(note.startswith("stage 3 reran K = 100000") for note in auto.notes)
    assert "--steps 10000" in auto.config["command"]


def test_the_third_look_is_skipped_when_the_time_cap_leaves_too_little(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Each replicate costs 1 ms per 1e4 updates: stage 2 (90 new) fits in a 0.2 s cap, and
    the 0.11 s left buys 11 replicates of a 1e5 run, fewer than R0 = 30."""
    from empirical.verification import verify as module

    monkeypatch.setattr(module, "_seconds", lambda trace: 1e-3 * trace.replicates)
    scenario = Scenario(**RIDGE_REPLACEMENT)
    result = module.verify_scenario(scenario, time_cap=0.2)
    assert [s["replicates"] for s in result.stages] == [30, 120]
    assert result.label == "pre-asymptotic"
    assert any("stage 3 (K = 100000, R >= 30) was not run" in note for note in result.notes)


def test_a_third_look_adds_replicates_when_stage_two_asks_for_more() -> None:
    """Ridge with replacement, seed 78, K = 1e5: stage 1 asks for 88 replicates, stage 2 at
    R = 120 (its last-decade window is noisier than stage 1's) still cannot decide and asks
    for 298; stage 3 extends the same run to ceil(1.25 * 298) = 373 replicates, at level
    alpha/4, and passes. The first 120 replicates are stage 2's, bit for bit."""
    fields = {**RIDGE_REPLACEMENT, "objective": "ridge:seed=78", "seed": 78, "steps": 100_000}
    auto = verify(**fields)
    assert [(s["replicates"], s["label"]) for s in auto.stages] == [
        (30, "imprecise"),
        (120, "imprecise"),
        (373, "within"),
    ]
    assert [s["needed_replicates"] for s in auto.stages][:2] == [88, 298]
    assert [s["alpha"] for s in auto.stages] == [0.005, 0.0025, 0.0025]
    assert auto.outcome == "pass" and int(auto.trace.k[-1]) == 100_000
    second = verify(**fields, replicates=120)
    np.testing.assert_array_equal(auto.trace.gap[:120], second.trace.gap)
