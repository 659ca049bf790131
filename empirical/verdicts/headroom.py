"""Whether a slower-than-theory trend could ever be seen to break the theorem's bound.

A rate check against an upper bound fails "slower" when the fitted exponent p + b exceeds
the theory's p by more than delta: a test of the local exponent on the window. The
theorem itself states E gap <= B(k) with its constants. When B(k) is checked and holds, a
slower local slope contradicts the theorem only by extrapolation, and a non-smooth
problem can approach its asymptotic rate from the slow side for decades (averaged SGD
on a sharp minimum: sqrt(k) E gap is still rising toward its limit).

The extrapolation takes the fastest rise against the bound that the data allow. Let u be
the upper confidence limit of the mean gap at the window's last checkpoint k_e, B_e =
B(k_e), p_B the bound's log-log slope over the window's last decade, b_hi the upper
confidence bound of b, and s_hi that of the last-decade slope of log gap (which sees a
curve bending toward a floor). Then

    rise = max(p + b_hi, s_hi) - p_B,    k_cross = k_e (B_e / u)^(1 / rise)

(infinite if rise <= 0) is the earliest k at which the trend could meet the bound. The
slower FAIL stands when k_cross is within :func:`horizon` (a rerun could show the bound
violated); beyond it, no feasible run can contradict the theorem's statement, and a
slower or undecided local exponent gives PASS "within-bound"
(:mod:`empirical.verification.checks`): the exponent is not yet asymptotic, and the bound
the theorem states holds now and in any rerun.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from empirical.fitting.inference import t_quantile
from empirical.verdicts import Verdict

__all__ = ["FEASIBLE_STEPS", "Headroom", "headroom", "horizon"]

FEASIBLE_STEPS = 10**9
"""The longest rerun a verdict can ask for: 1e9 updates of 30 replicates take about ten
minutes at the compiled kernel's measured 57 M replicate-steps/s (bench/throughput.py)."""


MAX_DECADES = 300.0
"""Decades past k_end beyond which the crossing is taken as never (10^300 overflows soon)."""


def horizon(k_end: float) -> float:
    """The largest k a rerun can reach: FEASIBLE_STEPS, or 10 k_end for longer runs."""
    return max(float(FEASIBLE_STEPS), 10.0 * k_end)


@dataclass(frozen=True)
class Headroom:
    """A slower trend against a bound that holds: the margin and when the trend meets B(k).

    ``factor`` is B(k_e) over the upper confidence limit of the mean gap at ``k_end`` =
    k_e; ``rise`` is the fastest log-log slope of gap/B the data allow; ``k_cross`` the
    earliest k at which that trend meets the bound (``math.inf`` if never).
    """

    factor: float
    rise: float
    k_end: int

    @property
    def k_cross(self) -> float:
        if self.rise <= 0:
            return math.inf
        decades = math.log10(self.factor) / self.rise
        if decades > MAX_DECADES:  # beyond any float: a slow rise against a wide margin
            return math.inf
        return self.k_end * 10.0**decades

    @property
    def blocks_fail(self) -> bool:
        """True when even the fastest-rising trend meets the bound only beyond the horizon."""
        return self.k_cross > horizon(self.k_end)

    def to_dict(self) -> dict[str, float | int | bool | None]:
        """JSON-ready (an infinite ``k_cross`` becomes None)."""
        cross = self.k_cross
        return {
            "factor": self.factor,
            "rise": self.rise,
            "k_end": self.k_end,
            "k_cross": cross if math.isfinite(cross) else None,
            "horizon": horizon(self.k_end),
            "blocks_fail": self.blocks_fail,
        }

    def describe(self) -> str:
        """One sentence for the verdict's reason."""
        cross = self.k_cross
        meets = "never meets it" if not math.isfinite(cross) else f"meets it at k ~ {cross:.2g}"
        reach = "beyond" if self.blocks_fail else "within"
        return (
            f"the theorem's bound with its constants holds: at k={self.k_end} it is "
            f"{self.factor:.3g} times the upper confidence limit of the mean gap, and even "
            f"rising against it at the fastest slope the data allow ({self.rise:+.3f} per "
            f"unit log k) the gap {meets}, {reach} the reach of a rerun "
            f"(k <= {horizon(self.k_end):.2g})"
        )


def headroom(
    rate: Verdict,
    bound: Verdict,
    k: np.ndarray,
    series: np.ndarray,
    values: np.ndarray,
    theory_exponent: float,
) -> Headroom | None:
    """The headroom of a "slower" rate FAIL or an INCONCLUSIVE rate verdict (with a fit)
    against a passed bound check, else None.

    ``k`` (J,), ``series`` (R, J) and ``values`` = B(k) (J,) are the checked run; the
    window is the rate fit's.
    """
    undecided = rate.outcome == "inconclusive" or (rate.outcome, rate.label) == ("fail", "slower")
    if not undecided or bound.outcome != "pass":
        return None
    fit = rate.fit
    if fit is None or rate.statistic is None:
        return None
    start, end = fit.window
    inside = np.flatnonzero((k >= start) & (k <= end) & np.isfinite(values) & (values > 0))
    if inside.size < 2:
        return None
    last = int(inside[-1])
    column = series[:, last]
    size = column.size
    spread = t_quantile(1 - rate.alpha, size - 1) * column.std(ddof=1) / math.sqrt(size)
    upper = float(column.mean() + spread)
    if not upper > 0:
        return None
    decade = inside[k[inside] >= k[last] / 10.0]
    first = int(decade[0]) if decade.size > 1 else int(inside[-2])
    bound_slope = math.log(values[last] / values[first]) / math.log(k[last] / k[first])
    slope = max(
        theory_exponent + rate.statistic.upper_bound(rate.alpha),
        fit.last_decade.upper_bound(rate.alpha),
    )
    return Headroom(
        factor=float(values[last]) / upper, rise=slope - bound_slope, k_end=int(k[last])
    )
