"""Rate models on the log scale, and the family label by BIC.

The linear-in-parameters models, fitted per replicate by OLS of z = log gap - log h(k)
(h a known fixed factor, default 1):

* ``power``:      z = a + p log k                       (gap ~ A k^p)
* ``power_log``:  z = a + p log k + q log log k         (gap ~ A k^p (log k)^q)
* ``linear``:     z = a + k log rho                     (gap ~ A rho^k)

and the nonlinear ``plateau`` model log gap = log(A k^p + F), fitted with
``scipy.optimize.curve_fit`` on the log scale. BIC = n log(RSS/n) + m log n on the log of
the mean gap labels the coarse family (power, linear or plateau); it is not used to decide
exponents, because it counts correlated checkpoints as independent (STATISTICS.md §3d).
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy.optimize import OptimizeWarning, curve_fit

from empirical.fitting.window import Columns


@dataclass(frozen=True)
class LinearRateModel:
    """A model linear in its parameters: z = a + columns(x) @ theta, x = regressor(k).

    The first column is x itself, whose coefficient is the rate parameter ``parameter``.
    """

    name: str
    formula: str
    parameter: str
    regressor: Callable[[np.ndarray], np.ndarray]
    columns: Columns


def _x(x: np.ndarray) -> np.ndarray:
    return x[:, None]


def _x_and_log_x(x: np.ndarray) -> np.ndarray:
    return np.column_stack([x, np.log(x)])


LINEAR_MODELS: dict[str, LinearRateModel] = {
    "power": LinearRateModel("power", "A k^p", "exponent p", np.log, _x),
    "power_log": LinearRateModel(
        "power_log", "A k^p (log k)^q", "exponent p", np.log, _x_and_log_x
    ),
    "linear": LinearRateModel("linear", "A rho^k", "log-rate log(rho)", np.asarray, _x),
}
MODEL_NAMES = (*LINEAR_MODELS, "plateau")


def _plateau_curve(log_k: np.ndarray, log_a: float, p: float, log_f: float) -> np.ndarray:
    return np.logaddexp(log_a + p * log_k, log_f)


def _plateau_jacobian(log_k: np.ndarray, log_a: float, p: float, log_f: float) -> np.ndarray:
    weight = np.exp(log_a + p * log_k - _plateau_curve(log_k, log_a, p, log_f))
    return np.column_stack([weight, weight * log_k, 1.0 - weight])


def fit_plateau_curve(
    k: np.ndarray, log_gap: np.ndarray, start: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """Least squares of log_gap on log(A k^p + F): ((log A, p, log F), RSS).

    Without ``start``, the best of the starts p in {-0.5, -1, -2, -4}, each through the
    first point with F = the smallest gap (a flat head or an S-shape defeats any single
    start). Raises RuntimeError if no start converges.
    """
    log_k = np.log(k)
    if start is None:
        starts = [(log_gap[0] - p * log_k[0], p, log_gap.min()) for p in (-0.5, -1.0, -2.0, -4.0)]
    else:
        starts = [tuple(start)]
    best, best_rss = None, np.inf
    for guess in starts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)  # covariance not used
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow on wild trial steps
                params, _ = curve_fit(
                    _plateau_curve, log_k, log_gap, p0=guess, jac=_plateau_jacobian, maxfev=5000
                )
        except RuntimeError:
            continue
        rss = float(np.sum((log_gap - _plateau_curve(log_k, *params)) ** 2))
        if rss < best_rss:
            best, best_rss = params, rss
    if best is None:
        raise RuntimeError("no start of the plateau fit converged")
    return best, best_rss


def _ols_rss(design: np.ndarray, y: np.ndarray) -> float:
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    return float(np.sum((y - design @ coef) ** 2))


def _plateau_rss(k: np.ndarray, y: np.ndarray) -> float:
    try:
        return fit_plateau_curve(k, y)[1]
    except RuntimeError:
        return np.inf


def family_bic(k: np.ndarray, mean_gap: np.ndarray) -> dict[str, float]:
    """BIC of the power, linear and plateau families on log(mean gap) vs k."""
    y = np.log(mean_gap)
    n = y.size
    ones = np.ones(n)
    rss = {
        "power": _ols_rss(np.column_stack([ones, np.log(k)]), y),
        "linear": _ols_rss(np.column_stack([ones, k / k[-1]]), y),
        "plateau": _plateau_rss(k, y),
    }
    n_params = {"power": 2, "linear": 2, "plateau": 3}
    tiny = np.finfo(float).tiny
    return {
        name: float(n * np.log(max(value, tiny) / n) + n_params[name] * np.log(n))
        for name, value in rss.items()
    }
