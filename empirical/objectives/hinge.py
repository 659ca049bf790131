"""The L2-regularized hinge loss (a linear SVM without intercept), optimum exact by KKT."""

from __future__ import annotations

import numpy as np
import scipy.linalg

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives._linear import (
    LinearModel,
)
from theory.errors import RatecheckError

KKT_TOLERANCE = 1e-12
"""Slack allowed on the dual bounds, and (times max(1, max_i ||x_i|| ||w||), the size of
a margin's rounding) on the margins, when a partition is verified."""
SMALLEST_MU = 1e-13
DEGENERATE_MU = 1e-6
"""Below this band width, more than d margins at 1 are taken as a degenerate data set."""
MAX_NEWTON_STEPS = 200


class Hinge(LinearModel):
    """F(w) = (1/n) sum_i max(0, 1 - y_i x_i.w) + (reg/2)||w||^2, family ``"hinge"``.

    Labels y_i are -1 or +1. Keys (defaults): ``n`` (1000), ``d`` (10), ``lam`` (0.1, the
    regularization reg > 0), ``noise`` (0.5), ``seed`` (0), or ``data`` (a file);
    ``radius`` (none) makes the domain the ball ||w|| <= radius, which must contain w*
    (sqrt(2/reg) always does, since (reg/2)||w*||^2 <= F(w*) <= F(0) = 1: Pegasos' ball
    up to a factor sqrt(2)); SGD is then projected onto it.
    Synthetic data: x_i ~ N(0, I_d), y_i = sign(x_i.w_true + noise * N(0, 1)).
    The stochastic subgradient of sample i is -y_i x_i if y_i x_i.w < 1, else 0.

    Optimum, exactly: with margins m_i = y_i x_i.w, w* is optimal iff there are dual
    variables alpha_i in [0, 1] with reg w* = (1/n) sum_i alpha_i y_i x_i, alpha_i = 1
    where m_i < 1, alpha_i = 0 where m_i > 1. Given the partition A = {m < 1},
    S = {m = 1}, N = {m > 1}, this is a linear system for (w*, alpha_S). The partition
    comes from Newton's method on the hinge smoothed over a band of width mu (whose
    minimizer's band points carry alpha_i = (1 - m_i)/mu), with mu divided by 10
    until the partition's linear solve passes the KKT check. ``kkt_residual`` is the
    largest violation of the conditions above at the returned w*, relative to the data's
    scale (tested <= 1e-12); ``alpha`` holds the dual variables. Start w0 = 0.

    Class: reg-strongly convex, not smooth. Constants: ``lam`` = reg, ``R`` = ||w0 - w*||,
    ``G`` = max_i ||x_i|| + reg (||w*|| + R), a bound on every subgradient of every f_i
    over the ball B(w*, R) of radius ``G_radius`` = R. With a ``radius`` r: ``G`` =
    max_i ||x_i|| + reg r on the whole domain ||w|| <= r, and D = 2 r.

    Gap: since (1/n) sum_i alpha_i (-y_i x_i) + reg w* = 0,
    F(w) - F* = (1/n) sum_i [(1 - alpha_i)(1 - m_i)_+ + alpha_i (m_i - 1)_+]
    + (reg/2)||w - w*||^2, with m_i - 1 = (m*_i - 1) + y_i x_i.(w - w*): a sum of
    non-negative terms, without cancellation.
    """

    name = "hinge"
    family = "hinge"
    strongly_convex = True
    smooth = False

    def __init__(
        self,
        n: int | None = None,
        d: int | None = None,
        lam: float = 0.1,
        noise: float | None = None,
        seed: int | None = None,
        data: object = None,
        radius: float | None = None,
    ) -> None:
        what = f"objective {self.name!r}"
        reg = self._set_classification_data(what, lam, n=n, d=d, noise=noise, seed=seed, data=data)
        self._Z = self.X * self.y[:, None]
        self._max_norm = float(np.sqrt(np.max(np.einsum("nd,nd->n", self.X, self.X))))
        w_star, alpha = self._solve(what)
        self.w_star = freeze(w_star)
        self.alpha = freeze(alpha)
        self._margin_excess = freeze(self._Z @ self.w_star - 1.0)
        self.kkt_residual = self._kkt_residual()
        ball = self._set_ball(what, radius)
        self.w0 = freeze(np.zeros(self.d))
        self.f_star = float(self.value(self.w_star[None, :])[0])
        start = float(np.linalg.norm(self.w0 - self.w_star))
        if ball is None:
            gradient = {
                "G": self._max_norm + reg * (float(np.linalg.norm(self.w_star)) + start),
                "G_radius": start,
            }
        else:
            gradient = {"G": self._max_norm + reg * ball}
        self.constants = frozen_constants({"lam": reg, "R": start, **gradient})

    def _loss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.maximum(0.0, 1.0 - Y * T)

    def _dloss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.where(Y * T < 1.0, -Y, 0.0)

    def gap(self, W: np.ndarray) -> np.ndarray:
        E = W - self.w_star

        def terms(rows: slice) -> np.ndarray:
            excess = self._margin_excess[rows, None] + self._Z[rows] @ E.T
            alpha = self.alpha[rows, None]
            return (1.0 - alpha) * np.maximum(0.0, -excess) + alpha * np.maximum(0.0, excess)

        return self.row_mean(W, terms) + 0.5 * self.reg * np.einsum("rd,rd->r", E, E)

    # -- the exact solve -------------------------------------------------------------

    def _solve(self, what: str) -> tuple[np.ndarray, np.ndarray]:
        w = np.zeros(self.d)
        mu = 1.0
        while mu >= SMALLEST_MU:
            w = self._smoothed_newton(w, mu)
            solved = self._solve_partition(self._Z @ w, mu)
            if solved is not None:
                return solved
            mu /= 10.0
        raise RatecheckError(
            f"{what}: could not certify the exact optimum (no partition of the samples "
            "passed the KKT check); the data may be degenerate"
        )

    def _smoothed(self, w: np.ndarray, mu: float) -> float:
        """(1/n) sum_i h_mu(m_i) + (reg/2)||w||^2, h_mu the hinge smoothed on [1 - mu, 1]."""
        m = self._Z @ w
        h = np.where(
            m >= 1.0, 0.0, np.where(m > 1.0 - mu, (1.0 - m) ** 2 / (2 * mu), 1.0 - m - mu / 2)
        )
        return float(h.mean() + 0.5 * self.reg * (w @ w))

    def _pieces(self, m: np.ndarray, mu: float) -> tuple[np.ndarray, np.ndarray]:
        return m <= 1.0 - mu, (m > 1.0 - mu) & (m < 1.0)

    def _smoothed_newton(self, w: np.ndarray, mu: float) -> np.ndarray:
        """Newton with backtracking; stops when a full step keeps the quadratic piece."""
        Z, n, reg = self._Z, self.n, self.reg
        for _ in range(MAX_NEWTON_STEPS):
            m = Z @ w
            below, band = self._pieces(m, mu)
            grad = reg * w - Z.T @ np.clip((1.0 - m) / mu, 0.0, 1.0) / n
            hessian = reg * np.eye(self.d) + Z[band].T @ Z[band] / (mu * n)
            step = scipy.linalg.solve(hessian, grad, assume_a="pos")
            decrement2 = float(grad @ step)
            t, f0 = 1.0, self._smoothed(w, mu)
            while self._smoothed(w - t * step, mu) > f0 - 0.25 * t * decrement2 and t > 1e-12:
                t *= 0.5
            w = w - t * step
            if t == 1.0:
                below_new, band_new = self._pieces(Z @ w, mu)
                if np.array_equal(below, below_new) and np.array_equal(band, band_new):
                    break
        return w

    def _solve_partition(self, m: np.ndarray, mu: float) -> tuple[np.ndarray, np.ndarray] | None:
        """Solve the KKT system for A = {m <= 1 - mu}, S = {|m - 1| < mu}; None if it fails."""
        support = np.flatnonzero(np.abs(m - 1.0) < mu)
        if support.size > self.d and mu > DEGENERATE_MU:
            return None  # generic data have at most d margins at 1; shrink mu first
        active = m <= 1.0 - mu
        n_reg = self.reg * self.n
        base = self._Z[active].sum(axis=0)
        # n reg w = base + Z_S^T alpha_S and Z_S w = 1: w = Z_S^+ 1 + N^T N base / (n reg),
        # with N's rows a basis of null(Z_S), so that the margins on S are 1 to rounding
        w = base / n_reg
        alpha_S = np.zeros(0)
        if support.size:
            ZS = self._Z[support]
            _, s, Vt = np.linalg.svd(ZS)
            null = Vt[int(np.sum(s > s[0] * max(ZS.shape) * np.finfo(float).eps)) :]
            w = np.linalg.lstsq(ZS, np.ones(support.size), rcond=None)[0]
            w += null.T @ (null @ base) / n_reg
            alpha_S = np.linalg.lstsq(ZS.T, n_reg * w - base, rcond=None)[0]
        if np.any(alpha_S < -KKT_TOLERANCE) or np.any(alpha_S > 1.0 + KKT_TOLERANCE):
            return None
        alpha = active.astype(float)
        alpha[support] = np.clip(alpha_S, 0.0, 1.0)
        excess = self._Z @ w - 1.0
        tol = KKT_TOLERANCE * max(1.0, self._max_norm * float(np.linalg.norm(w)))
        rest = np.ones(self.n, dtype=bool)
        rest[support] = False
        if (
            np.any(np.abs(excess[support]) > tol)
            or np.any(excess[rest & active] > tol)
            or np.any(excess[rest & ~active] < -tol)
        ):
            return None
        return w, alpha

    def _kkt_residual(self) -> float:
        """Largest violation of the optimality conditions at w*, scale-free.

        Stationarity ||reg w* - (1/n) sum_i alpha_i y_i x_i||_inf over max_i ||x_i||, and the
        alpha/margin conditions over max(1, max_i ||x_i|| ||w*||) (a margin's rounding).
        """
        alpha, excess = self.alpha, self._margin_excess
        stationarity = self.reg * self.w_star - self._Z.T @ alpha / self.n
        complementarity = np.where(
            alpha <= 0.0,
            np.maximum(0.0, -excess),
            np.where(alpha >= 1.0, np.maximum(0.0, excess), np.abs(excess)),
        )
        margin_scale = max(1.0, self._max_norm * float(np.linalg.norm(self.w_star)))
        return float(
            max(
                np.max(np.abs(stationarity)) / max(self._max_norm, np.finfo(float).tiny),
                np.max(complementarity) / margin_scale,
            )
        )
