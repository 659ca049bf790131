"""A slower rate against a bound that holds (empirical.verdicts.headroom, checks.combine)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from empirical.verdicts import RateShape, check_bound, check_upper
from empirical.verdicts.headroom import FEASIBLE_STEPS, Headroom, headroom, horizon
from empirical.verification.verify import verify
from tests.empirical.synthetic import checkpoints, shaped

K5 = checkpoints(10**5)
HALF = RateShape(-0.5)


def slower_run(factor: float, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaps ~ k^-0.3 (R = 30) and the bound B(k) = factor k_e^-0.3 (k/k_e)^-0.5.

    B over the mean gap is ``factor`` at k_e = 1e5 and larger before, so the bound holds
    everywhere for a large enough factor while the exponent is slower than -1/2 by 0.2.
    """
    gaps = shaped(K5, K5**-0.3, replicates=30, seed=seed)
    k_end = float(K5[-1])
    return gaps, factor * k_end**-0.3 * (K5 / k_end) ** -0.5, K5


def margin(factor: float) -> Headroom | None:
    gaps, bound, k = slower_run(factor)
    rate = check_upper(k, gaps, HALF)
    assert (rate.outcome, rate.label) == ("fail", "slower")
    checked = check_bound(k[k >= 10], gaps[:, k >= 10], bound[k >= 10])
    return headroom(rate, checked, k, gaps, bound, HALF.exponent)


def test_a_bound_that_holds_far_beyond_any_rerun_blocks_the_fail():
    found = margin(1e4)
    assert found is not None and found.blocks_fail
    # rise: at least the true 0.2 (the fastest slope the data allow), so the crossing is
    # no later than k_e 1e4^(1/0.2) = 1e25, and beyond the horizon
    assert 0.2 < found.rise < 0.45  # the last decade's upper bound is the wider one
    assert horizon(found.k_end) < found.k_cross <= 1e5 * 1e4 ** (1 / 0.2)
    assert 0.5e4 < found.factor < 1e4  # B over the upper confidence limit of the mean gap


def test_a_bound_within_reach_of_a_rerun_keeps_the_fail():
    found = margin(3.0)  # k_e 3^(1/0.2..0.45) ~ 1e6..2e7: a rerun at 1e9 would cross it
    assert found is not None and not found.blocks_fail
    assert found.k_cross < FEASIBLE_STEPS


def test_no_headroom_without_a_slower_fail_or_a_passed_bound():
    gaps, bound, k = slower_run(1e4)
    passing = check_upper(k, gaps, RateShape(-0.2))
    checked = check_bound(k, gaps, bound)
    assert headroom(passing, checked, k, gaps, bound, -0.2) is None
    slower = check_upper(k, gaps, HALF)
    violated = check_bound(k, gaps, 0.5 * k**-0.3)
    assert violated.label == "bound-violated"
    assert headroom(slower, violated, k, gaps, 0.5 * k**-0.3, -0.5) is None


def test_a_slow_rise_against_a_wide_margin_never_crosses():
    """log10(factor)/rise of 1e4 decades would overflow a float: the crossing is never."""
    slow = Headroom(factor=1e4, rise=1e-4, k_end=10**5)
    assert slow.k_cross == math.inf and slow.blocks_fail


def test_the_horizon_is_a_feasible_rerun_or_a_decade_past_a_longer_run():
    assert horizon(1e5) == FEASIBLE_STEPS
    assert horizon(1e9) == 1e10
    never = Headroom(factor=10.0, rise=-0.1, k_end=10**5)
    assert never.k_cross == math.inf and never.blocks_fail
    assert never.to_dict()["k_cross"] is None


# -- end to end: projected SGD on the hinge loss (the bound with its constants holds) ---

HINGE = "hinge:radius=4.48"
POLYDECAY = {"schedule": "1/(lam*k)", "sampling": "replacement", "seed": 0}


@pytest.fixture(scope="module")
def correct():
    return verify(HINGE, "sgd", expect="sgd-sc-polydecay", **POLYDECAY)


def test_a_correct_run_slower_only_locally_passes_within_its_bound(correct):
    assert correct.checks.rate.outcome == "fail" and correct.checks.rate.label == "slower"
    assert correct.checks.bound.outcome == "pass"
    assert (correct.outcome, correct.label) == ("pass", "within-bound")
    assert correct.checks.headroom.blocks_fail
    assert "not yet asymptotic" in correct.reason and "WITHIN-BOUND" in correct.reason
    data = correct.to_dict()
    assert data["bound_check"]["headroom"]["blocks_fail"] is True
    assert data["rerun"]["steps"] is None  # no feasible rerun reaches the bound


def test_the_same_run_against_the_bare_rate_fails(correct):
    bare = verify(HINGE, "sgd", expect="O(1/k)", average="polydecay:gamma=1", **POLYDECAY)
    assert (bare.outcome, bare.label) == ("fail", "slower")
    assert bare.checks.bound is None and bare.checks.headroom is None


def test_without_the_ball_the_bound_is_not_checked_and_the_slope_decides():
    free = verify("hinge", "sgd", expect="sgd-sc-polydecay", **POLYDECAY)
    assert "iterates reached" in free.checks.skipped["bound"]
    assert (free.outcome, free.label) == ("fail", "slower")


def test_a_biased_gradient_that_nears_the_bound_within_reach_still_fails():
    broken = verify(
        HINGE,
        "bench/broken_optimizers.py:biased_sgd:bias=0.003",
        expect="sgd-sc-polydecay",
        **POLYDECAY,
    )
    assert broken.checks.bound.outcome == "pass"
    assert (broken.outcome, broken.label) == ("fail", "slower")
    assert not broken.checks.headroom.blocks_fail
    assert "so the slower rate stands as a FAIL" in broken.reason
