"""empirical.verify: planning (assumptions, iterate, mode, constants) and real end-to-end runs.

The end-to-end runs are small (K <= 1e5, R <= 30) and use fixed seeds; the configurations
were chosen so that their verdict is the one stated at most seeds, not only at this one.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from empirical.averaging import Average
from empirical.fitting import needed_replicates
from empirical.objectives import objective
from empirical.optimizers import Optimizer, SgdState
from empirical.runner.loop import run
from empirical.schedules import bind_schedule
from empirical.verification.assumptions import exact_gradients, resolve_constants
from empirical.verification.expectation import parse_expectation
from empirical.verification.plan import attains, plan_verification
from empirical.verification.result import SCHEMA
from empirical.verification.verify import DEFAULT_REPLICATES, DEFAULT_STEPS, verify, verify_trace
from theory.catalog import get_theorem
from theory.errors import InputError


def plan(
    expect, spec, schedule, *, optimizer="sgd", batch_size=1, sampling="shuffle", average=None
):
    obj = objective(spec)
    return plan_verification(
        parse_expectation(expect),
        obj,
        optimizer,
        bind_schedule(schedule, obj),
        batch_size=batch_size,
        sampling=sampling,
        average=average,
    )


# ------------------------------------------------------------------ planning, no runs

ATTAINS = [
    ("minibatch-sgd-quadratic-exact", "quadratic", True),  # kind exact
    ("minibatch-sgd-quadratic-constant-step", "quadratic", True),
    ("sgd-sc-dist", "quadratic", True),  # attained_on lists the noisy quadratic
    ("sgd-sc-suffix", "quadratic", True),
    ("minibatch-sgd-quadratic-c-over-k-fast", "quadratic", True),
    ("sgd-sc-last", "quadratic", False),  # attained only in dimension ~ k
    ("sgd-sc-dist", "ridge", False),
    ("gd-smooth-convex-tight", "worst-case-gd", False),  # attained only at k = N
    ("sgd-convex-uniform", "lad", False),
]


@pytest.mark.parametrize(("theorem", "spec", "expected"), ATTAINS)
def test_attainment_mapping(theorem, spec, expected):
    assert attains(get_theorem(theorem), objective(spec)) is expected


MODES = [
    # expect, objective, schedule, optimizer, mode
    ("sgd-sc-dist", "quadratic", "1/(lam*k)", "sgd", "match"),
    ("minibatch-sgd-quadratic-exact", "quadratic:d=3", "1/(lam*k)", "sgd", "match"),
    ("sgd-sc-dist", "quadratic", "1/(lam*k)", None, "upper"),  # a user optimizer
    ("sgd-sc-dist", "ridge", "1/(lam*k)", "sgd", "upper"),  # not an attaining instance
    ("O(1/k)", "quadratic", "1/(lam*k)", "sgd", "upper"),
    ("linear", "ridge", "1/L", "sgd", "linear"),
    ("minibatch-sgd-quadratic-constant-step", "quadratic", "0.1", "sgd", "none"),  # a floor
]


@pytest.mark.parametrize(("expect", "spec", "schedule", "optimizer", "mode"), MODES)
def test_mode_of_the_rate_check(expect, spec, schedule, optimizer, mode):
    assert plan(expect, spec, schedule, optimizer=optimizer).mode == mode


MISMATCHES = [
    # expect, objective, schedule, keywords, pieces of the message
    ("sgd-sc-dist", "lad", "1/k", {}, ["sgd-sc-dist", "strongly-convex", "'lad'"]),
    ("gd-smooth-convex", "hinge", "1/k", {}, ["gd-smooth-convex", "smooth", "'hinge'"]),
    (
        "minibatch-sgd-quadratic-exact",
        "ridge",
        "1/(lam*k)",
        {},
        ["minibatch-sgd-quadratic-exact", "quadratic", "'ridge'", "linear-ls"],
    ),
    (
        "minibatch-sgd-quadratic-exact",
        "quadratic:d=3,L=2",
        "1/(lam*k)",
        {},
        ["quadratic", "curvatures"],
    ),
    ("gd-sc-smooth", "ridge:n=100", "1/L", {"batch_size": 10}, ["deterministic", "10 < n = 100"]),
    (
        "gd-sc-smooth",
        "ridge:n=100",
        "1/L",
        {"batch_size": 100, "sampling": "replacement"},
        ["deterministic", "'ridge'"],
    ),
    ("gd-sc-smooth", "quadratic", "1/L", {}, ["deterministic", "gaussian oracle"]),
    (
        "minibatch-sgd-quadratic-c-over-k-fast",
        "quadratic",
        "0.3/k",
        {},
        ["c*lam > 1/2", "false", "c = 0.3"],
    ),
    ("sgd-sc-dist", "quadratic", "1/(lam*k)", {"average": Average("uniform")}, ["last iterate"]),
    ("sgd-sc-uniform", "hinge", "1/(lam*k)", {"average": Average("suffix", 0.5)}, ["uniform"]),
    (
        "minibatch-sgd-quadratic-c-over-k-slow",
        "quadratic",
        "1/k**0.7",
        {},
        ["assumes eta_k = c/k", "for any value of c", "does not apply"],
    ),
]


@pytest.mark.parametrize(("expect", "spec", "schedule", "keywords", "pieces"), MISMATCHES)
def test_a_theorem_that_does_not_apply_is_an_input_error(expect, spec, schedule, keywords, pieces):
    with pytest.raises(InputError) as info:
        plan(expect, spec, schedule, **keywords)
    for piece in pieces:
        assert piece in str(info.value)


BINDINGS = [
    # expect, objective, schedule, constant, value
    ("sgd-convex-uniform", "lad", "0.5/sqrt(k)", "c", 0.5),
    ("minibatch-sgd-quadratic-c-over-k-fast", "quadratic:lam=2", "1/(lam*k)", "c", 0.5),
    ("minibatch-sgd-quadratic-constant-step", "quadratic", "0.1", "eta", 0.1),
    ("minibatch-sgd-quadratic-exact", "quadratic:lam=2,sigma=3", "1/(lam*k)", "sigma", 3.0),
]


@pytest.mark.parametrize(("expect", "spec", "schedule", "name", "value"), BINDINGS)
def test_schedule_and_objective_constants_are_bound(expect, spec, schedule, name, value):
    assert plan(expect, spec, schedule).values[name] == pytest.approx(value, rel=1e-12)


def test_exact_bound_is_evaluated_with_the_objective_constants_and_b():
    """sigma^2/(2 b lam k) with sigma = 2, lam = 0.5, b = 4 is 1/k."""
    p = plan(
        "minibatch-sgd-quadratic-exact", "quadratic:lam=0.5,sigma=2", "1/(lam*k)", batch_size=4
    )
    k = np.array([1.0, 10.0, 1e4])
    assert p.bound_kind == "exact"
    np.testing.assert_allclose(p.bound(k), 1 / k, rtol=1e-14)


def test_slow_exponent_is_bound_from_the_schedule():
    """eta = 0.3/k on lam = 1: the exponent -2 c lam is -0.6."""
    p = plan("minibatch-sgd-quadratic-c-over-k-slow", "quadratic", "0.3/k")
    assert p.shape.exponent == pytest.approx(-0.6)
    assert p.bound_kind == "asymptotic"


SKIPS = [
    # expect, objective, schedule, piece of the reason the bound is not checked
    ("sgd-convex-uniform", "lad", "0.5/sqrt(k)", "(no diameter D); 'lad:radius=R' (a ball"),
    ("minibatch-sgd-smooth-convex", "ridge", "1/sqrt(k)", "no step schedule"),
    ("O(1/k)", "ridge", "1/k", "without constants"),
]


@pytest.mark.parametrize(("expect", "spec", "schedule", "piece"), SKIPS)
def test_why_the_bound_is_not_checked(expect, spec, schedule, piece):
    p = plan(expect, spec, schedule)
    assert p.bound is None and piece in p.bound_skipped


@pytest.mark.parametrize(
    ("spec", "hint"),
    [("hinge:n=100", "'hinge:radius=R' (a ball ||w|| <= R holding w*)"), ("ridge", "")],
)
def test_g_on_a_ball_says_how_to_project_when_the_objective_can(spec, hint):
    p = plan("sgd-sc-polydecay", spec, "1/(lam*k)")
    assert p.ball is not None
    assert hint in p.projection if hint else p.projection == ""
    assert plan("sgd-sc-polydecay", "hinge:n=100,radius=20", "1/(lam*k)").ball is None


AVERAGES = [
    ("sgd-sc-uniform", "uniform"),
    ("sgd-sc-suffix", "suffix:alpha=0.5"),
    ("sgd-sc-polydecay", "polydecay:gamma=1"),
]


@pytest.mark.parametrize(("expect", "recorded"), AVERAGES)
def test_an_averaged_theorem_records_its_average(expect, recorded):
    p = plan(expect, "hinge:n=100", "1/(lam*k)")
    assert p.average.to_spec() == recorded
    assert any(recorded in note for note in p.notes)


def _declared(spec, name):
    return float(objective(spec).constants[name])


CONSTANTS = [
    # theorem, objective, symbol, expected value (from the objective's declared constants)
    ("sgd-sc-smooth-last", "ridge:n=100", "mu", lambda: _declared("ridge:n=100", "L")),
    ("minibatch-sgd-sc-constant-step-nsw", "ridge:n=100", "L",
     lambda: _declared("ridge:n=100", "Lmax")),
    ("minibatch-sgd-sc-constant-step-nsw", "ridge:n=100", "sigma",
     lambda: np.sqrt(_declared("ridge:n=100", "sigma2_star"))),
    ("minibatch-sgd-sc-constant-step-nsw", "quadratic:d=2,L=3", "L", lambda: 3.0),
    ("minibatch-sgd-quadratic-exact", "quadratic:d=4,sigma=0.5", "sigma", lambda: 1.0),
    ("sgd-convex-uniform", "reddi", "D", lambda: 2.0),
    ("gd-smooth-convex", "worst-case-gd:R=3", "R", lambda: 3.0),
]  # fmt: skip


@pytest.mark.parametrize(("theorem", "spec", "symbol", "value"), CONSTANTS)
def test_constants_come_from_the_objective(theorem, spec, symbol, value):
    found = resolve_constants(
        get_theorem(theorem), objective(spec), batch_size=1, sampling="shuffle"
    )
    assert found.values[symbol] == pytest.approx(value(), rel=1e-12)


EXACT = [
    # objective, batch size, sampling, exact gradients
    ("worst-case-gd", 1, "shuffle", True),
    ("quadratic:sigma=0", 1, "shuffle", True),
    ("quadratic", 1, "shuffle", False),
    ("ridge:n=50", 50, "shuffle", True),
    ("ridge:n=50", 50, "cyclic", True),
    ("ridge:n=50", 50, "replacement", False),
    ("ridge:n=50", 49, "shuffle", False),
]


@pytest.mark.parametrize(("spec", "batch_size", "sampling", "expected"), EXACT)
def test_exact_gradients(spec, batch_size, sampling, expected):
    assert exact_gradients(objective(spec), batch_size, sampling) is expected


@pytest.mark.parametrize(("dimension", "replicates"), [(10, 10), (2.5, 30), (1, 70)])
def test_default_replicates_follow_the_sample_size_rule(dimension, replicates):
    """verify's docstring: sigma_1 = 0.065 at d = 10 (STATISTICS.md §3a), ~ 1/sqrt(d)."""
    sigma1 = 0.065 * np.sqrt(10 / dimension)
    assert needed_replicates(sigma1, 0.1, 0.01, 0.95) == replicates
    assert DEFAULT_REPLICATES == 30 and DEFAULT_STEPS == 100_000


