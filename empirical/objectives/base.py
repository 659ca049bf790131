"""The objective protocol: a problem whose optimum is known exactly.

Index convention (shared with ``theory`` and :class:`empirical.Trace`): ``w_0`` is the
start, and ``w_k`` is the iterate after k updates (k oracle calls).

Every objective declares its problem class and its constants under the names of
``theory.symbols`` (``lam`` strong convexity, ``L`` smoothness, ``G`` gradient bound
on a stated ball, ``D`` diameter, ``R`` = ||w_0 - w*||, ``sigma`` noise level), so a
theorem can check its assumptions against it before a run.

The stochastic oracle comes in three kinds (``oracle``):

* ``"finite-sum"``: F(w) = (1/n) sum_i f_i(w) (+ regularizer). A batch is an int
  array of sample indices of shape (R, b); the batch gradient is the mean of the
  per-sample gradients plus the regularizer's gradient, counted once.
* ``"gaussian"``: a streaming oracle, grad F(w) + noise. A batch is an array of
  standard normals of shape (R, d); the objective scales it (a batch of b draws has
  the law of one draw scaled by 1/sqrt(b), which the objective applies).
* ``"deterministic"``: the exact gradient; the batch is ignored (pass ``None``).

``family`` names the formula (see each class) so the runner can pick its compiled
kernel; ``kernel_data`` hands that kernel the arrays it needs.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

import numpy as np

Oracle = Literal["finite-sum", "gaussian", "deterministic"]


@dataclass(frozen=True)
class Box:
    """The box lo <= w <= hi (elementwise); projection is clipping."""

    lo: np.ndarray
    hi: np.ndarray

    def project(self, W: np.ndarray) -> np.ndarray:
        """Euclidean projection of each row of ``W`` onto the box."""
        return np.clip(W, self.lo, self.hi)


@dataclass(frozen=True)
class Ball:
    """The Euclidean ball ||w - center|| <= radius."""

    center: np.ndarray
    radius: float

    def project(self, W: np.ndarray) -> np.ndarray:
        """Euclidean projection of each row of ``W`` onto the ball."""
        diff = W - self.center
        norm = np.sqrt(np.einsum("rd,rd->r", diff, diff))
        scale = np.minimum(1.0, self.radius / np.maximum(norm, np.finfo(float).tiny))
        return self.center + diff * scale[:, None]


class Objective(ABC):
    """A minimization problem with exact ``w_star`` and ``f_star``.

    Arrays of iterates have shape (R, d): one row per replicate.
    """

    name: str
    """Built-in name (``"ridge"``, ...) or a user-chosen label."""
    family: str
    """Formula family, the key of the runner's compiled kernels."""
    oracle: Oracle
    n: int | None
    """Number of samples of a finite sum; ``None`` for other oracles."""
    d: int
    strongly_convex: bool
    smooth: bool
    convex: bool = True
    constants: Mapping[str, float]
    """Problem constants by ``theory.symbols`` name: lam, L, G, D, R, sigma, ..."""
    w_star: np.ndarray
    f_star: float
    w0: np.ndarray
    """Default start, shape (d,)."""
    domain: Box | Ball | None = None
    """Projection set of projected SGD, or ``None`` for an unconstrained problem."""
    params: Mapping[str, object]
    """The keyword parameters the objective was built with (for configs and specs)."""

    @abstractmethod
    def value(self, W: np.ndarray) -> np.ndarray:
        """F(w) for each row of ``W``; shape (R,)."""

    @abstractmethod
    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """Stochastic (sub)gradient at each row of ``W`` on ``batch``; shape (R, d)."""

    def full_grad(self, W: np.ndarray) -> np.ndarray:
        """Exact (sub)gradient of F at each row of ``W``; shape (R, d)."""
        if self.oracle == "finite-sum":
            assert self.n is not None
            idx = np.broadcast_to(np.arange(self.n), (W.shape[0], self.n))
            return self.grad(W, idx)
        if self.oracle == "gaussian":
            return self.grad(W, np.zeros_like(W))
        return self.grad(W, None)

    def gap(self, W: np.ndarray) -> np.ndarray:
        """F(w) - F* for each row; subclasses avoid cancellation where they can."""
        return self.value(W) - self.f_star

    def dist2(self, W: np.ndarray) -> np.ndarray:
        """||w - w*||^2 for each row."""
        diff = W - self.w_star
        return np.einsum("rd,rd->r", diff, diff)

    def kernel_data(self) -> dict[str, np.ndarray | float]:
        """Arrays and scalars the compiled kernel of ``family`` needs (see each class)."""
        return {}

    def describe(self) -> dict[str, object]:
        """A JSON-ready description: name, class, constants, parameters."""
        return {
            "name": self.name,
            "family": self.family,
            "oracle": self.oracle,
            "n": self.n,
            "d": self.d,
            "strongly_convex": self.strongly_convex,
            "smooth": self.smooth,
            "convex": self.convex,
            "constants": {key: float(val) for key, val in self.constants.items()},
            "f_star": float(self.f_star),
            "params": dict(self.params),
        }
