"""The interval tests (one-sided, TOST) and the delta-method estimates, on known numbers."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from empirical.fitting import Estimate
from empirical.verdicts import difference, exp_of, log_ratio, one_sided, tost
from theory.errors import InputError

T99 = stats.t.ppf(0.99, 20)
"""t_{20, 0.99} = 2.528: the one-sided bound at alpha = 1%, dof 20."""

ONE_SIDED = [
    # (value, se, claim, outcome, side) against 0 at alpha = 1%, dof 20
    (-1.0, 0.1, "at-most", "pass", None),
    (1.0, 0.1, "at-most", "fail", "above"),
    (-0.2, 0.1, "at-most", "inconclusive", None),
    (1.0, 0.1, "at-least", "pass", None),
    (-1.0, 0.1, "at-least", "fail", "below"),
    (0.2, 0.1, "at-least", "inconclusive", None),
]


@pytest.mark.parametrize(("value", "se", "claim", "outcome", "side"), ONE_SIDED)
def test_one_sided(value, se, claim, outcome, side):
    decision = one_sided(Estimate(value, se, 20), 0.0, alpha=0.01, claim=claim)
    assert (decision.outcome, decision.side) == (outcome, side)
    assert decision.bounds == pytest.approx((value - T99 * se, value + T99 * se))
    assert decision.inner is None


def test_one_sided_passes_on_the_boundary():
    """An upper bound exactly at the threshold passes (U <= c), as in check_upper."""
    estimate = Estimate(-T99 * 0.1, 0.1, 20)
    high = estimate.upper_bound(0.01)
    assert one_sided(estimate, high, alpha=0.01).outcome == "pass"


def test_one_sided_refuses_an_unknown_claim():
    with pytest.raises(InputError, match="claim"):
        one_sided(Estimate(0.0, 1.0, 20), 0.0, alpha=0.01, claim="below")


TOST = [
    # (value, se, outcome, side) against [0.9, 1.1]: dof 20, 98% and 99% intervals
    (1.0, 0.01, "pass", None),
    (1.3, 0.01, "fail", "above"),
    (0.7, 0.01, "fail", "below"),
    (1.08, 0.02, "inconclusive", None),
    (1.0, 1.0, "inconclusive", None),
]


@pytest.mark.parametrize(("value", "se", "outcome", "side"), TOST)
def test_tost(value, se, outcome, side):
    estimate = Estimate(value, se, 20)
    decision = tost(estimate, 0.9, 1.1, alpha=0.01)
    assert (decision.outcome, decision.side) == (outcome, side)
    assert decision.bounds == estimate.interval(0.99)
    assert decision.inner == estimate.interval(0.98)


def test_tost_passes_where_the_inner_interval_touches_the_margin():
    """PASS needs only the 1-2 alpha interval inside: its 1-alpha interval may stick out."""
    estimate = Estimate(1.0, 0.1 / stats.t.ppf(0.99, 20), 20)
    assert estimate.interval(0.98)[1] == pytest.approx(1.1)
    assert estimate.interval(0.99)[1] > 1.1
    assert tost(estimate, 0.9, 1.1 + 1e-12, alpha=0.01).outcome == "pass"


def test_exp_of_scales_the_se_by_the_value():
    estimate = exp_of(Estimate(math.log(2.0), 0.1, 9, 0.9))
    assert (estimate.value, estimate.se, estimate.dof, estimate.level) == pytest.approx(
        (2.0, 0.2, 9, 0.9)
    )


def test_difference_adds_the_variances_and_keeps_the_smaller_dof():
    estimate = difference(Estimate(1.0, 0.3, 9, 0.9), Estimate(0.25, 0.4, 19))
    assert (estimate.value, estimate.se, estimate.dof, estimate.level) == pytest.approx(
        (0.75, 0.5, 9, 0.9)
    )


def test_log_ratio_adds_the_relative_variances():
    estimate = log_ratio(Estimate(4.0, 0.4, 29), Estimate(2.0, 0.2 * math.sqrt(3), 19))
    assert estimate.value == pytest.approx(math.log(2.0))
    assert estimate.se == pytest.approx(math.hypot(0.1, 0.1 * math.sqrt(3)))
    assert estimate.dof == 19


def test_delta_method_matches_a_simulation():
    """The se of exp(mean) and of a log ratio of two means, against their spread over many
    simulated data sets (to 5%)."""
    rng = np.random.default_rng(0)
    draws = rng.normal(1.0, 0.05, size=(20_000, 2))
    first = Estimate(1.0, 0.05, 1000)
    assert np.std(np.exp(draws[:, 0])) == pytest.approx(exp_of(first).se, rel=0.05)
    ratio = log_ratio(first, first)
    assert np.std(np.log(draws[:, 0] / draws[:, 1])) == pytest.approx(ratio.se, rel=0.05)