def test_an_order_checks_the_average_it_is_given():
    p = plan("O(1/k)", "ridge:n=100", "1/(lam*k)", average=Average("uniform"))
    assert p.average.to_spec() == "uniform" and p.mode == "upper"


# ------------------------------------------------------------------ end to end, real runs


def outcomes(*args, seeds=(0, 1, 2), **keywords):
    """Verdicts at several seeds: a correct configuration must never FAIL and should PASS
    at most seeds (a guard may turn a PASS into INCONCLUSIVE)."""
    return [verify(*args, seed=seed, **keywords) for seed in seeds]


def test_sgd_on_the_noisy_quadratic_matches_the_exact_theorem():
    results = outcomes(
        "quadratic:d=50",
        "sgd",
        "1/(lam*k)",
        expect="minibatch-sgd-quadratic-exact",
        steps=10_000,
        replicates=30,
    )
    assert all(r.plan.mode == "match" for r in results)
    assert not [r for r in results if r.outcome == "fail"]
    passed = [r for r in results if r.outcome == "pass"]
    assert len(passed) >= 2
    for result in passed:
        assert result.label == "matches"
        assert result.checks.constant.outcome == "pass"
        assert result.to_dict()["bound_check"]["outcome"] == "pass"
        assert abs(result.fit.exponent.value + 1) < 0.05


