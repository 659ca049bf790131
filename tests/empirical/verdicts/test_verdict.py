"""Verdicts on synthetic traces with known answers (empirical.verdicts, STATISTICS.md §5)."""

from __future__ import annotations

import json
from collections import Counter

import numpy as np
import pytest

from empirical.fitting import fit_rate
from empirical.verdicts import (
    RateShape,
    Verdict,
    check_bound,
    check_constant,
    check_match,
    check_upper,
)
from tests.empirical.synthetic import (
    almost_sure_log_rate,
    checkpoints,
    constant,
    inverse_k,
    multiplicative_linear,
    power_schedule,
    shaped,
    simulate_sgd,
)
from theory.errors import InputError, UnknownNameError

K4, K5 = checkpoints(10**4), checkpoints(10**5)
ONE_OVER_K = RateShape(-1.0)


def experiments(k, gaps, size):
    """Split (M * size, J) gaps into M experiments of ``size`` replicates."""
    return [gaps[i * size : (i + 1) * size] for i in range(gaps.shape[0] // size)]


def sgd(k, count, size, seed, **kwargs):
    return experiments(k, simulate_sgd(k, replicates=count * size, seed=seed, **kwargs).gaps, size)


def outcomes(verdicts):
    return Counter((v.outcome, v.label) for v in verdicts)


# ---------------------------------------------------------------- upper mode

UPPER_FAILS = [
    # (name, k, generator kwargs, expected label)
    ("eta = 1/k^0.7 (W1)", K5, {"schedule": power_schedule(1.0, 0.7), "d": 10}, "slower"),
    ("constant step (W5)", K5, {"schedule": constant(1e-3), "d": 10, "w0": 1.0}, "stalls"),
    (
        "biased gradient F + C/k (W6)",
        K5,
        {"schedule": inverse_k(), "d": 10, "beta": 0.03},
        "stalls",
    ),
]


@pytest.mark.parametrize(("name", "k", "kwargs", "label"), UPPER_FAILS)
def test_upper_fails_with_the_right_label(name, k, kwargs, label):
    verdicts = [check_upper(k, g, ONE_OVER_K) for g in sgd(k, 5, 10, 31, **kwargs)]
    assert outcomes(verdicts) == Counter({("fail", label): 5}), name


def test_upper_passes_the_exact_one_over_k_rate():
    """c = 1, d = 10, R = 30 (C2): PASS about 70% (guards block some), FAIL about 0%."""
    verdicts = [
        check_upper(K5, g, ONE_OVER_K) for g in sgd(K5, 20, 30, 32, schedule=inverse_k(), d=10)
    ]
    counts = Counter(v.outcome for v in verdicts)
    assert counts["fail"] <= 1
    assert counts["pass"] >= 8
    for verdict in verdicts:
        if verdict.outcome == "pass":
            assert verdict.fit.exponent.interval(0.98)[0] <= -1.0 + 0.05


def test_upper_passes_log_k_over_k_against_its_own_shape():
    """c lam = 1/2 gives log k / k: within O(log k / k), and never a FAIL there."""
    traces = sgd(K5, 10, 10, 33, schedule=inverse_k(0.5), d=10)
    verdicts = [check_upper(K5, g, RateShape(-1.0, log_power=1.0)) for g in traces]
    counts = Counter(v.outcome for v in verdicts)
    assert counts["fail"] == 0 and counts["pass"] >= 3
    assert "(log k)^1" in verdicts[0].expected


def test_upper_divergence_by_non_finite_gaps():
    gaps = sgd(K5, 1, 10, 34, schedule=inverse_k(), d=10)[0]
    gaps[2, 30:] = np.inf
    gaps[5, 33:] = np.nan
    verdict = check_upper(K5, gaps, ONE_OVER_K)
    assert (verdict.outcome, verdict.label, verdict.n_diverged) == ("fail", "diverges", 2)
    assert f"k={K5[30]}" in verdict.reason


def test_upper_divergence_by_exploding_steps():
    """Constant step with eta lam = 2.5: |1 - eta lam| > 1, the iterates blow up."""
    gaps = simulate_sgd(K4, constant(2.5), 10, 35, d=10, w0=1.0).gaps
    verdict = check_upper(K4, gaps, ONE_OVER_K)
    assert (verdict.outcome, verdict.label) == ("fail", "diverges")


def test_upper_divergence_by_growing_finite_gaps():
    gaps = shaped(K5, K5**0.5, 10, 36)
    verdict = check_upper(K5, gaps, ONE_OVER_K)
    assert (verdict.outcome, verdict.label) == ("fail", "diverges")
    assert verdict.n_diverged == 0


def test_plateau_onset_is_never_a_pass():
    """Constant step at K = 1e4: the plateau is just starting (W5); the guards block PASS."""
    traces = sgd(K4, 10, 10, 37, schedule=constant(1e-3), d=10, w0=1.0)
    verdicts = [check_upper(K4, g, ONE_OVER_K) for g in traces]
    assert outcomes(verdicts) == Counter({("inconclusive", "pre-asymptotic"): 10})
    assert all(v.needed_decades == pytest.approx(v.fit.decades + 1, abs=0.05) for v in verdicts)


def test_guards_only_block_passes():
    """Every guard-made INCONCLUSIVE has a statistic that meets the PASS rule."""
    traces = [(K5, g) for g in sgd(K5, 20, 30, 38, schedule=inverse_k(), d=10)]
    traces += [(K4, g) for g in sgd(K4, 5, 10, 39, schedule=constant(1e-3), d=10, w0=1.0)]
    guarded = 0
    for k, gaps in traces:
        verdict = check_upper(k, gaps, ONE_OVER_K)
        if verdict.label in ("pre-asymptotic", "end-flattening"):
            guarded += 1
            assert verdict.statistic.upper_bound(0.01) <= 0.05
    assert guarded >= 5


def test_imprecise_inconclusive_sizes_the_next_run():
    """c = 1, d = 1, R = 5: far too noisy to decide at delta = 0.05."""
    gaps = simulate_sgd(K5, inverse_k(), 5, 40, d=1).gaps
    verdict = check_upper(K5, gaps, ONE_OVER_K, f_scale=0.0)
    assert (verdict.outcome, verdict.label) == ("inconclusive", "imprecise")
    assert verdict.needed_replicates > 5
    assert verdict.needed_decades > verdict.fit.decades
    assert f"R = {verdict.needed_replicates}" in verdict.reason


def test_short_window_is_inconclusive():
    k = checkpoints(50)
    gaps = shaped(k, 1.0 / k, 10, 41)
    verdict = check_upper(k, gaps, ONE_OVER_K)
    assert (verdict.outcome, verdict.label) == ("inconclusive", "short-window")
    assert verdict.needed_decades == 1.0 and verdict.fit is None


# ---------------------------------------------------------------- match mode (TOST)


def test_match_passes_the_exact_rate():
    """d = 10, R = 30: PASS in about 60-70% (STATISTICS §5: 68%), never FAIL."""
    traces = sgd(K5, 20, 30, 42, schedule=inverse_k(), d=10)
    verdicts = [check_match(K5, g, ONE_OVER_K) for g in traces]
    counts = Counter(v.outcome for v in verdicts)
    assert counts["fail"] == 0 and counts["pass"] >= 8
    assert all(v.label == "matches" for v in verdicts if v.outcome == "pass")


@pytest.mark.parametrize(("exponent", "label"), [(-0.8, "slower"), (-1.2, "faster")])
def test_match_never_passes_a_wrong_exponent(exponent, label):
    traces = experiments(K5, shaped(K5, K5**exponent, 300, 43), 30)
    verdicts = [check_match(K5, g, ONE_OVER_K) for g in traces]
    assert all(v.outcome != "pass" for v in verdicts)
    assert Counter(v.label for v in verdicts)[label] >= 8


def test_match_linear_convergence_fails_faster_than_a_power_law():
    k = np.arange(1, 301)
    gaps = multiplicative_linear(k, 0.1, 20, 44)
    verdict = check_match(k, gaps, ONE_OVER_K, kmin=1, f_scale=1.0)
    assert (verdict.outcome, verdict.label) == ("fail", "faster")
    assert "LINEAR" in verdict.fit.flags


# ---------------------------------------------------------------- linear rates


@pytest.mark.parametrize(
    ("factor", "outcome", "label"),
    [(0.7, "pass", "within"), (1.4, "fail", "slower")],
)
def test_linear_rate_against_the_theory_contraction(factor, outcome, label):
    """The theory's log rho is factor * the true almost-sure per-step log-rate."""
    k = np.arange(1, 301)
    gaps = multiplicative_linear(k, 0.1, 30, 45)
    rho = float(np.exp(factor * almost_sure_log_rate(0.1)))
    verdict = check_upper(k, gaps, RateShape(contraction=rho), kmin=1, f_scale=1.0)
    assert (verdict.outcome, verdict.label) == (outcome, label)
    assert "Jensen" in verdict.reason
    assert verdict.fit.model == "linear"


# ---------------------------------------------------------------- explicit bounds


@pytest.mark.parametrize(
    ("scale", "outcome", "label"),
    [(2.0, "pass", "within"), (0.5, "fail", "bound-violated"), (1.0, "inconclusive", "imprecise")],
)
def test_bound_against_multiples_of_the_exact_mean(scale, outcome, label):
    """E gap = d / (2k) exactly (c = 1, w_0 = 0); B = scale * E gap."""
    gaps = simulate_sgd(K5, inverse_k(), 30, 46, d=10).gaps
    verdict = check_bound(K5, gaps, scale * 10 / (2 * K5))
    assert (verdict.outcome, verdict.label) == (outcome, label)


def test_bound_with_diverged_replicates_fails():
    gaps = simulate_sgd(K5, inverse_k(), 30, 47, d=10).gaps
    gaps[0, -3:] = np.nan
    verdict = check_bound(K5, gaps, 2 * 10 / (2 * K5))
    assert (verdict.outcome, verdict.label) == ("fail", "diverges")


# ---------------------------------------------------------------- constants


@pytest.mark.parametrize(
    ("c", "d", "size", "mode", "outcome", "label"),
    [
        # c = 1: the exact constant d sigma^2 / (2 lam k)
        (1.0, 100, 100, "match", "pass", "matches"),
        (1.0, 10, 30, "upper", "pass", "within"),
        # c = 2: exponent -1 still, constant 4/3 (STATISTICS §5 "constant check")
        (2.0, 10, 30, "upper", "fail", "bound-violated"),
        (2.0, 10, 30, "match", "fail", "bound-violated"),
    ],
)
def test_constant_check(c, d, size, mode, outcome, label):
    gaps = simulate_sgd(K5, inverse_k(c), size, 48, d=d).gaps
    theory = d / (2 * K5) * (1.2 if (mode, outcome) == ("upper", "pass") else 1.0)
    verdict = check_constant(K5, gaps, theory, mode=mode)
    assert (verdict.outcome, verdict.label) == (outcome, label)


def test_constant_below_theory_in_match_mode_is_faster():
    gaps = simulate_sgd(K5, inverse_k(), 100, 49, d=100).gaps
    verdict = check_constant(K5, gaps, 100 / (2 * K5) * 1.3, mode="match")
    assert (verdict.outcome, verdict.label) == ("fail", "faster")


# ---------------------------------------------------------------- the result object


def test_verdict_to_dict_and_reason():
    gaps = sgd(K5, 1, 10, 50, schedule=power_schedule(1.0, 0.7), d=10)[0]
    verdict = check_upper(K5, gaps, ONE_OVER_K)
    assert isinstance(verdict, Verdict)
    data = verdict.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["fit"]["model"] == "power"
    text = verdict.reason
    assert f"{verdict.fit.exponent.value:.3f}" in text
    assert f"[{verdict.fit.window[0]}, {verdict.fit.window[1]}]" in text
    assert "O(k^-1)" in text


# ---------------------------------------------------------------- bad input

GAPS = shaped(K5, 1.0 / K5, 10, 51)

BAD = [
    (
        lambda: RateShape(contraction=1.5),
        InputError,
        r"^RateShape: contraction = 1\.5 is not allowed; expected a number in \(0, 1\)$",
    ),
    (lambda: RateShape(exponent=float("nan")), InputError, "^RateShape: exponent = nan is not"),
    (lambda: check_upper(K5, GAPS, -1.0), InputError, "^check_upper: shape = -1.0 .*a RateShape"),
    (
        lambda: check_upper(K5, GAPS, ONE_OVER_K, alpha=0.7),
        InputError,
        r"^check_upper: alpha = 0\.7 is not allowed; expected a number in \(0, 0\.5\)$",
    ),
    (
        lambda: check_match(K5, GAPS, ONE_OVER_K, delta=-0.1),
        InputError,
        "^check_match: delta = -0.1 is not allowed; expected a finite number >= 0$",
    ),
    (
        lambda: check_upper(K5, GAPS[:, 1:], ONE_OVER_K),
        InputError,
        rf"^check_upper: gaps = <array of shape .* expected an array of shape \(R, {K5.size}\)",
    ),
    (lambda: check_bound(K5, GAPS, np.ones(3)), InputError, "^check_bound: bound_values = "),
    (
        lambda: check_bound(K5, GAPS, -np.ones(K5.size)),
        InputError,
        rf"^check_bound: bound_values = <array of shape \({K5.size},\)> .* finite values > 0$",
    ),
    (
        lambda: check_constant(K5, GAPS, 1 / K5, mode="lower"),
        UnknownNameError,
        "^check_constant: mode = 'lower' is not allowed; expected one of upper, match$",
    ),
]


@pytest.mark.parametrize(("call", "error", "message"), BAD)
def test_bad_input(call, error, message):
    with pytest.raises(error, match=message):
        call()


@pytest.mark.parametrize(
    ("last_slope", "shape", "blocked"),
    [
        (-0.98, RateShape(-1.0), False),
        (-0.90, RateShape(-1.0), True),
        (-0.45, RateShape(-0.5), False),
        (-0.90, RateShape(-1.0, log_power=1.0), False),
        (-0.80, RateShape(-1.0, log_power=1.0), True),
    ],
)
def test_end_flattening_blocks_a_pass_only_beyond_the_tolerance(last_slope, shape, blocked):
    """A significant flattening within delta of the expected local slope does not block."""
    from dataclasses import replace

    from empirical.verdicts.rate import _guard

    k = np.unique(np.round(np.logspace(0, 5, 51)).astype(int))
    rng = np.random.default_rng(5)
    gaps = np.exp(-np.log(k) + 0.05 * rng.standard_normal((10, k.size)))
    fit = fit_rate(k, gaps)
    bent = replace(
        fit, flags=("END-FLATTENING",), last_decade=replace(fit.last_decade, value=last_slope)
    )
    assert (_guard(bent, "upper", shape, 0.05) == "end-flattening") is blocked


# ---------------------------------------------------------------- at the float floor

DENSE = np.unique(np.concatenate([np.arange(1, 101), np.round(np.geomspace(100, 1e3, 11))]))


def two_modes(fast: float, slow: float, weight: float, replicates: int = 5) -> np.ndarray:
    """fast^k + weight slow^k (a quadratic's two modes under gradient descent), with a
    1e-9 relative jitter per replicate: log gap is convex in k and hits the float floor."""
    curve = fast**DENSE + weight * slow**DENSE
    jitter = 1e-9 * np.random.default_rng(0).standard_normal((replicates, DENSE.size))
    return curve * (1 + jitter)


@pytest.mark.parametrize(
    ("contraction", "outcome"),
    [(0.95, "pass"), (0.85, "inconclusive"), (0.8, "inconclusive")],
)
def test_a_flattening_linear_rate_at_the_float_floor_is_judged_on_its_final_stretch(
    contraction, outcome
):
    """The slow mode 0.9^k surfaces only at the end: the window's mean rate passes against
    0.85 and 0.8 too, but its final stretch does not, and no longer run can help."""
    gaps = two_modes(0.5, 0.9, 1e-9)
    verdict = check_upper(DENSE, gaps, RateShape(contraction=contraction), kmin=1, f_scale=1.0)
    assert {"PRE-ASYMPTOTIC", "FLATTENING"} <= set(verdict.fit.flags)
    assert verdict.fit.cut_cause == "floor"
    assert verdict.outcome == outcome
    assert "the gap reaches the float floor at k=80" in verdict.reason
    if outcome == "inconclusive":
        assert verdict.label == "pre-asymptotic" and verdict.needed_decades is None
        assert "beyond the tolerance" in verdict.reason and "Run longer" not in verdict.reason


def test_the_final_stretch_recovers_the_slowest_mode():
    from empirical.verdicts.floor import final_stretch

    gaps = two_modes(0.5, 0.9, 1e-9)
    fit = fit_rate(DENSE, gaps, "linear", kmin=1, f_scale=1.0)
    stretch = final_stretch(fit, DENSE, gaps, exponent=0.0, log_power=0.0, linear=True)
    assert stretch is not None and stretch.end == fit.window[1]
    assert np.exp(stretch.parameter.value) == pytest.approx(0.9, rel=1e-3)


def test_a_run_that_did_not_reach_the_floor_keeps_the_guard():
    from empirical.verdicts.floor import final_stretch

    curve = 0.5**DENSE + 1e-3 * 0.9**DENSE
    stopped = DENSE[DENSE <= 60]  # stopped at k = 60, gap ~ 2e-6: far above the floor
    gaps = np.tile(curve[: stopped.size], (5, 1))
    fit = fit_rate(stopped, gaps, "linear", kmin=1, f_scale=1.0)
    assert fit.cut_cause is None
    assert final_stretch(fit, stopped, gaps, exponent=0.0, log_power=0.0, linear=True) is None


def test_a_flattening_power_law_at_the_float_floor_passes_a_slower_bound():
    k = np.unique(np.round(np.logspace(0, 5, 101)).astype(int))
    gaps = np.tile(1e3 * k**-6.0 + 1e-6 * k**-2.0, (5, 1))
    verdict = check_upper(k, gaps, ONE_OVER_K, f_scale=1.0)
    assert verdict.fit.cut_cause == "floor" and "FLATTENING" in verdict.fit.flags
    assert verdict.outcome == "pass"
    assert "A pre-asymptotic guard would block this" in verdict.reason  # k^-2 at the end
