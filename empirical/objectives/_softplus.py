"""The softplus function and its Bregman divergence, evaluated without cancellation.

softplus(s) = log(1 + e^s). Its Bregman divergence at s with offset delta,

    B(s, delta) = softplus(s + delta) - softplus(s) - p delta,   p = sigmoid(s),

is the cumulant generating function of a Bernoulli(p) variable minus its linear term:
B = log(1 - p + p e^delta) - p delta = sum_{k >= 2} kappa_k delta^k / k!, where kappa_k
are the Bernoulli cumulants. Subtracting the three terms directly loses all digits
when delta is small (B ~ p(1-p) delta^2 / 2); instead:

* |delta| <= ``SERIES_RADIUS``: the cumulant series up to ``SERIES_ORDER``;
  kappa_k = r^(k mod 2) A_k(v) with v = p(1-p), r = 1 - 2p, from kappa_2 = v and
  kappa_{k+1} = v d(kappa_k)/dp (dv/dp = r, dr/dp = -2, r^2 = 1 - 4v);
* otherwise B = log1p(q (e^(-p delta) - 1 + p delta) + p (e^(q delta) - 1 - q delta)),
  q = 1 - p, a sum of non-negative terms (the same identity, rearranged);
* |delta| > ``OVERFLOW_GUARD``: B = logaddexp(log q - p delta, log p + q delta).

The tests compare with 50-digit mpmath over s in [-40, 40] and |delta| in [1e-9, 600]:
the relative error is below 1e-13.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.polynomial import Polynomial
from scipy.special import expit

SERIES_ORDER = 10
SERIES_RADIUS = 0.125
OVERFLOW_GUARD = 500.0


def softplus(S: np.ndarray) -> np.ndarray:
    """log(1 + e^s), stably: max(s, 0) + log1p(e^-|s|)."""
    return np.maximum(S, 0.0) + np.log1p(np.exp(-np.abs(S)))


def bernoulli_cumulants(order: int) -> list[tuple[int, Polynomial]]:
    """kappa_2..kappa_order of Bernoulli(p), each as (e, A) meaning r^e A(v)."""
    v = Polynomial([0.0, 1.0])
    out = [(0, v)]
    for _ in range(order - 2):
        e, A = out[-1]
        if e == 0:
            out.append((1, v * A.deriv()))
        else:
            out.append((0, v * (-2.0 * A + (1.0 - 4.0 * v) * A.deriv())))
    return out


_CUMULANTS = bernoulli_cumulants(SERIES_ORDER)


class SoftplusBregman:
    """B(s_i, delta) for fixed base points s_i (n,) and offsets delta of shape (n, R)."""

    def __init__(self, S: np.ndarray) -> None:
        self.p = expit(S)
        self.q = expit(-S)
        v, r = self.p * self.q, self.q - self.p
        self.coef = np.stack(
            [r**e * A(v) / math.factorial(k) for k, (e, A) in enumerate(_CUMULANTS, start=2)],
            axis=1,
        )
        self.log_p = -softplus(-S)
        self.log_q = -softplus(S)

    def __call__(self, D: np.ndarray, rows: slice = slice(None)) -> np.ndarray:
        """B(s_i, D[i, r]) for the base points ``rows`` (D has one row per base point)."""
        p, q, coef = self.p[rows, None], self.q[rows, None], self.coef[rows]
        big = np.abs(D) > SERIES_RADIUS
        n_big = int(np.count_nonzero(big))
        if n_big == 0:
            return _series(coef, D)
        with np.errstate(over="ignore", invalid="ignore"):
            a, b = -p * D, q * D
            out = np.log1p(q * (np.expm1(a) - a) + p * (np.expm1(b) - b))
            if n_big < D.size:
                out = np.where(big, out, _series(coef, D))
        huge = np.abs(D) > OVERFLOW_GUARD
        if huge.any():
            i, j = np.nonzero(huge)
            d = D[i, j]
            log_p, log_q = self.log_p[rows][i], self.log_q[rows][i]
            out[i, j] = np.logaddexp(log_q - p[i, 0] * d, log_p + q[i, 0] * d)
        return out


def _series(coef: np.ndarray, D: np.ndarray) -> np.ndarray:
    """sum_k coef[:, k] D^(k+2), by Horner's rule."""
    acc = coef[:, -1:] * D
    for k in range(coef.shape[1] - 2, 0, -1):
        acc += coef[:, k : k + 1]
        acc *= D
    acc += coef[:, :1]
    acc *= D * D
    return acc