def test_a_doubled_gradient_keeps_the_rate_but_fails_the_constant():
    """Gradient x 2 with eta = 1/(lam k) is eta = 2/(lam k): E gap = (4/3) sigma^2/(2 lam k)."""

    def update(grad, state, w, lr):
        return w - 2 * lr * grad, state

    doubled = Optimizer(init=lambda w0: SgdState(), update=update, name="doubled")
    result = verify(
        "quadratic:d=50",
        doubled,
        "1/(lam*k)",
        expect="minibatch-sgd-quadratic-exact",
        steps=10_000,
        replicates=30,
        seed=0,
        kernel="numpy",
    )
    assert result.plan.mode == "upper"  # a user optimizer
    assert result.checks.rate.outcome == "pass"
    assert (result.outcome, result.label) == ("fail", "bound-violated")
    assert result.checks.constant.statistic.value == pytest.approx(4 / 3, rel=0.1)


def test_sgd_on_ridge_passes_order_one_over_k():
    results = outcomes("ridge", "sgd", "1/(lam*k)", expect="O(1/k)", replicates=10)
    assert [r.outcome for r in results].count("pass") >= 2
    assert all(r.label == "within" for r in results if r.outcome == "pass")
    assert not [r for r in results if r.outcome == "fail"]


def test_a_constant_step_stalls():
    result = verify("ridge:n=200,d=5", "sgd", "0.01", expect="O(1/k)", steps=10_000, replicates=10)
    assert (result.outcome, result.label) == ("fail", "stalls")


