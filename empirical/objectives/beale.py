"""Beale's function, a classic non-convex 2-D test problem for trajectory pictures."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives.base import Objective

_SHIFTS = (1.5, 2.25, 2.625)


class Beale(Objective):
    """f(x, y) = sum_{j=1..3} (c_j - x + x y^j)^2 with c = (1.5, 2.25, 2.625).

    Family ``"beale"``, oracle ``"deterministic"``, d = 2, no keys. The global minimizer
    is (3, 0.5) with f* = 0 (every term vanishes there). Start w0 = (1, 1.5), from which
    gradient descent with step 0.01 reaches the minimizer; ``contour_box`` =
    (xmin, xmax, ymin, ymax) frames both for plots.

    Class: non-convex; differentiable, but its gradient is not globally Lipschitz, so
    not L-smooth in the sense of the theorems. Constant: ``R`` = ||w0 - w*||.
    Gap: f itself (f* = 0), a sum of squares.
    """

    name = "beale"
    family = "beale"
    oracle = "deterministic"
    n = None
    d = 2
    convex = False
    strongly_convex = False
    smooth = False
    contour_box = (-1.0, 4.5, -1.5, 2.5)

    def __init__(self) -> None:
        self.params = {}
        self.w_star = freeze([3.0, 0.5])
        self.w0 = freeze([1.0, 1.5])
        self.f_star = 0.0
        self.constants = frozen_constants({"R": float(np.linalg.norm(self.w0 - self.w_star))})

    def _terms(self, W: np.ndarray) -> tuple[np.ndarray, np.ndarray, list[np.ndarray]]:
        x, y = W[:, 0], W[:, 1]
        return x, y, [c - x + x * y ** (j + 1) for j, c in enumerate(_SHIFTS)]

    def value(self, W: np.ndarray) -> np.ndarray:
        return sum(t * t for t in self._terms(W)[2])

    def gap(self, W: np.ndarray) -> np.ndarray:
        return self.value(W)

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """(sum_j 2 t_j (y^j - 1), sum_j 2 t_j j x y^(j-1)); the batch is ignored."""
        x, y, terms = self._terms(W)
        gx = sum(2 * t * (y ** (j + 1) - 1) for j, t in enumerate(terms))
        gy = sum(2 * t * (j + 1) * x * y**j for j, t in enumerate(terms))
        return np.stack([gx, gy], axis=1)
