"""The final stretch of a fitting window that ends at the float floor.

The flattening guards (PRE-ASYMPTOTIC, END-FLATTENING) block a PASS because the curve may
still bend toward a slower rate, and they ask for a longer run. When the whole tail was
cut at the float floor (gap <= tau), a longer run adds no usable checkpoint: the curve's
behaviour below the floor cannot be observed. Gradient descent on a quadratic with
several curvatures is the usual case: log gap is convex in k, because the fast modes die
first, and the gap reaches machine precision within a few hundred steps.

What remains observable is the final stretch of the window: its last third of checkpoints
(at least three), where the slowest surviving mode dominates. :func:`final_stretch` fits
the rate parameter there, per replicate, like the window fit (the slope of log gap minus
the known factor, on k for a linear rate, on log k for a power law). A guard is lifted
only if the final stretch passes the same one-sided test as the window.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from empirical.fitting import Estimate, RateFit
from empirical.fitting.inference import known_factor_log, mean_estimate, replicate_slopes

__all__ = ["FinalStretch", "final_stretch"]

MIN_POINTS = 3
"""Checkpoints of the final stretch, at least: two for a slope, one to spare."""


@dataclass(frozen=True)
class FinalStretch:
    """The rate parameter fitted on k in [start, end], the end of a floor-cut window."""

    parameter: Estimate
    start: int
    end: int


def final_stretch(
    fit: RateFit,
    k: np.ndarray,
    gaps: np.ndarray,
    *,
    exponent: float,
    log_power: float,
    linear: bool,
) -> FinalStretch | None:
    """The final stretch of ``fit``'s window if its tail was cut at the float floor.

    ``k`` (J,) and ``gaps`` (R, J) are the checked trace; ``exponent`` and ``log_power``
    are the shape's known factor for a linear rate (k^p (log k)^q rho^k), or its log
    factor only for a power law. Returns None when the run did not end at the floor or the
    window has fewer than MIN_POINTS checkpoints.
    """
    if fit.cut_cause != "floor":
        return None
    inside = np.flatnonzero((k >= fit.window[0]) & (k <= fit.window[1]))
    count = max(MIN_POINTS, inside.size // 3)
    if inside.size < count:
        return None
    chosen = inside[-count:]
    ks = k[chosen].astype(float)
    offset = known_factor_log(ks, exponent if linear else 0.0, log_power)
    x = ks if linear else np.log(ks)
    slopes = replicate_slopes(x, np.log(gaps[:, chosen]) - offset)
    return FinalStretch(mean_estimate(slopes, fit.level), int(ks[0]), int(ks[-1]))