def test_a_slow_schedule_is_slower_than_one_over_k():
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
    assert result.fit.exponent.value == pytest.approx(-0.7, abs=0.1)


def test_a_diverging_run_fails_with_diverges():
    result = verify("ridge:n=200,d=5", "sgd", "10", expect="O(1/k)", steps=1000, replicates=5)
    assert (result.outcome, result.label) == ("fail", "diverges")


def test_gradient_descent_on_ridge_converges_linearly():
    result = verify(
        "ridge:n=200,d=5", "sgd", "1/L", expect="linear", batch_size=200, steps=10_000, replicates=5
    )
    assert (result.outcome, result.label) == ("pass", "within")
    assert 0 < result.fit.contraction.value < 1
    assert result.config["steps_run"] < 10_000  # the first stage reached the float floor
    assert any("stopped after" in note for note in result.notes)


def test_sgd_with_one_over_k_is_not_linear():
    result = verify(
        "ridge:n=200,d=5",
        "sgd",
        "1/(lam*k)",
        expect="linear",
        steps=10_000,
        replicates=10,
        sampling="replacement",
    )
    assert (result.outcome, result.label) == ("fail", "slower")


def test_five_replicates_of_the_one_dimensional_quadratic_are_inconclusive():
    """d = 1 is the chi^2_1 worst case (STATISTICS.md §3a): 5 replicates cannot decide."""
    result = verify(
        "quadratic", "sgd", "1/(lam*k)", expect="O(1/k)", steps=10_000, replicates=5, seed=1
    )
    assert result.outcome == "inconclusive"
    assert result.needed_replicates > 5


