"""Replicate-level inference: per-replicate OLS, t_{R-1} intervals, jackknife over replicates.

Checkpoints along one trajectory are strongly correlated (SGD with eta_k = 1/(lam k) from
w_0 = 0 has k w_k = -(sigma/lam) sum_{s<=k} xi_s, so corr(w_j, w_k) = (j/k)^(1/2)), and
naive or HAC standard errors from one averaged curve are far too small (STATISTICS.md §2).
Replicates are independent: fit each replicate r separately, giving coefficients b_r, and
use their spread,

    b_bar +- t_{R-1, 1-a/2} sd(b_r) / sqrt(R).

This is the pooled OLS of all R*J points with statsmodels' cluster-robust covariance
(groups = replicate, ``use_t``): the same coefficients, and a standard error larger by the
small-sample factor sqrt((N-1)/(N-m)) (N = R*J points, m coefficients), with t_{R-1}
quantiles (:func:`pooled_cluster_ols`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import stats


def t_quantile(prob: float, dof: int) -> float:
    """The prob-quantile of Student's t with ``dof`` degrees of freedom."""
    return float(stats.t.ppf(prob, dof))


@dataclass(frozen=True)
class Estimate:
    """An estimate with standard error ``se`` and Student-t reference with ``dof`` df.

    ``ci_low``/``ci_high`` are the two-sided interval at ``level``:
    value -+ t_{dof, (1+level)/2} se.
    """

    value: float
    se: float
    dof: int
    level: float = 0.95

    def interval(self, level: float) -> tuple[float, float]:
        """Two-sided interval at ``level``."""
        half = t_quantile(0.5 + level / 2, self.dof) * self.se
        return self.value - half, self.value + half

    def lower_bound(self, alpha: float) -> float:
        """One-sided lower confidence bound at 1 - alpha: value - t_{dof, 1-alpha} se."""
        return self.value - t_quantile(1 - alpha, self.dof) * self.se

    def upper_bound(self, alpha: float) -> float:
        """One-sided upper confidence bound at 1 - alpha: value + t_{dof, 1-alpha} se."""
        return self.value + t_quantile(1 - alpha, self.dof) * self.se

    @property
    def ci_low(self) -> float:
        return self.interval(self.level)[0]

    @property
    def ci_high(self) -> float:
        return self.interval(self.level)[1]

    def affine(self, scale: float, shift: float = 0.0) -> Estimate:
        """The estimate of scale * theta + shift (same t reference)."""
        return Estimate(scale * self.value + shift, abs(scale) * self.se, self.dof, self.level)

    def to_dict(self) -> dict[str, float | int]:
        return {
            "estimate": float(self.value),
            "se": float(self.se),
            "ci_low": float(self.ci_low),
            "ci_high": float(self.ci_high),
            "level": float(self.level),
            "dof": int(self.dof),
        }


def replicate_ols(design: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """OLS coefficients of each row of ``responses`` (R, n) on ``design`` (n, m): (R, m).

    Columns are scaled to unit norm before the least-squares solve (and the scale undone),
    so regressors as different as 1 and k^2 are solved accurately.
    """
    norms = np.linalg.norm(design, axis=0)
    scaled = design / norms
    coef, *_ = np.linalg.lstsq(scaled, responses.T, rcond=None)
    return (coef / norms[:, None]).T


def replicate_slopes(x: np.ndarray, responses: np.ndarray) -> np.ndarray:
    """Per-replicate OLS slope of each row of ``responses`` (R, n) on ``x`` (n,): (R,)."""
    design = np.column_stack([np.ones(x.size), x - x.mean()])
    return replicate_ols(design, responses)[:, 1]


def known_factor_log(k: np.ndarray, power: float, log_power: float) -> np.ndarray:
    """log h(k) for the known factor h(k) = k^power (log k)^log_power (needs k >= 2 if
    log_power != 0)."""
    offset = power * np.log(k)
    if log_power:
        offset = offset + log_power * np.log(np.log(k))
    return offset


def mean_estimate(samples: np.ndarray, level: float = 0.95) -> Estimate:
    """Mean of R independent per-replicate values, se = sd/sqrt(R), t_{R-1}."""
    samples = np.asarray(samples, dtype=float)
    size = samples.size
    return Estimate(
        float(np.mean(samples)), float(np.std(samples, ddof=1) / math.sqrt(size)), size - 1, level
    )


def jackknife(full: float, leave_one_out: np.ndarray, level: float = 0.95) -> Estimate:
    """Jackknife over replicates: se^2 = (R-1)/R sum_i (theta_(i) - mean theta_(.))^2, t_{R-1}."""
    loo = np.asarray(leave_one_out, dtype=float)
    size = loo.size
    se = math.sqrt((size - 1) / size * float(np.sum((loo - loo.mean()) ** 2)))
    return Estimate(float(full), se, size - 1, level)


def leave_one_out_means(gaps: np.ndarray) -> np.ndarray:
    """Row i: the mean over replicates of ``gaps`` (R, J) without replicate i."""
    size = gaps.shape[0]
    return (gaps.sum(axis=0) - gaps) / (size - 1)


def pooled_cluster_ols(design: np.ndarray, responses: np.ndarray) -> Any:
    """statsmodels OLS of all R*n points, cluster-robust by replicate, ``use_t``.

    ``design`` (n, m) is shared by the R rows of ``responses`` (R, n). The coefficients
    equal the mean of :func:`replicate_ols`; the standard errors equal
    sd(b_r)/sqrt(R) * sqrt((N-1)/(N-m)), N = R*n; intervals use t_{R-1}.
    """
    import statsmodels.api as sm  # imported here: it costs ~1 s and only this needs it

    size, n = responses.shape
    groups = np.repeat(np.arange(size), n)
    model = sm.OLS(responses.ravel(), np.tile(design, (size, 1)))
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)


def needed_replicates(
    sigma1: float, margin: float, alpha: float, power: float = 0.95
) -> int | None:
    """Replicates for a one-sided t-test at level alpha to reach ``power`` at distance ``margin``.

    The smallest R with R >= ((t_{R-1, 1-alpha} + t_{R-1, power}) sigma1 / margin)^2 (STATISTICS.md
    §3b); ``sigma1`` is the sd of the per-replicate statistic. None when margin <= 0 (no R
    resolves a statistic sitting on the decision boundary).
    """
    if margin <= 0 or not math.isfinite(margin):
        return None
    ratio = sigma1 / margin

    def enough(size: int) -> bool:
        t_sum = t_quantile(1 - alpha, size - 1) + t_quantile(power, size - 1)
        return size >= (t_sum * ratio) ** 2

    z_sum = stats.norm.ppf(1 - alpha) + stats.norm.ppf(power)
    low = max(2, math.ceil((z_sum * ratio) ** 2))  # t > z, so the answer is >= this
    if enough(low):
        return low
    high = 2 * low
    while not enough(high):
        low, high = high, 2 * high
    while high - low > 1:  # invariant: not enough(low), enough(high)
        mid = (low + high) // 2
        low, high = (low, mid) if enough(mid) else (mid, high)
    return high
