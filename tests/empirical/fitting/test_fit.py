"""Rate fitting on synthetic traces with known answers (empirical.fitting)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from empirical.fitting import (
    fit_minibatch,
    fit_rate,
    needed_replicates,
    pooled_cluster_ols,
)
from empirical.fitting.inference import replicate_ols
from empirical.fitting.models import LINEAR_MODELS
from empirical.fitting.window import curvature
from tests.empirical.synthetic import (
    almost_sure_log_rate,
    brute_force_sgd,
    checkpoints,
    constant,
    inverse_k,
    multiplicative_linear,
    shaped,
    simulate_sgd,
)
from theory.errors import InputError, UnknownNameError

K5 = checkpoints(10**5)


def slice_of(gaps: np.ndarray, size: int, index: int) -> np.ndarray:
    return gaps[index * size : (index + 1) * size]


# ---------------------------------------------------------------- the test bed itself


def test_simulator_mean_matches_closed_form_and_brute_force():
    k = checkpoints(1000)
    trace = simulate_sgd(k, inverse_k(lam=2.0), 4000, 0, d=3, sigma=1.5, lam=2.0)
    closed = 3 * 1.5**2 / (2 * 2.0 * k)  # d sigma^2 / (2 lam k)
    np.testing.assert_allclose(trace.mean_gap, closed, rtol=1e-12)
    np.testing.assert_allclose(trace.gaps.mean(axis=0), closed, rtol=0.08)
    brute = brute_force_sgd(k, inverse_k(0.75), 4000, 1, w0=10.0)
    exact = simulate_sgd(k, inverse_k(0.75), 4000, 2, w0=10.0)
    np.testing.assert_allclose(brute.mean(axis=0), exact.mean_gap, rtol=0.08)


# ---------------------------------------------------------------- inference


def test_per_replicate_slopes_equal_statsmodels_cluster_fit():
    trace = simulate_sgd(K5, inverse_k(), 10, 3, d=1)
    fit = fit_rate(K5, trace.gaps, window=(100, 10**5))
    sl = (K5 >= 100) & (K5 <= 10**5)
    x, y = np.log(K5[sl]), np.log(trace.gaps[:, sl])
    result = pooled_cluster_ols(np.column_stack([np.ones_like(x), x]), y)
    n_points, n_coef = y.size, 2
    assert result.params[1] == pytest.approx(fit.exponent.value, abs=1e-10)
    correction = np.sqrt((n_points - 1) / (n_points - n_coef))
    assert result.bse[1] == pytest.approx(fit.exponent.se * correction, rel=1e-10)
    low, high = result.conf_int(alpha=0.05)[1]
    half = stats.t.ppf(0.975, 9) * fit.exponent.se * correction
    assert (low, high) == pytest.approx((fit.exponent.value - half, fit.exponent.value + half))


@pytest.mark.parametrize(
    ("window", "band"),
    [
        ((100, 10**5), (0.88, 0.99)),  # fixed window: nominal (0.955 at M = 1000)
        (None, (0.85, 0.99)),  # burn-in chosen from the data: a selection effect (0.92)
    ],
)
def test_coverage_of_the_95_percent_interval(window, band):
    """200 experiments, c = 1, d = 1, R = 10: the MOL slope's target is exactly -1."""
    size, count = 10, 200
    trace = simulate_sgd(K5, inverse_k(), size * count, 11, d=1)
    covered = 0
    for index in range(count):
        # exact gaps (no cancellation): f_scale = 0, so tau = 0; with d = 1 a gap occasionally
        # passes near 0 by chance, and the default tau would cut the trace there
        fit = fit_rate(K5, slice_of(trace.gaps, size, index), f_scale=0.0, window=window)
        covered += fit.exponent.ci_low <= -1.0 <= fit.exponent.ci_high
    assert band[0] <= covered / count <= band[1]


@pytest.mark.parametrize(
    ("sigma1", "expected"),
    [(0.148, 38), (0.355, 202), (0.291, 137), (0.049, 7)],  # STATISTICS.md §3b, delta = 0.1
)
def test_needed_replicates_reproduces_the_sizing_table(sigma1, expected):
    assert needed_replicates(sigma1, 0.1, 0.01) == expected


def test_needed_replicates_on_the_boundary_is_none():
    assert needed_replicates(0.2, 0.0, 0.01) is None


