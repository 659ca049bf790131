"""The fitting window: precision cut at the float floor, and automatic burn-in.

**Precision cut** (STATISTICS.md §4c). Checkpoints below ``kmin`` are dropped. The tail is
then cut *as a whole*: at the first checkpoint where any replicate has gap <= tau, <= 0 or
non-finite, every replicate stops. Dropping single points instead keeps only the slow
replicates at late checkpoints (survivor bias: about +0.26 on a per-step log-rate of
-0.79).
The floor is tau = 1e3 eps f_scale, with f_scale = max(|f*|, |f(w)|), the magnitude of the
values whose difference is the gap.

**Burn-in** (STATISTICS.md §5 step 4, with a cubic term added and a materiality rule).
For k0 = kmin, kmin 10^0.5, kmin 10, ... <= K/10, fit z_r = model(x) + c_r u^2 + e_r u^3
(u = x - xbar) per replicate on [k0, K]. The curvature terms move the local slope
dz/dx by s(u) = 2 c u + 3 e u^2 across the window [u_a, u_b]; two contrasts, linear in
(c, e) and so tested over replicates like every other statistic, measure it: the change
end to end, L1 = s(u_b) - s(u_a), and the bend of the middle against the ends,
L2 = s(u_m) - (s(u_a) + s(u_b))/2 with u_m = (u_a + u_b)/2. A window is *curved* when
|L1| or |L2| is both material, above the tolerance delta (in slope units: delta for a
power law, where the slope is the exponent; delta |log rho| for a linear rate, the slope
being log rho), and real, above t_{R-1, 1-alpha_c/4} times its standard error (a
Bonferroni split of alpha_c over the two contrasts and their signs). The window is
the first [k0, K] that is not curved. Curvature too small to move the slope by delta is
ignored however precisely it is measured, so the rule's rejection rate does not grow
with R, and a deterministic run (se = 0) is judged by the magnitude of its curvature.
If every candidate is curved, the window is the last decade [K/10, K], flagged
pre-asymptotic, FLATTENING if its c_bar > 0, else STEEPENING.

The cubic term is there because a quadratic is blind to S-shaped curves: an exponential
drop onto a plateau (constant step) has a window centred on the drop whose quadratic
coefficient is not significant while its cubic one is, and the quadratic rule alone then
PASSes such a plateau as O(1/k) (the tests reproduce the case).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from empirical.fitting.inference import Estimate, mean_estimate, replicate_ols, t_quantile

FLOOR_FACTOR = 1e3
"""tau = FLOOR_FACTOR * eps * f_scale (STATISTICS.md §4c)."""

_REL = 1e-9  # relative tolerance when comparing checkpoints with k0 grid points

Columns = Callable[[np.ndarray], np.ndarray]
"""Model columns besides the intercept, as a function of the regressor: (n,) -> (n, m)."""


def machine_eps(gaps: object) -> float:
    """eps of the gaps' floating dtype (float32: 1.2e-7), float64's eps otherwise."""
    dtype = np.asarray(gaps).dtype
    return float(np.finfo(dtype).eps) if np.issubdtype(dtype, np.floating) else 2.0**-52


def floor_threshold(gaps: np.ndarray, f_scale: float | None, eps: float) -> float:
    """tau = 1e3 eps f_scale; without ``f_scale``, f_scale = max(1, largest finite |gap|).

    The default is right when |f*| <= max(1, largest gap); pass ``f_scale = |f*|`` otherwise,
    and ``f_scale = 0`` when the gaps are computed without cancellation.
    """
    if f_scale is None:
        finite = np.abs(gaps[np.isfinite(gaps)])
        f_scale = max(1.0, float(finite.max())) if finite.size else 1.0
    return FLOOR_FACTOR * eps * f_scale


@dataclass(frozen=True)
class CleanRange:
    """Checkpoint indices [start, stop) that survive the kmin and precision cuts.

    ``n_diverged`` counts replicates with a non-finite gap anywhere (first at
    ``diverged_at``); ``cut_at`` is the checkpoint where the tail was cut (None: no cut)
    and ``cut_cause`` is "floor" (gap <= tau or <= 0) or "non-finite".
    """

    start: int
    stop: int
    tau: float
    n_diverged: int
    diverged_at: int | None
    cut_at: int | None
    cut_cause: str | None

    @property
    def size(self) -> int:
        return max(0, self.stop - self.start)


def clean_range(k: np.ndarray, gaps: np.ndarray, kmin: float, tau: float) -> CleanRange:
    """Apply the kmin cut and the whole-tail precision cut (module docstring).

    Divergence is looked for at k >= 1 only: at k = 0 an iterate average is undefined (NaN).
    """
    finite = np.isfinite(gaps) | (k == 0)
    diverged_rows = ~finite.all(axis=1)
    bad_columns = ~finite.all(axis=0)
    diverged_at = int(k[np.argmax(bad_columns)]) if bad_columns.any() else None
    start = int(np.searchsorted(k, kmin * (1 - _REL)))
    with np.errstate(invalid="ignore"):
        bad = (~finite | (gaps <= tau) | (gaps <= 0)).any(axis=0)
    later_bad = np.flatnonzero(bad[start:])
    stop = start + int(later_bad[0]) if later_bad.size else k.size
    cut_at, cause = None, None
    if stop < k.size:
        cut_at = int(k[stop])
        cause = "non-finite" if bad_columns[stop] else "floor"
    return CleanRange(start, stop, tau, int(diverged_rows.sum()), diverged_at, cut_at, cause)


def decades(k: np.ndarray, start: int, stop: int) -> float:
    """log10(k_last / k_first) over indices [start, stop); 0 for fewer than 2 points."""
    return float(np.log10(k[stop - 1] / k[start])) if stop - start >= 2 else 0.0


def last_decade_start(k: np.ndarray, start: int, stop: int) -> int:
    """First index in [start, stop) with k >= k_{stop-1} / 10."""
    return max(start, int(np.searchsorted(k, k[stop - 1] / 10 * (1 - _REL))))


@dataclass(frozen=True)
class WindowChoice:
    """The window [start, stop) chosen by the burn-in rule.

    ``curvature`` is the mean per-replicate quadratic coefficient c on that window;
    ``rule`` is "curvature" (first uncurved window), "last-decade" (every candidate was
    curved: pre-asymptotic) or "given" (set by the caller).
    """

    start: int
    stop: int
    curvature: Estimate
    rule: str

    @property
    def pre_asymptotic(self) -> bool:
        return self.rule == "last-decade"


def curvature(x: np.ndarray, z: np.ndarray, columns: Columns) -> tuple[Estimate, Estimate]:
    """Means over replicates of c and e in z_r = a + model(x) + c u^2 + e u^3, u = x - xbar."""
    coef = _curvature_fit(x, z, columns)
    return mean_estimate(coef[:, -2]), mean_estimate(coef[:, -1])


def slope_change(x: np.ndarray, z: np.ndarray, columns: Columns) -> tuple[Estimate, Estimate]:
    """The contrasts L1 (end-to-end change) and L2 (bend) of the local slope that the
    curvature terms cause across the window (module docstring), as means over replicates."""
    coef = _curvature_fit(x, z, columns)
    c, e = coef[:, -2], coef[:, -1]
    u_a, u_b = x[0] - x.mean(), x[-1] - x.mean()
    u_m = (u_a + u_b) / 2

    def s(u: float) -> np.ndarray:
        return 2 * c * u + 3 * e * u * u

    return mean_estimate(s(u_b) - s(u_a)), mean_estimate(s(u_m) - (s(u_a) + s(u_b)) / 2)


def window_slope(x: np.ndarray, z: np.ndarray, columns: Columns) -> float:
    """Mean over replicates of the coefficient of x (the slope) in the curvature fit."""
    return float(np.mean(_curvature_fit(x, z, columns)[:, 1]))


def _curvature_fit(x: np.ndarray, z: np.ndarray, columns: Columns) -> np.ndarray:
    """Per-replicate OLS coefficients (R, 2 + m) of z on [1, model - mean, u^2, u^3]."""
    u = x - x.mean()
    model = columns(x)
    design = np.column_stack([np.ones_like(x), model - model.mean(axis=0), u * u, u**3])
    return replicate_ols(design, z)


def materially_curved(change: Estimate, threshold: float, critical: float) -> bool:
    """Whether the slope change L is both material and real: |L_bar| > ``threshold`` and
    |L_bar| > ``critical`` se."""
    return abs(change.value) > max(threshold, critical * change.se)


def burn_in_grid(k_first: float, k_last: float) -> list[float]:
    """k0 = k_first 10^(m/2), m = 0, 1, ..., while k0 <= k_last / 10."""
    count = int(np.floor(2 * np.log10(k_last / k_first / 10) * (1 + _REL) + _REL)) + 1
    return [k_first * 10 ** (m / 2) for m in range(max(count, 0))]


def select_window(
    k: np.ndarray,
    x: np.ndarray,
    z: np.ndarray,
    columns: Columns,
    alpha_c: float,
    min_points: int,
    delta: float,
    relative: bool = False,
) -> WindowChoice:
    """The burn-in rule of the module docstring; the arrays hold the clean range only.

    ``k`` and ``x`` (J,) are the checkpoints and the regressor, ``z`` (R, J) the response;
    candidate windows with fewer than ``min_points`` checkpoints are skipped. ``delta`` is
    the slope change that counts as material; with ``relative`` it is relative to the
    window's slope (a linear rate, whose slope is log rho).
    """
    stop = k.size
    critical = t_quantile(1 - alpha_c / 4, z.shape[0] - 1)
    for k0 in burn_in_grid(k[0], k[-1]):
        start = int(np.searchsorted(k, k0 * (1 - _REL)))
        if stop - start < min_points:
            continue
        xs, zs = x[start:], z[:, start:]
        threshold = delta * abs(window_slope(xs, zs, columns)) if relative else delta
        ends, bend = slope_change(xs, zs, columns)
        if not (
            materially_curved(ends, threshold, critical)
            or materially_curved(bend, threshold, critical)
        ):
            quadratic, _ = curvature(xs, zs, columns)
            return WindowChoice(start, stop, quadratic, "curvature")
    start = last_decade_start(k, 0, stop)
    quadratic, _ = curvature(x[start:], z[:, start:], columns)
    return WindowChoice(start, stop, quadratic, "last-decade")


def range_problem(k: np.ndarray, clean: CleanRange, min_points: int) -> str | None:
    """Why the clean range cannot be fitted (None if it can): at least one decade of k, and
    at least ``min_points`` checkpoints in its last decade."""
    if clean.size < 2:
        cut = f" (floor cut at k={clean.cut_at}, {clean.cut_cause})" if clean.cut_at else ""
        return f"fewer than 2 checkpoints remain after the kmin and float-floor cuts{cut}"
    span = decades(k, clean.start, clean.stop)
    k_first, k_last = int(k[clean.start]), int(k[clean.stop - 1])
    if span < 1 - _REL:
        cut = f"; the tail was cut at k={clean.cut_at} ({clean.cut_cause})" if clean.cut_at else ""
        return (
            f"only {span:.2f} decades of clean checkpoints (k in [{k_first}, {k_last}]) remain "
            f"after the kmin and float-floor cuts{cut}; at least one decade is needed"
        )
    in_last = clean.stop - last_decade_start(k, clean.start, clean.stop)
    if in_last < min_points:
        return (
            f"the last decade k in [{k_last / 10:g}, {k_last}] holds {in_last} checkpoints; "
            f"at least {min_points} are needed (use about 10 geometric checkpoints per decade)"
        )
    return None
