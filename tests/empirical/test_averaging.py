"""Iterate averages: exact weights, the online recursion, suffix averages from prefix sums."""

from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from empirical.averaging import (
    Average,
    _log_rising,
    average_weights,
    parse_average,
    polydecay_rate,
    suffix_start,
)
from theory.errors import InputError, UnknownNameError

SEED = 7


def recursion_weights(gamma: float, k: int) -> np.ndarray:
    """Run wbar_t = (1 - r_t) wbar_{t-1} + r_t w_t on the unit vectors w_t = e_t."""
    wbar = np.zeros(k)
    for t in range(1, k + 1):
        r = polydecay_rate(gamma, t)
        wbar *= 1.0 - r
        wbar[t - 1] += r
    return wbar


GAMMAS = [0.0, 0.5, 1.0, 2.0, 3.7, 10.0]
KS = [1, 2, 3, 9, 10, 11, 50, 1000, 4000]


@pytest.mark.parametrize("gamma", GAMMAS)
@pytest.mark.parametrize("k", KS)
def test_polydecay_closed_form_matches_the_recursion(gamma, k):
    closed = average_weights(Average("polydecay", gamma), k)
    recursed = recursion_weights(gamma, k)
    assert closed.shape == (k,)
    np.testing.assert_allclose(closed, recursed, rtol=1e-13, atol=2e-15)
    assert np.max(np.abs(closed - recursed)) <= 2e-15
    assert abs(closed.sum() - 1.0) <= 1e-13


@pytest.mark.parametrize(
    ("gamma", "t", "rate"),
    [(0.0, 1, 1.0), (0.0, 4, 0.25), (1.0, 1, 1.0), (1.0, 2, 2 / 3), (2.0, 3, 3 / 5), (0.5, 2, 0.6)],
)
def test_polydecay_rate(gamma, t, rate):
    assert polydecay_rate(gamma, t) == pytest.approx(rate, rel=1e-15)


@pytest.mark.parametrize("k", [1, 2, 7, 100, 10_000])
def test_gamma_zero_is_uniform_and_gamma_one_is_linear(k):
    s = np.arange(1, k + 1)
    np.testing.assert_allclose(average_weights(Average("polydecay", 0), k), 1.0 / k, rtol=1e-15)
    np.testing.assert_allclose(
        average_weights(Average("polydecay", 1), k), 2 * s / (k * (k + 1)), rtol=1e-13
    )
    np.testing.assert_array_equal(average_weights(Average("uniform"), k), np.full(k, 1.0 / k))


@pytest.mark.parametrize("a", [1e-3, 0.5, 1.0, 3.7, 57.3, 1000.0])
def test_log_rising_factorial_against_high_precision(a):
    x = np.unique(np.concatenate([np.arange(1.0, 30.0, 0.5), np.geomspace(1.0, 1e9, 60)]))
    with mpmath.workdps(40):
        exact = np.array(
            [float(mpmath.loggamma(mpmath.mpf(v) + a) - mpmath.loggamma(mpmath.mpf(v))) for v in x]
        )
    got = _log_rising(x, a)
    assert np.all(np.abs(got - exact) <= 4 * np.finfo(float).eps * np.maximum(np.abs(exact), 8))


@pytest.mark.parametrize(
    ("alpha", "k", "start"),
    [
        (1.0, 10, 1),
        (0.5, 10, 6),
        (0.5, 11, 6),  # m = ceil(5.5) = 6
        (0.1, 10, 10),
        (0.07, 100, 94),  # m = 7, though 0.07 * 100 is 7.000000000000001 in floating point
        (0.28, 25, 19),  # m = 7, though 0.28 * 25 is 7.000000000000001 in floating point
        (0.3, 10, 8),
        (0.7, 10, 4),
        (0.01, 10, 10),  # at least one iterate
        (0.25, 1, 1),
    ],
)
def test_suffix_start(alpha, k, start):
    assert suffix_start(alpha, k) == start
    weights = average_weights(Average("suffix", alpha), k)
    m = k - start + 1
    np.testing.assert_array_equal(weights, [0.0] * (start - 1) + [1.0 / m] * m)