def test_slope_sd_falls_at_least_like_one_over_decades():
    """sigma_1(D=4) / sigma_1(D=2) <= 1/2 (c = 1, d = 10), the rule needed_decades assumes."""
    trace = simulate_sgd(K5, inverse_k(), 1000, 5, d=10)
    z = np.log(trace.gaps)

    def sd(k_start: float) -> float:
        sl = k_start <= K5
        x = np.log(K5[sl])
        design = np.column_stack([np.ones_like(x), x - x.mean()])
        return float(np.std(replicate_ols(design, z[:, sl])[:, 1], ddof=1))

    assert sd(10) / sd(1000) <= 0.5


# ---------------------------------------------------------------- models


def _power_law(p):
    return shaped(K5, K5**p, 30, 21, d=10)


def _power_log(p, q):
    return shaped(K5, K5**p * np.log(K5) ** q, 30, 22, d=100)


MODEL_CASES = [
    # (name, gaps, fit kwargs, attribute, truth)
    ("power k^-0.7", lambda: _power_law(-0.7), {}, "exponent", -0.7),
    ("power k^-2", lambda: _power_law(-2.0), {}, "exponent", -2.0),
    (
        "power with a fixed log factor",
        lambda: _power_log(-1.0, 1.0),
        {"fixed_log_power": 1.0},
        "exponent",
        -1.0,
    ),
    ("power_log: p", lambda: _power_log(-1.0, 1.0), {"model": "power_log"}, "exponent", -1.0),
    ("power_log: q", lambda: _power_log(-1.0, 1.0), {"model": "power_log"}, "log_power", 1.0),
]


@pytest.mark.parametrize(("name", "make", "kwargs", "attribute", "truth"), MODEL_CASES)
def test_linear_models_recover_the_parameter(name, make, kwargs, attribute, truth):
    fit = fit_rate(K5, make(), **kwargs)
    estimate = getattr(fit, attribute)
    low, high = estimate.interval(0.99)
    assert low <= truth <= high, name
    assert high - low < 1.0, name


def test_linear_model_recovers_the_almost_sure_contraction():
    k = np.arange(1, 301)
    gaps = multiplicative_linear(k, 0.3, 20, 4)
    fit = fit_rate(k, gaps, "linear", kmin=1, f_scale=1.0)
    truth = almost_sure_log_rate(0.3)
    assert fit.exponent.ci_low <= truth <= fit.exponent.ci_high
    assert fit.contraction.ci_low <= np.exp(truth) <= fit.contraction.ci_high
    assert fit.contraction.value == pytest.approx(np.exp(fit.exponent.value))
    assert fit.cut_cause == "floor" and fit.window[1] < fit.cut_at


def test_plateau_model_recovers_exponent_and_floor():
    """Biased gradient: E gap -> F + C/k with F = d beta^2 / (2 lam)."""
    trace = simulate_sgd(K5, inverse_k(), 10, 8, d=10, beta=0.03)
    fit = fit_rate(K5, trace.gaps, "plateau")
    floor = 10 * 0.03**2 / 2
    assert fit.floor.ci_low <= floor <= fit.floor.ci_high
    assert fit.exponent.ci_low <= -1.0 <= fit.exponent.ci_high
    assert fit.family == "plateau"


@pytest.mark.parametrize(
    ("name", "make", "family"),
    [
        ("power", lambda: _power_law(-0.7), "power"),
        ("plateau", lambda: simulate_sgd(K5, inverse_k(), 10, 8, d=10, beta=0.03).gaps, "plateau"),
    ],
)
def test_family_label(name, make, family):
    assert fit_rate(K5, make()).family == family, name


def test_family_label_linear():
    k = np.arange(1, 301)
    fit = fit_rate(k, multiplicative_linear(k, 0.3, 20, 4), kmin=1, f_scale=1.0)
    assert fit.family == "linear"
    assert "LINEAR" in fit.flags


def test_no_linear_flag_on_a_power_law():
    assert "LINEAR" not in fit_rate(K5, _power_law(-1.0)).flags


# ---------------------------------------------------------------- window


