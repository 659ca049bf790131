"""Least squares on a rank-deficient design: convex and smooth, not strongly convex."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives._linear import DEFAULT_D, Generator, SquaredLossModel, dataset
from theory import validation
from theory.errors import InputError


def low_rank_regression(rank: int) -> Generator:
    """X = A B with A (n, rank) ~ N(0, 1) and B (rank, d) ~ N(0, 1/rank); y = X w_true + noise."""

    def generate(
        rng: np.random.Generator, n: int, d: int, noise: float
    ) -> tuple[np.ndarray, np.ndarray]:
        X = rng.standard_normal((n, rank)) @ (rng.standard_normal((rank, d)) / np.sqrt(rank))
        w_true = rng.standard_normal(d) / np.sqrt(d)
        return X, X @ w_true + noise * rng.standard_normal(n)

    return generate


class LeastSquares(SquaredLossModel):
    """F(w) = (1/(2n)) ||Xw - y||^2 (reg = 0), family ``"linear-ls"``.

    Keys (defaults): ``n`` (1000), ``d`` (10), ``rank`` (d // 2; 1 <= rank < d),
    ``noise`` (0.5), ``seed`` (0), or ``data`` (a file; then the rank is numerical).
    Synthetic data: X = A B of rank r = ``rank`` < d (A (n, r) ~ N(0, 1),
    B (r, d) ~ N(0, 1/r)), y = X w_true + noise * N(0, 1).

    Optimum: the minimizers form w* + null(X); ``w_star`` is the minimum-norm one,
    w* = V_r S_r^{-1} U_r^T y from the SVD X = U S V^T truncated at the numerical rank
    r (singular values > max(n, d) * eps * s_max). f* = ||y - X w*||^2 / (2n).

    Gap: F(w) - F* = ||X (w - w*)||^2 / (2n) for every w, exactly, because the optimal
    residual is orthogonal to range(X). ``dist2`` is the squared distance to the whole
    set of minimizers, ||P (w - w*)||^2 with P the projector onto row(X). From the
    default start w0 = 0 gradient methods stay in row(X), where the two distances agree,
    and R = ||w0 - w*|| = ||w*|| is the distance from w0 to the set of minimizers.

    Class: convex and L-smooth; not strongly convex when r < d (if a data file has full
    column rank, ``strongly_convex`` is True and ``lam`` = lambda_min(H) is given).
    Constants: ``L`` = lambda_max(X^T X / n), ``Lmax`` = max_i ||x_i||^2, ``R``,
    ``sigma2_star`` = (1/n) sum_i ||grad f_i(w*)||^2, and ``G``, a bound on every
    ||grad f_i(w)|| over the ball B(w*, R) of radius ``G_radius`` = R.
    """

    name = "least-squares"
    smooth = True

    def __init__(
        self,
        n: int | None = None,
        d: int | None = None,
        rank: int | None = None,
        noise: float | None = None,
        seed: int | None = None,
        data: object = None,
    ) -> None:
        what = f"objective {self.name!r}"
        if data is not None:
            if rank is not None:
                raise validation.not_allowed(
                    what, "rank", rank, "no value when 'data' is given (the data fix it)"
                )
            generate = None
        else:
            d_ = validation.integer(
                what, "d", DEFAULT_D if d is None else d, minimum=2, integral_float=True
            )
            rank_ = validation.integer(
                what, "rank", d_ // 2 if rank is None else rank, minimum=1, integral_float=True
            )
            if rank_ >= d_:
                raise validation.not_allowed(
                    what,
                    "rank",
                    rank,
                    f"an integer in [1, d - 1] = [1, {d_ - 1}], so that the design is "
                    "rank-deficient",
                )
            generate = low_rank_regression(rank_)
        data_set = dataset(what, generate, n=n, d=d, noise=noise, seed=seed, data=data)
        self._set_data(data_set, 0.0)
        self.params = {**data_set.params, **({} if data is not None else {"rank": rank_})}
        U, s, Vt = np.linalg.svd(self.X, full_matrices=False)
        if not s[0] > 0:
            raise InputError(f"{what}: the design X is zero; every w is a minimizer")
        r = int(np.sum(s > max(self.X.shape) * np.finfo(float).eps * s[0]))
        self.rank = r
        self._row_basis = freeze(Vt[:r])
        self.w_star = freeze(Vt[:r].T @ ((U[:, :r].T @ self.y) / s[:r]))
        self.w0 = freeze(np.zeros(self.d))
        residual = self.y - self.X @ self.w_star
        self.f_star = float(residual @ residual / (2 * self.n))
        self.strongly_convex = r == self.d
        radius = float(np.linalg.norm(self.w0 - self.w_star))
        constants = {
            "L": float(s[0] ** 2 / self.n),
            "Lmax": float(np.max(np.einsum("nd,nd->n", self.X, self.X))),
            "R": radius,
            "sigma2_star": self._sigma2_star(),
            "G": self._ball_gradient_bound(radius),
            "G_radius": radius,
        }
        if self.strongly_convex:
            constants["lam"] = float(s[-1] ** 2 / self.n)
        self.constants = frozen_constants(constants)

    def dist2(self, W: np.ndarray) -> np.ndarray:
        """Squared distance to the set of minimizers: ||P_row(X) (w - w*)||^2."""
        proj = (W - self.w_star) @ self._row_basis.T
        return np.einsum("rk,rk->r", proj, proj)