@pytest.mark.parametrize("alpha", [1.0, 0.5, 0.3, 0.1])
def test_suffix_average_from_prefix_sums_equals_the_direct_mean(alpha):
    rng = np.random.default_rng(SEED)
    iterates = rng.normal(size=(200, 3, 2))  # w_1..w_200 of 3 replicates in d = 2
    prefix = np.concatenate([np.zeros((1, 3, 2)), np.cumsum(iterates, axis=0)])  # S_0..S_200
    for k in [1, 2, 5, 17, 64, 200]:
        j = suffix_start(alpha, k)
        from_prefix = (prefix[k] - prefix[j - 1]) / (k - j + 1)
        direct = iterates[j - 1 : k].mean(axis=0)
        np.testing.assert_allclose(from_prefix, direct, rtol=1e-12, atol=1e-13)
        weighted = np.einsum(
            "s,srd->rd", average_weights(Average("suffix", alpha), k), iterates[:k]
        )
        np.testing.assert_allclose(weighted, direct, rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize(
    "avg", [Average("uniform"), Average("suffix", 0.3), Average("polydecay", 2.5)]
)
@pytest.mark.parametrize("k", [1, 4, 33])
def test_weights_sum_to_one(avg, k):
    weights = average_weights(avg, k)
    assert weights.shape == (k,) and np.all(weights >= 0)
    assert math.isclose(weights.sum(), 1.0, rel_tol=1e-14)


PARSED = [
    (None, None, None),
    ("none", None, None),
    ("uniform", Average("uniform"), "uniform"),
    ("suffix:alpha=0.5", Average("suffix", 0.5), "suffix(alpha=0.5)"),
    ("suffix:alpha=1", Average("suffix", 1.0), "suffix(alpha=1)"),
    ("polydecay:gamma=1", Average("polydecay", 1.0), "polydecay(gamma=1)"),
    ("polydecay:gamma=0.25", Average("polydecay", 0.25), "polydecay(gamma=0.25)"),
    ("polydecay:gamma=0", Average("polydecay", 0.0), "polydecay(gamma=0)"),
]


@pytest.mark.parametrize(("spec", "expected", "label"), PARSED, ids=[str(p[0]) for p in PARSED])
def test_parse_average(spec, expected, label):
    avg = parse_average(spec)
    assert avg == expected
    if avg is not None:
        assert avg.label == label
        assert parse_average(avg.to_spec()) == avg
        assert parse_average(avg) is avg


BAD = [
    ("mean", UnknownNameError, ["name = 'mean'", "uniform", "suffix:alpha=A", "polydecay:gamma=G"]),
    ("suffix", InputError, ["average 'suffix': alpha is missing"]),
    ("suffix:gamma=1", UnknownNameError, ["key = 'gamma'", "expected one of alpha"]),
    ("suffix:alpha=0", InputError, ["alpha = 0 is not allowed", "expected a number in (0, 1]"]),
    ("suffix:alpha=1.5", InputError, ["alpha = 1.5", "a number in (0, 1]"]),
    ("polydecay:gamma=-1", InputError, ["gamma = -1 is not allowed", "a finite number >= 0"]),
    ("polydecay:gamma=inf", InputError, ["gamma = inf", "a finite number >= 0"]),
    ("polydecay:gamma=big", InputError, ["gamma = 'big'", "a finite number >= 0"]),
    ("uniform:alpha=0.5", UnknownNameError, ["average 'uniform': key = 'alpha'", "no keys"]),
    ("none:alpha=0.5", UnknownNameError, ["average 'none': key = 'alpha'", "no keys"]),
]


@pytest.mark.parametrize(("spec", "error", "fragments"), BAD, ids=[b[0] for b in BAD])
def test_bad_average_specs(spec, error, fragments):
    with pytest.raises(error) as info:
        parse_average(spec)
    for fragment in fragments:
        assert fragment in str(info.value)


@pytest.mark.parametrize("k", [0, -3, 2.0, True])
def test_k_must_be_a_positive_integer(k):
    with pytest.raises(InputError, match="integer >= 1"):
        average_weights(Average("uniform"), k)
    with pytest.raises(InputError, match="integer >= 1"):
        suffix_start(0.5, k)


def test_uniform_takes_no_parameter():
    with pytest.raises(
        InputError, match=r"^average 'uniform': param = 0.5 is not allowed; .*no param"
    ):
        Average("uniform", 0.5)