def test_floor_cut_is_whole_tail_without_survivor_bias():
    """STATISTICS.md §4c: gap = (1 + e^2/2) - 1 in float64 hits the floor near k = 40."""
    k = np.arange(1, 301)
    truth = almost_sure_log_rate(0.3)
    ours, naive = [], []
    for seed in range(30):
        gaps = multiplicative_linear(k, 0.3, 10, 100 + seed)
        ours.append(fit_rate(k, gaps, "linear", kmin=1, f_scale=1.0).exponent.value)
        # point-by-point: drop single gaps <= 10 eps, average the logs that remain
        logs = np.where(gaps > 10 * np.finfo(float).eps, np.log(np.maximum(gaps, 1e-300)), np.nan)
        keep = ~np.all(np.isnan(logs), axis=0)
        naive.append(np.polyfit(k[keep], np.nanmean(logs[:, keep], axis=0), 1)[0])
    assert abs(np.mean(ours) - truth) < 0.05
    assert 0.15 < np.mean(naive) - truth < 0.40


def test_shifted_schedule_gets_a_late_burn_in():
    """eta = 1/(lam (k + 100)) from w_0 = 0 (C4): k0 = 10 would give false alarms."""
    trace = simulate_sgd(K5, inverse_k(shift=100), 100, 3, d=10)
    starts = [fit_rate(K5, slice_of(trace.gaps, 10, i)).window[0] for i in range(10)]
    assert min(starts) >= 300


def test_plateau_onset_is_pre_asymptotic_flattening():
    trace = simulate_sgd(checkpoints(10**4), constant(1e-3), 10, 5, d=10, w0=1.0)
    fit = fit_rate(checkpoints(10**4), trace.gaps)
    assert fit.window_rule == "last-decade"
    assert {"PRE-ASYMPTOTIC", "FLATTENING"} <= set(fit.flags)


def test_s_shape_needs_the_cubic_term():
    """On the drop onto a plateau some window has an insignificant quadratic coefficient but a
    significant cubic one (so the quadratic rule alone would accept it)."""
    k = checkpoints(10**4, per_decade=40)
    trace = simulate_sgd(k, constant(1e-3), 10, 5, d=10, w0=1.0)
    critical = stats.t.ppf(0.9, 9)  # the quadratic rule at alpha_c = 0.2
    blind = []
    for k0 in k[(k >= 100) & (k <= 1000)]:
        sl = k >= k0
        z = np.log(trace.gaps[:, sl]) + np.log(k[sl])
        quadratic, cubic = curvature(np.log(k[sl]), z, LINEAR_MODELS["power"].columns)
        if abs(quadratic.value) < critical * quadratic.se:
            blind.append(abs(cubic.value) / cubic.se)
    assert blind and min(blind) > 5 * critical


def test_end_flattening_flag_on_a_curve_bending_to_a_floor():
    trace = simulate_sgd(K5, inverse_k(), 10, 8, d=10, beta=0.01)
    fit = fit_rate(K5, trace.gaps, window=(10, 10**5))
    assert "END-FLATTENING" in fit.flags
    assert fit.window_rule == "given"


def test_decade_slopes_tile_the_window_from_its_end():
    fit = fit_rate(K5, _power_law(-1.0), window=(10, 10**5))
    assert [(d.k_start, d.k_end) for d in fit.decade_slopes] == [
        (10, 100),
        (100, 1000),
        (1000, 10**4),
        (10**4, 10**5),
    ]
    for decade in fit.decade_slopes:
        assert decade.slope.interval(0.99)[0] <= -1.0 <= decade.slope.interval(0.99)[1]
    assert fit.last_decade == fit.decade_slopes[-1].slope


def test_diverged_replicates_are_counted_and_cut():
    gaps = _power_law(-1.0)
    gaps[3, 35:] = np.nan
    fit = fit_rate(K5, gaps)
    assert fit.n_diverged == 1
    assert fit.cut_at == K5[35] and fit.cut_cause == "non-finite"
    assert fit.window[1] == K5[34]


def test_start_checkpoint_k0_is_allowed_and_never_counts_as_divergence():
    """A trace may record k = 0 (the start); an iterate average is NaN there."""
    gaps = _power_law(-1.0)
    with_start = np.column_stack([np.full(gaps.shape[0], np.nan), gaps])
    fit = fit_rate(np.r_[0, K5], with_start)
    assert fit.n_diverged == 0
    assert fit.exponent == fit_rate(K5, gaps).exponent