JSON_KEYS = {
    "schema",
    "verdict",
    "label",
    "expected",
    "exponent",
    "window",
    "bound_check",
    "reason",
    "config",
    "trace",
}


def test_json_schema_and_rerun_from_the_recorded_config():
    result = verify(
        "ridge:n=200,d=5", "sgd", "1/k**0.7", expect="O(1/k)", steps=10_000, replicates=10, seed=3
    )
    data = json.loads(json.dumps(result.to_dict()))
    assert set(data) >= JSON_KEYS
    assert data["schema"] == SCHEMA
    assert data["verdict"] in ("pass", "fail", "inconclusive")
    assert data["expected"]["exponent"] == -1 and data["expected"]["text"] == "O(1/k)"
    assert set(data["exponent"]) >= {"estimate", "ci_low", "ci_high"}
    assert data["exponent"]["ci_low"] < data["exponent"]["estimate"] < data["exponent"]["ci_high"]
    assert len(data["window"]) == 2 and data["window"][0] < data["window"][1]
    assert len(data["trace"]["k"]) == len(data["trace"]["mean_gap"])
    config = data["config"]
    assert config["seed"] == 3 and config["steps"] == 10_000 and config["replicates"] == 10
    again = verify(
        config["objective"],
        config["optimizer"],
        config["schedule"],
        expect=config["expect"],
        steps=config["steps"],
        replicates=config["replicates"],
        seed=config["seed"],
        batch_size=config["batch_size"],
        sampling=config["sampling"],
        average=config["average"],
    )
    assert again.to_dict()["exponent"] == data["exponent"]
    assert "--seed 3" in config["command"]


def test_verify_trace_agrees_with_verify():
    trace = run("ridge:n=200,d=5", "sgd", "1/(lam*k)", steps=10_000, replicates=10, seed=1,
                average="uniform")  # fmt: skip
    direct = verify(
        "ridge:n=200,d=5",
        "sgd",
        "1/(lam*k)",
        expect="sgd-sc-uniform",
        steps=10_000,
        replicates=10,
        seed=1,
    )
    recorded = verify_trace(trace, "sgd-sc-uniform")
    assert recorded.outcome == direct.outcome and recorded.label == direct.label
    assert recorded.fit.exponent == direct.fit.exponent
    with pytest.raises(InputError, match="not recorded"):
        verify_trace(trace, "sgd-sc-polydecay")


ASCENT = '''
from empirical.optimizers.base import Optimizer


def ascent():
    """Gradient ascent: w_k = w_{k-1} + lr g_k (a sign error in an update)."""
    return Optimizer(init=lambda w0: (), update=lambda g, state, w, lr: (w + lr * g, state))
'''


def test_a_finite_but_exploding_run_is_labelled_diverges(tmp_path):
    """Gaps growing like k^40 (finite, never flagged non-finite) must fail as diverging,
    not be cut at a float floor scaled by the largest gap."""
    path = tmp_path / "ascent.py"
    path.write_text(ASCENT)
    result = verify(
        "quadratic:d=2",
        f"{path}:ascent",
        "20/(lam*k)",
        expect="O(1/k)",
        steps=10_000,
        replicates=5,
        seed=0,
    )
    assert (result.outcome, result.label) == ("fail", "diverges")
