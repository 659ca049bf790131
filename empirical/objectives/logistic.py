"""L2-regularized logistic regression, optimum by a high-accuracy Newton solve."""

from __future__ import annotations

import numpy as np
import scipy.linalg
from scipy.special import expit

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives._linear import (
    LinearModel,
)
from empirical.objectives._softplus import SoftplusBregman, softplus

MAX_NEWTON_STEPS = 100


class Logistic(LinearModel):
    """F(w) = (1/n) sum_i log(1 + exp(-y_i x_i.w)) + (reg/2)||w||^2, family ``"logistic"``.

    Labels y_i are -1 or +1. Keys (defaults): ``n`` (1000), ``d`` (10), ``lam`` (0.1, the
    regularization reg > 0), ``noise`` (0.5), ``seed`` (0), or ``data`` (a file).
    Synthetic data: x_i ~ N(0, I_d), y_i = sign(x_i.w_true + noise * N(0, 1)).

    Optimum: damped Newton from w = 0 with the exact Hessian, continued until the
    gradient norm stops decreasing (float64's floor), keeping the iterate with the
    smallest gradient norm. ``grad_norm_at_w_star`` = ||grad F(w*)|| and
    ``w_star_error_bound`` = ||grad F(w*)|| / reg, which bounds the distance to the
    exact minimizer by strong convexity; the tests check it is <= 1e-12 ||w*|| and
    compare with scipy's trust-exact solver. Start w0 = 0.

    Class: reg-strongly convex and L-smooth. Constants: ``lam`` = reg (the data term's
    Hessian has no positive lower bound over all w), ``L`` = reg + lambda_max(X^T X)/(4n),
    ``Lmax`` = max_i ||x_i||^2 / 4 + reg, ``R`` = ||w0 - w*||, ``sigma2_star`` =
    (1/n) sum_i ||grad f_i(w*)||^2, and ``G`` = max_i ||x_i|| + reg (||w*|| + R), a bound
    on every ||grad f_i(w)|| over the ball B(w*, R) of radius ``G_radius`` = R.

    Gap: since grad F(w*) = 0, F(w) - F* = (1/n) sum_i B_i + (reg/2)||w - w*||^2 with
    B_i the Bregman divergence of softplus at s*_i = -y_i x_i.w* with offset
    -y_i x_i.(w - w*) (see :mod:`._softplus`): a sum of non-negative terms, evaluated
    without cancellation. Its accuracy is then limited by that of w* (an error e in w*
    moves the gap by about ||grad F(w)|| ||e||), not by f*: ``value(w) - f_star`` would
    lose every digit below about 1e-16 |f*|.
    """

    name = "logistic"
    family = "logistic"
    strongly_convex = True
    smooth = True

    def __init__(
        self,
        n: int | None = None,
        d: int | None = None,
        lam: float = 0.1,
        noise: float | None = None,
        seed: int | None = None,
        data: object = None,
    ) -> None:
        what = f"objective {self.name!r}"
        reg = self._set_classification_data(what, lam, n=n, d=d, noise=noise, seed=seed, data=data)
        self.w_star = freeze(self._newton())
        self.w0 = freeze(np.zeros(self.d))
        self.f_star = float(self.value(self.w_star[None, :])[0])
        grad = self.full_grad(self.w_star[None, :])[0]
        self.grad_norm_at_w_star = float(np.linalg.norm(grad))
        self.w_star_error_bound = self.grad_norm_at_w_star / reg
        self._bregman = SoftplusBregman(-self.y * (self.X @ self.w_star))
        radius = float(np.linalg.norm(self.w0 - self.w_star))
        norms2 = np.einsum("nd,nd->n", self.X, self.X)
        self.constants = frozen_constants(
            {
                "lam": reg,
                "L": reg + float(np.linalg.eigvalsh(self.X.T @ self.X)[-1]) / (4 * self.n),
                "Lmax": float(np.max(norms2)) / 4 + reg,
                "R": radius,
                "sigma2_star": self._sigma2_star(),
                "G": float(np.sqrt(np.max(norms2))) + reg * (np.linalg.norm(self.w_star) + radius),
                "G_radius": radius,
            }
        )

    def _loss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return softplus(-Y * T)

    def _dloss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return -Y * expit(-Y * T)

    def gap(self, W: np.ndarray) -> np.ndarray:
        E = W - self.w_star

        def divergences(rows: slice) -> np.ndarray:
            return self._bregman(-(self.X[rows] @ E.T) * self.y[rows, None], rows)

        return self.row_mean(W, divergences) + 0.5 * self.reg * np.einsum("rd,rd->r", E, E)

    def _newton(self) -> np.ndarray:
        """Damped Newton; returns the iterate with the smallest gradient norm."""
        X, y, n, reg = self.X, self.y, self.n, self.reg
        w = np.zeros(self.d)
        best_w, best_norm, stalls = w, np.inf, 0
        for _ in range(MAX_NEWTON_STEPS):
            S = -y * (X @ w)
            grad = X.T @ (-y * expit(S)) / n + reg * w
            norm = float(np.linalg.norm(grad))
            if norm < best_norm:
                best_w, best_norm, stalls = w, norm, 0
            else:
                stalls += 1
            if norm == 0.0 or stalls >= 3:
                break
            curvature = expit(S) * expit(-S)
            hessian = (X.T * curvature) @ X / n + reg * np.eye(self.d)
            step = scipy.linalg.solve(hessian, grad, assume_a="pos")
            decrement2 = float(grad @ step)
            t = 1.0
            if decrement2 > 1e-6:  # far from w*: backtrack (Armijo); near it, full steps
                f0 = self._scalar_value(w)
                while self._scalar_value(w - t * step) > f0 - 0.25 * t * decrement2:
                    t *= 0.5
            w = w - t * step
        return best_w

    def _scalar_value(self, w: np.ndarray) -> float:
        return float(self.value(w[None, :])[0])