def test_float32_gaps_use_float32_eps():
    gaps = _power_law(-1.0).astype(np.float32)
    fit = fit_rate(K5, gaps)
    scale = max(1.0, float(gaps.max()))
    assert fit.tau == pytest.approx(1e3 * np.finfo(np.float32).eps * scale)


# ---------------------------------------------------------------- result object


def test_summary_and_to_dict():
    fit = fit_rate(K5, _power_law(-1.0))
    data = fit.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["exponent"]["ci_low"] < data["exponent"]["estimate"] < data["exponent"]["ci_high"]
    text = fit.summary()
    assert "exponent p (MOL)" in text and f"[{fit.window[0]}, {fit.window[1]}]" in text
    assert "LOM (E gap) jackknife" in text


# ---------------------------------------------------------------- minibatch (§3e)


def _minibatch(q: float, p: float, seed: int) -> tuple[dict, dict]:
    ks, gaps = {}, {}
    for index, b in enumerate((1, 4, 16, 64)):
        ks[b] = K5
        gaps[b] = shaped(K5, b ** (-q) * K5**p + 30 / K5, 10, seed + index, d=10)
    return ks, gaps


def test_minibatch_recovers_the_theory_exponents():
    fit = fit_minibatch(*_minibatch(0.5, -0.5, 100))
    assert fit.q.interval(0.99)[0] <= 0.5 <= fit.q.interval(0.99)[1]
    assert fit.p.interval(0.99)[0] <= -0.5 <= fit.p.interval(0.99)[1]
    assert fit.c.ci_low <= 30 <= fit.c.ci_high
    assert json.loads(json.dumps(fit.to_dict())) == fit.to_dict()
    assert "q" in fit.summary()


def test_minibatch_detects_no_batch_benefit():
    fit = fit_minibatch(*_minibatch(0.0, -0.5, 200))
    assert fit.q.interval(0.99)[1] < 0.5
    assert fit.q.interval(0.99)[0] <= 0.0


# ---------------------------------------------------------------- bad input

GOOD = _power_law(-1.0)

BAD_INPUTS = [
    ({"k": K5[::-1]}, "^fit_rate: k = .* is not allowed; expected strictly increasing"),
    ({"k": np.r_[-1, K5[1:]]}, r"expected checkpoints that are integers >= 0 .*k\[0\] = -1\.0"),
    ({"k": K5 + 0.5}, "integers >= 0"),
    (
        {"gaps": GOOD[:, :-1]},
        r"^fit_rate: gaps = <array of shape .* expected an array of shape \(R, ",
    ),
    ({"gaps": GOOD[:1]}, "R >= 2"),
    ({"level": 1.5}, r"^fit_rate: level = 1\.5 is not allowed; expected a number in \(0, 1\)$"),
    ({"alpha_c": 0.0}, "alpha_c = 0.0 is not allowed"),
    ({"kmin": 0}, "^fit_rate: kmin = 0 is not allowed; expected a finite number >= 1$"),
    ({"f_scale": -1.0}, "f_scale = -1.0 is not allowed"),
    ({"fixed_power": 1.0}, "fixed_power = 1.0 is not allowed; expected 0 with model = 'power'"),
    ({"model": "power_log", "fixed_log_power": 1.0}, "fixed_log_power = 1.0 is not allowed"),
    ({"window": (10, 1000)}, r"^fit_rate: window = \(10, 1000\) is not allowed"),
    ({"k": checkpoints(50), "gaps": GOOD[:, :15]}, "at least one decade"),
]


@pytest.mark.parametrize(("change", "message"), BAD_INPUTS)
def test_bad_input_raises_input_error(change, message):
    args = {"k": K5, "gaps": GOOD, **change}
    with pytest.raises(InputError, match=message):
        fit_rate(**args)


def test_unknown_model_lists_the_allowed_ones():
    pattern = r"^fit_rate: model = 'exponential' is not allowed; .*power_log"
    with pytest.raises(UnknownNameError, match=pattern):
        fit_rate(K5, GOOD, "exponential")


def test_minibatch_needs_equal_replicates():
    ks, gaps = _minibatch(0.5, -0.5, 100)
    gaps[4] = gaps[4][:5]
    pattern = (
        r"^fit_minibatch: gaps\[4\] = <array of shape \(5, \d+\)> is not allowed; expected 10 "
    )
    with pytest.raises(InputError, match=pattern):
        fit_minibatch(ks, gaps)
