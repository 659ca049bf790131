"""Tests decided by confidence intervals of an :class:`Estimate` of theta.

* :func:`one_sided`, of the claim theta <= c (or theta >= c): with L and U the 1-a lower
  and upper confidence bounds, PASS if U <= c, FAIL if L > c, else INCONCLUSIVE (for
  theta >= c: PASS if L >= c, FAIL if U < c).
* :func:`tost`, two one-sided tests of the equivalence low <= theta <= high: PASS if the
  1-2a interval lies inside [low, high], FAIL if the 1-a interval lies outside it (wholly
  below low or wholly above high), else INCONCLUSIVE.

``check_upper`` and ``check_match`` (:mod:`empirical.verdicts.rate`) are these tests of the
rate statistic b against delta; ``check_constant`` (:mod:`empirical.verdicts.value`) of the
ratio gap/C(k) against 1 + rtol.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from empirical.fitting import Estimate
from theory import validation

__all__ = ["Decision", "one_sided", "tost"]

Outcome = Literal["pass", "fail", "inconclusive"]
Side = Literal["below", "above"]


@dataclass(frozen=True)
class Decision:
    """The outcome of an interval test and the intervals that decided it.

    ``side``: where a FAIL lies, "below" or "above" the claimed range (None unless the
    outcome is "fail"). ``bounds``: the 1-alpha lower and upper confidence bounds
    (:func:`one_sided`) or the 1-alpha interval (:func:`tost`); ``inner``: the 1-2 alpha
    interval of :func:`tost` (None for :func:`one_sided`).
    """

    outcome: Outcome
    side: Side | None
    bounds: tuple[float, float]
    inner: tuple[float, float] | None = None


def one_sided(
    estimate: Estimate,
    threshold: float,
    *,
    alpha: float,
    claim: Literal["at-most", "at-least"] = "at-most",
) -> Decision:
    """Test theta <= threshold ("at-most") or theta >= threshold ("at-least") at level alpha.

    "at-most": PASS if theta + t_{1-alpha} se <= threshold, FAIL "above" if
    theta - t_{1-alpha} se > threshold; "at-least": PASS if theta - t_{1-alpha} se >=
    threshold, FAIL "below" if theta + t_{1-alpha} se < threshold; else INCONCLUSIVE.
    """
    validation.choice("one_sided", "claim", claim, ("at-most", "at-least"))
    low, high = estimate.lower_bound(alpha), estimate.upper_bound(alpha)
    side: Side = "above" if claim == "at-most" else "below"
    if claim == "at-most":
        passes, fails = high <= threshold, low > threshold
    else:
        passes, fails = low >= threshold, high < threshold
    if fails:
        return Decision("fail", side, (low, high))
    return Decision("pass" if passes else "inconclusive", None, (low, high))


def tost(estimate: Estimate, low: float, high: float, *, alpha: float) -> Decision:
    """Two one-sided tests of low <= theta <= high at level alpha.

    PASS if the 1-2 alpha interval lies inside [low, high]; FAIL "below" if the 1-alpha
    interval lies wholly below low, "above" if wholly above high; else INCONCLUSIVE.
    """
    outer, inner = estimate.interval(1 - alpha), estimate.interval(1 - 2 * alpha)
    if outer[1] < low or outer[0] > high:
        return Decision("fail", "below" if outer[1] < low else "above", outer, inner)
    passes = low <= inner[0] and inner[1] <= high
    return Decision("pass" if passes else "inconclusive", None, outer, inner)
