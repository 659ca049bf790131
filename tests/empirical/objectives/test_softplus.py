"""The softplus Bregman divergence behind the logistic gap, against 50-digit mpmath."""

from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

from empirical.objectives._softplus import (
    OVERFLOW_GUARD,
    SERIES_RADIUS,
    SoftplusBregman,
    bernoulli_cumulants,
    softplus,
)

mpmath = pytest.importorskip("mpmath")

BASES = [-40.0, -5.0, -0.7, 0.0, 0.3, 3.0, 20.0, 40.0]
OFFSETS = [1e-9, -1e-5, 0.01, -0.1, SERIES_RADIUS * 0.99, -SERIES_RADIUS * 1.01, 0.5, -2.0]
OFFSETS += [7.0, -30.0, 100.0, -(OVERFLOW_GUARD + 100.0)]


def exact(s: float, delta: float):
    mpmath.mp.dps = 50
    s_, d_ = mpmath.mpf(s), mpmath.mpf(delta)
    p = 1 / (1 + mpmath.exp(-s_))
    return mpmath.log1p(mpmath.exp(s_ + d_)) - mpmath.log1p(mpmath.exp(s_)) - p * d_


def test_bregman_divergence_to_full_relative_precision():
    bregman = SoftplusBregman(np.array(BASES))
    D = np.tile(np.array(OFFSETS), (len(BASES), 1))
    got = bregman(D)
    for i, s in enumerate(BASES):
        for j, delta in enumerate(OFFSETS):
            truth = exact(s, delta)
            assert got[i, j] >= 0
            assert abs(got[i, j] - float(truth)) <= 1e-13 * float(truth), (s, delta)


@pytest.mark.parametrize("delta", [1e-6, 0.05, 3.0])
def test_each_branch_alone(delta):
    """All-small, all-large and mixed arrays take different code paths; all agree."""
    bregman = SoftplusBregman(np.array([0.5, -2.0]))
    alone = bregman(np.full((2, 1), delta))
    mixed = bregman(np.array([[delta, 1e-3], [delta, 10.0]]))
    assert np.allclose(alone[:, 0], mixed[:, 0], rtol=1e-15)
    assert np.allclose(
        alone[:, 0], [float(exact(0.5, delta)), float(exact(-2.0, delta))], rtol=1e-13
    )


def test_cumulants_match_the_series_of_the_bernoulli_cgf():
    p, t = sp.symbols("p t")
    series = sp.series(sp.log(1 - p + p * sp.exp(t)), t, 0, 11).removeO()
    for k, (e, A) in enumerate(bernoulli_cumulants(10), start=2):
        v, r = p * (1 - p), 1 - 2 * p
        mine = r**e * sum(int(c) * v**i for i, c in enumerate(A.coef))
        assert sp.expand(mine - series.coeff(t, k) * math.factorial(k)) == 0, k


def test_softplus_is_stable():
    S = np.array([-800.0, -30.0, 0.0, 30.0, 800.0])
    tail = math.log1p(math.exp(-30))
    expected = [0.0, tail, math.log(2), 30 + tail, 800.0]
    assert np.allclose(softplus(S), expected, rtol=1e-15, atol=0)
