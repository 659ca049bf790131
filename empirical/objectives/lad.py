"""Least absolute deviations: convex, non-smooth; optimum by linear programming."""

from __future__ import annotations

import numpy as np
from scipy.optimize import linprog

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives._linear import LinearModel, dataset
from theory.errors import InputError, RatecheckError

ZERO_RESIDUAL = 1e-9
"""A residual of the LP solution below this (relative to 1 + max |y|) is taken as 0."""
CERTIFICATE_TOLERANCE = 1e-12


def laplace_regression(
    rng: np.random.Generator, n: int, d: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """x_i ~ N(0, I_d), y_i = x_i.w_true + noise * Laplace(0, 1)."""
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d) / np.sqrt(d)
    return X, X @ w_true + noise * rng.laplace(size=n)


class LAD(LinearModel):
    """F(w) = (1/n) sum_i |x_i.w - y_i|, family ``"lad"``.

    Keys (defaults): ``n`` (1000, n > d), ``d`` (10), ``noise`` (0.5), ``seed`` (0), or
    ``data`` (a file); ``radius`` (none) makes the domain the ball ||w|| <= radius, which
    must contain w*: SGD is then projected onto it, as the bounded-domain theorems assume.
    Synthetic data: x_i ~ N(0, I_d), y_i = x_i.w_true + noise * Laplace(0, 1). The
    stochastic subgradient of sample i is sign(x_i.w - y_i) x_i (0 at a zero residual).
    ``kernel_data`` has X, y and reg = 0.

    Optimum: the dual linear program (see ``_solve``), solved by HiGHS, then polished:
    w* solves x_i.w = y_i exactly on the set Z of (numerically) zero residuals, and a
    certificate s with s_i = sign(r*_i) off Z, |s_i| <= 1 on Z and sum_i s_i x_i = 0
    proves optimality (0 is in the subdifferential); s_Z is the least-norm solution, or
    the LP's dual made exact. ``certificate_residual`` = ||(1/n) sum_i s_i x_i||_inf /
    max_i ||x_i|| (scale-free; tested <= 1e-12). ``unique`` is True when X_Z has rank d
    and |s_i| < 1 on Z, which makes w* the only minimizer (otherwise ``dist2`` measures
    the distance to this one).
    Start w0 = 0.

    Class: convex, not smooth, not strongly convex. Constants: ``R`` = ||w0 - w*||,
    ``G`` = max_i ||x_i|| (bounds every subgradient of every f_i, everywhere), and with a
    ``radius`` the diameter D = 2 radius of the domain.

    Gap: F(w) - F* = (1/n) sum_i (|r_i| - s_i r_i) with r = Xw - y (because
    sum_i s_i x_i = 0 and |r*_i| = s_i r*_i): a sum of non-negative terms, with
    r = r* + X (w - w*) for accuracy.
    """

    name = "lad"
    family = "lad"
    strongly_convex = False
    smooth = False

    def __init__(
        self,
        n: int | None = None,
        d: int | None = None,
        noise: float | None = None,
        seed: int | None = None,
        data: object = None,
        radius: float | None = None,
    ) -> None:
        what = f"objective {self.name!r}"
        data_set = dataset(what, laplace_regression, n=n, d=d, noise=noise, seed=seed, data=data)
        self._set_data(data_set, 0.0)
        self.params = dict(data_set.params)
        self._max_norm = float(np.sqrt(np.max(np.einsum("nd,nd->n", self.X, self.X))))
        if self.n <= self.d or np.linalg.matrix_rank(self.X) < self.d:
            raise InputError(
                f"{what}: needs a design X of full column rank with n > d; got n = {self.n}, "
                f"d = {self.d}, rank {np.linalg.matrix_rank(self.X)} (the minimizers would "
                "form a subspace)"
            )
        w_star, sign = self._solve(what)
        self.w_star = freeze(w_star)
        self.sign = freeze(sign)
        self._residual = freeze(self.X @ self.w_star - self.y)
        self.certificate_residual = self._imbalance(self.sign)
        self._set_ball(what, radius)
        self.w0 = freeze(np.zeros(self.d))
        self.f_star = float(np.mean(np.abs(self._residual)))
        self.constants = frozen_constants(
            {
                "R": float(np.linalg.norm(self.w0 - self.w_star)),
                "G": self._max_norm,
            }
        )

    def _loss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.abs(T - Y)

    def _dloss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return np.sign(T - Y)

    def gap(self, W: np.ndarray) -> np.ndarray:
        E = W - self.w_star

        def terms(rows: slice) -> np.ndarray:
            r = self._residual[rows, None] + self.X[rows] @ E.T
            return np.abs(r) - self.sign[rows, None] * r

        return self.row_mean(W, terms)

    def _solve(self, what: str) -> tuple[np.ndarray, np.ndarray]:
        """Dual LP, then the exact vertex through the zero residuals, then the certificate.

        The dual of min_w (1/n) sum |x_i.w - y_i| is max -(1/n) s.y s.t. X^T s = 0,
        |s_i| <= 1 (n bounded variables, d equations: much smaller for HiGHS than the
        primal); solved for lam = -s/n, its equality multipliers are -w.
        """
        X, y, n, d = self.X, self.y, self.n, self.d
        result = linprog(-y, A_eq=X.T, b_eq=np.zeros(d), bounds=(-1.0 / n, 1.0 / n), method="highs")
        if result.status != 0:
            raise RatecheckError(f"{what}: the LP solver failed: {result.message}")
        w_lp = -result.eqlin.marginals
        dual_sign = -n * result.x
        r_lp = X @ w_lp - y
        zero = np.abs(r_lp) <= ZERO_RESIDUAL * (1.0 + np.max(np.abs(y)))
        XZ = X[zero]
        w = w_lp
        self.unique = bool(np.linalg.matrix_rank(XZ) == d) if XZ.size else False
        if self.unique:
            w = np.linalg.lstsq(XZ, y[zero], rcond=None)[0]
        r = X @ w - y
        sign = np.sign(r)
        if np.any(sign[~zero] != np.sign(r_lp[~zero])):
            raise RatecheckError(f"{what}: polishing the LP solution changed a residual's sign")
        sign[zero] = 0.0
        off_balance = sign @ X
        if XZ.size:  # the least-norm s_Z (strictly inside [-1, 1] if w* is unique), ...
            sign[zero] = -np.linalg.lstsq(XZ.T, off_balance, rcond=None)[0]
            if np.max(np.abs(sign[zero])) >= 1.0:  # ... else the LP's dual, made exact
                sign[zero] = dual_sign[zero]
                sign[zero] -= np.linalg.lstsq(XZ.T, sign @ X, rcond=None)[0]
        bound = float(np.max(np.abs(sign[zero]))) if XZ.size else 0.0
        self.unique = self.unique and bound < 1.0 - ZERO_RESIDUAL
        sign[zero] = np.clip(sign[zero], -1.0, 1.0)
        if self._imbalance(sign) > CERTIFICATE_TOLERANCE or bound > 1.0 + ZERO_RESIDUAL:
            raise RatecheckError(
                f"{what}: could not certify the LP optimum (subgradient certificate off by "
                f"{self._imbalance(sign):.3g}, max |s_i| on zero residuals {bound:.6g})"
            )
        return w, sign

    def _imbalance(self, sign: np.ndarray) -> float:
        """||(1/n) sum_i s_i x_i||_inf / max_i ||x_i||: how far 0 is from the subgradient."""
        return float(
            np.max(np.abs(sign @ self.X)) / self.n / max(self._max_norm, np.finfo(float).tiny)
        )
