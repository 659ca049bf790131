"""Finite sums over a linear model: F(w) = (1/n) sum_i phi_i(x_i.w) + (reg/2)||w||^2.

The per-sample loss phi_i depends on w only through the prediction t_i = x_i.w, so
every gradient is a weighted sum of rows of X: grad f_i(w) = phi_i'(t_i) x_i + reg w.
A minibatch gradient gathers ``X[idx]`` (R, b, d) and contracts with einsum. Values,
gaps and full gradients take all replicates at once through ``X[rows] @ W.T``, one
block of rows at a time (:func:`row_blocks`), so that the (rows, R) temporaries stay in
cache rather than streaming (n, R) arrays through memory.

Data come from a user's file (``data=path``, see :mod:`empirical.objectives.data`) or are drawn
from ``seed`` with :func:`numpy.random.default_rng`: a Gaussian design x_i ~ N(0, I_d)
and a planted w_true ~ N(0, I_d / d), so that x_i.w_true ~ N(0, 1).
"""

from __future__ import annotations

from abc import abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from empirical.objectives._frozen import freeze
from empirical.objectives.base import Ball, Objective
from empirical.objectives.data import check_xy, load_xy
from theory import limits, validation
from theory.errors import InputError

DEFAULT_N = 1000
DEFAULT_D = 10
DEFAULT_NOISE = 0.5
DEFAULT_SEED = 0
LABELS = (-1.0, 1.0)
"""The class labels of a classification data set."""
BLOCK_ELEMENTS = 1 << 15
"""Size of the (rows, R) temporaries of a blockwise evaluation (256 KiB of float64)."""

Generator = Callable[[np.random.Generator, int, int, float], tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True)
class Dataset:
    """A validated design X (n, d), targets y (n,) and the parameters that made them."""

    X: np.ndarray
    y: np.ndarray
    params: dict[str, Any]


def dataset(
    what: str,
    generate: Generator | None,
    *,
    n: object,
    d: object,
    noise: object,
    seed: object,
    data: object,
    classes: tuple[float, ...] | None = None,
) -> Dataset:
    """The user's data set, or a synthetic one drawn by ``generate(rng, n, d, noise)``.

    ``n``, ``d``, ``noise`` and ``seed`` default to 1000, 10, 0.5 and 0 (``None`` means
    the default); with ``data`` they must be left unset, since the file fixes n and d.
    ``data`` is a path to a ``.npz``/``.csv`` file or a pair of arrays ``(X, y)``, whose
    targets must be ``classes`` if given (a synthetic set draws them so).
    """
    if data is not None:
        clash = [
            key
            for key, val in (("n", n), ("d", d), ("noise", noise), ("seed", seed))
            if val is not None
        ]
        if clash:
            given = {"n": n, "d": d, "noise": noise, "seed": seed}[clash[0]]
            raise validation.not_allowed(
                what,
                clash[0],
                given,
                "no value when 'data' is given (the data set fixes n and d); give either "
                "data or n, d, noise, seed",
            )
        if isinstance(data, tuple) and len(data) == 2:
            X, y = check_xy(*data, source=f"{what}: data arrays", classes=classes)
            label = f"<arrays X {X.shape}, y {y.shape}>"
        elif isinstance(data, str) or hasattr(data, "__fspath__"):
            X, y = load_xy(data, classes=classes)  # type: ignore[arg-type]
            label = str(data)
        else:
            raise validation.not_allowed(
                what, "data", data, "a path to a .npz or .csv file or a pair (X, y) of arrays"
            )
        limits.MAX_DENSE_DIMENSION.check(X.shape[1], what, "d", X.shape[1], "a dimension")
        return Dataset(X, y, {"data": label})
    n_ = validation.integer(
        what, "n", DEFAULT_N if n is None else n, minimum=1, integral_float=True
    )
    d_ = validation.integer(
        what, "d", DEFAULT_D if d is None else d, minimum=1, integral_float=True
    )
    noise_ = validation.real(what, "noise", DEFAULT_NOISE if noise is None else noise, at_least=0.0)
    seed_ = validation.integer(
        what, "seed", DEFAULT_SEED if seed is None else seed, minimum=0, integral_float=True
    )
    limits.MAX_DENSE_DIMENSION.check(d_, what, "d", d_, "a dimension")
    limits.MAX_DESIGN_ELEMENTS.check(n_ * d_, what, "n", n_, f"n x d = {n_} x {d_}")
    assert generate is not None, "synthetic data need a generator"
    X, y = generate(np.random.default_rng(seed_), n_, d_, noise_)
    X.flags.writeable = False
    y.flags.writeable = False
    return Dataset(X, y, {"n": n_, "d": d_, "noise": noise_, "seed": seed_})


