"""Ridge regression, a strongly convex smooth finite sum with a closed-form optimum."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives._linear import SquaredLossModel, dataset, gaussian_regression
from theory import validation

MAX_CONDITION = 1e12
"""Largest accepted cond(H); beyond it the 'exact' optimum is not trustworthy in float64."""


class Ridge(SquaredLossModel):
    """F(w) = (1/(2n)) sum_i (x_i.w - y_i)^2 + (reg/2)||w||^2, family ``"linear-ls"``.

    Keys (defaults): ``n`` (1000), ``d`` (10), ``lam`` (0.1, the ridge parameter
    reg >= 0), ``noise`` (0.5), ``seed`` (0), or ``data`` (a ``.npz``/``.csv`` file).
    Synthetic data: x_i ~ N(0, I_d), y_i = x_i.w_true + noise * N(0, 1).

    Optimum: w* solves (X^T X / n + reg I) w = X^T y / n, computed as the least-squares
    solution of [X / sqrt(n); sqrt(reg) I] w = [y / sqrt(n); 0] (condition number
    sqrt(cond H) rather than cond H). Start w0 = 0.

    Class: lam-strongly convex and L-smooth. Constants, with H = X^T X / n + reg I:

    * ``lam`` = lambda_min(H) (the true strong convexity, used by 1/(lam k) schedules),
      ``L`` = lambda_max(H);
    * ``Lmax`` = max_i ||x_i||^2 + reg (every f_i is Lmax-smooth);
    * ``R`` = ||w0 - w*||; ``sigma2_star`` = (1/n) sum_i ||grad f_i(w*)||^2;
    * ``G``: a bound on ||grad f_i(w)|| for all i and all w in the ball B(w*, R) of
      radius ``G_radius`` = R around w* (see ``_ball_gradient_bound``).
    """

    name = "ridge"
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
        reg = validation.real(what, "lam", lam, at_least=0.0)
        data_set = dataset(what, gaussian_regression, n=n, d=d, noise=noise, seed=seed, data=data)
        self._set_data(data_set, reg)
        self.params = {**data_set.params, "lam": reg}
        eigenvalues = np.linalg.eigvalsh(self.hessian())
        lam_min, lam_max = float(eigenvalues[0]), float(eigenvalues[-1])
        if not lam_min > lam_max / MAX_CONDITION:
            raise validation.not_allowed(
                what,
                "lam",
                lam,
                "a lam for which H = X^T X / n + lam I is not singular or nearly so (here "
                f"lambda_min = {lam_min:.3g}, lambda_max = {lam_max:.3g}); use lam > 0, or the "
                "'least-squares' objective for a rank-deficient design",
            )
        self.w_star = freeze(self._solve())
        self.w0 = freeze(np.zeros(self.d))
        self.f_star = float(self.value(self.w_star[None, :])[0])
        radius = float(np.linalg.norm(self.w0 - self.w_star))
        self.constants = frozen_constants(
            {
                "lam": lam_min,
                "L": lam_max,
                "Lmax": float(np.max(np.einsum("nd,nd->n", self.X, self.X))) + reg,
                "R": radius,
                "sigma2_star": self._sigma2_star(),
                "G": self._ball_gradient_bound(radius),
                "G_radius": radius,
            }
        )

    def _solve(self) -> np.ndarray:
        scale = 1.0 / np.sqrt(self.n)
        A = np.vstack([self.X * scale, np.sqrt(self.reg) * np.eye(self.d)])
        rhs = np.concatenate([self.y * scale, np.zeros(self.d)])
        return np.linalg.lstsq(A, rhs, rcond=None)[0]