def gaussian_regression(
    rng: np.random.Generator, n: int, d: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """x_i ~ N(0, I_d), y_i = x_i.w_true + noise * N(0, 1)."""
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d) / np.sqrt(d)
    return X, X @ w_true + noise * rng.standard_normal(n)


def gaussian_classification(
    rng: np.random.Generator, n: int, d: int, noise: float
) -> tuple[np.ndarray, np.ndarray]:
    """x_i ~ N(0, I_d), y_i = sign(x_i.w_true + noise * N(0, 1)) in {-1, +1} (sign 0 -> +1)."""
    X = rng.standard_normal((n, d))
    w_true = rng.standard_normal(d) / np.sqrt(d)
    score = X @ w_true + noise * rng.standard_normal(n)
    return X, np.where(score >= 0.0, 1.0, -1.0)


def row_blocks(n: int, R: int) -> Iterator[slice]:
    """Consecutive slices of range(n), each of about BLOCK_ELEMENTS / R rows."""
    step = max(16, BLOCK_ELEMENTS // max(R, 1))
    return (slice(start, min(start + step, n)) for start in range(0, n, step))


class LinearModel(Objective):
    """F(w) = (1/n) sum_i phi(x_i.w, y_i) + (reg/2)||w||^2 over the rows of X.

    Subclasses define the per-sample loss phi (``_loss``) and its derivative in t
    (``_dloss``; a subgradient where phi has a kink).
    """

    oracle = "finite-sum"
    X: np.ndarray
    y: np.ndarray
    reg: float

    def _set_data(self, data: Dataset, reg: float) -> None:
        self.X, self.y, self.reg = data.X, data.y, reg
        self.n, self.d = data.X.shape

    def _set_classification_data(self, what: str, lam: float, **data_keys: Any) -> float:
        """Check reg = ``lam`` > 0, build (x_i ~ N(0, I_d)) or load a data set labelled
        -1/+1, store it and the parameters; returns reg."""
        reg = validation.real(what, "lam", lam, above=0.0)
        data_set = dataset(what, gaussian_classification, classes=LABELS, **data_keys)
        self._set_data(data_set, reg)
        self.params = {**data_set.params, "lam": reg}
        return reg

    def _set_ball(self, what: str, radius: object) -> float | None:
        """Make the domain the ball ||w|| <= ``radius`` (projected SGD), if one is given.

        The ball must contain the unconstrained minimizer w* (computed before this call),
        which is then also the constrained one; the constrained optimum of a smaller ball
        is not computed. Returns the radius (None: unconstrained).
        """
        if radius is None:
            return None
        value = validation.real(what, "radius", radius, above=0.0)
        norm = float(np.linalg.norm(self.w_star))
        if norm > value:
            raise validation.not_allowed(
                what,
                "radius",
                radius,
                f"a ball ||w|| <= radius that contains the minimizer (||w*|| = {norm:.6g}); "
                f"ratecheck knows the optimum exactly only then: take radius >= {norm:.6g}",
            )
        self.domain = Ball(freeze(np.zeros(self.d)), value)
        self.params = {**self.params, "radius": value}
        return value

    @abstractmethod
    def _loss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """phi(t, y) elementwise."""

    @abstractmethod
    def _dloss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        """d phi / dt (or a subgradient) elementwise."""

    def row_mean(self, W: np.ndarray, terms: Callable[[slice], np.ndarray]) -> np.ndarray:
        """(1/n) sum_i terms(rows)[i] for each replicate; ``terms`` maps a slice of rows to
        their (rows, R) contributions and is called block by block."""
        total = np.zeros(W.shape[0])
        for rows in row_blocks(self.n, W.shape[0]):
            total += terms(rows).sum(axis=0)
        return total / self.n

    def value(self, W: np.ndarray) -> np.ndarray:
        def losses(rows: slice) -> np.ndarray:
            return self._loss(self.X[rows] @ W.T, self.y[rows, None])

        return self.row_mean(W, losses) + 0.5 * self.reg * np.einsum("rd,rd->r", W, W)

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """(1/b) sum_{i in batch} phi'(x_i.w) x_i + reg w, for index batches of shape (R, b)."""
        if batch is None:
            raise InputError(f"objective {self.name!r}: grad needs an index batch of shape (R, b)")
        Xb = self.X[batch]
        T = np.einsum("rbd,rd->rb", Xb, W)
        D = self._dloss(T, self.y[batch])
        return np.einsum("rbd,rb->rd", Xb, D) / batch.shape[1] + self.reg * W

    def full_grad(self, W: np.ndarray) -> np.ndarray:
        total = np.zeros_like(W, dtype=np.float64)
        for rows in row_blocks(self.n, W.shape[0]):
            X = self.X[rows]
            total += self._dloss(X @ W.T, self.y[rows, None]).T @ X
        return total / self.n + self.reg * W

    def sample_grads(self, w: np.ndarray) -> np.ndarray:
        """grad f_i(w) for every sample i at one point w; shape (n, d)."""
        D = self._dloss(self.X @ w, self.y)
        return D[:, None] * self.X + self.reg * w

    def kernel_data(self) -> dict[str, np.ndarray | float]:
        """X (n, d), y (n,), reg: the family's formula with these arrays."""
        return {"X": self.X, "y": self.y, "reg": self.reg}

    def _sigma2_star(self) -> float:
        """(1/n) sum_i ||grad f_i(w*)||^2, the gradient noise at the optimum."""
        grads = self.sample_grads(self.w_star)
        return float(np.einsum("nd,nd->", grads, grads) / self.n)


class SquaredLossModel(LinearModel):
    """phi(t, y) = (t - y)^2 / 2, so F(w) = (1/(2n)) ||Xw - y||^2 + (reg/2)||w||^2.

    Family ``"linear-ls"``. The Hessian is H = X^T X / n + reg I everywhere, and
    F(w) - F* = (1/2)(w - w*)^T H (w - w*) exactly, since grad F(w*) = 0. ``gap``
    evaluates it as (||Rx e||^2 / n + reg ||e||^2) / 2 with e = w - w* and X = Q Rx
    (a QR factorization): a sum of squares, free of cancellation.
    """

    family = "linear-ls"
    _Rx: np.ndarray

    def _set_data(self, data: Dataset, reg: float) -> None:
        super()._set_data(data, reg)
        self._Rx = np.linalg.qr(self.X, mode="r")

    def _loss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return 0.5 * (T - Y) ** 2

    def _dloss(self, T: np.ndarray, Y: np.ndarray) -> np.ndarray:
        return T - Y

    def hessian(self) -> np.ndarray:
        """H = X^T X / n + reg I."""
        return self.X.T @ self.X / self.n + self.reg * np.eye(self.d)

    def gap(self, W: np.ndarray) -> np.ndarray:
        E = W - self.w_star
        RE = E @ self._Rx.T
        return 0.5 * (
            np.einsum("rk,rk->r", RE, RE) / self.n + self.reg * np.einsum("rd,rd->r", E, E)
        )

    def _ball_gradient_bound(self, radius: float) -> float:
        """max_i ||x_i|| (|x_i.w* - y_i| + ||x_i|| radius) + reg (||w*|| + radius).

        It bounds ||grad f_i(w)|| = ||x_i (x_i.w - y_i) + reg w|| for every i and every
        w with ||w - w*|| <= radius (triangle inequality), hence also ||grad F(w)||.
        """
        norms = np.linalg.norm(self.X, axis=1)
        residual = np.abs(self.X @ self.w_star - self.y)
        data_part = np.max(norms * (residual + norms * radius))
        return float(data_part + self.reg * (np.linalg.norm(self.w_star) + radius))
