"""A 1-D strongly convex problem whose optimum sits on the boundary (THEORY.md §2.4, §14 case 6).

The instance on which the uniform average of SGD with eta_k = 1/(lam k) is Theta(log k / k)
while suffix and polynomial-decay averages (and the last iterate) are O(1/k).
"""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives._linear import Dataset, SquaredLossModel
from empirical.objectives.base import Box
from theory import validation


class BoundaryOptimum(SquaredLossModel):
    """F(w) = w + w^2/2 + (1 + s^2)/2 on [0, 1], the mean of f_+-(w) = (w - y_+-)^2 / 2.

    The two samples' targets are y_+- = -1 -+ s.
    Family ``"linear-ls"`` (x_1 = x_2 = 1, y = (-1 - s, -1 + s), reg = 0), oracle
    ``"finite-sum"`` with n = 2, d = 1, domain the box [0, 1]. Sample i's gradient is
    w - y_i = 1 + w +- s, so with ``sampling="replacement"`` the oracle is
    g = F'(w) + xi with xi = +-s equally likely: THEORY's case 6 for s = 4. (With
    ``"shuffle"`` the two signs alternate within each epoch of two updates, and the
    noise nearly cancels; use replacement.)

    Keys (defaults): ``s`` (4.0, the noise half-range, >= 0), ``w0`` (1.0, the start, in
    [0, 1]). w* = 0 (the box's edge, where F'(w*) = 1 != 0, so F - F* grows linearly in
    |w - w*|: F is smooth but not smooth at the optimum in the sense of SM*), and
    f* = (1 + s^2)/2.

    Class: 1-strongly convex and 1-smooth. Constants: ``lam`` = 1, ``L`` = 1, ``D`` = 1,
    ``R`` = w0, ``G`` = sqrt(4 + s^2) (E g^2 = (1 + w)^2 + s^2 <= 4 + s^2 on [0, 1]),
    ``sigma2_star`` = ((1 + s)^2 + (1 - s)^2)/2 = 1 + s^2. Gap: w + w^2/2, without
    cancellation; distance: w^2.
    """

    name = "boundary"
    strongly_convex = True
    smooth = True

    def __init__(self, s: float = 4.0, w0: float = 1.0) -> None:
        what = f"objective {self.name!r}"
        self.s = validation.real(what, "s", s, at_least=0.0)
        start = validation.real(what, "w0", w0, at_least=0.0, at_most=1.0)
        X = freeze([[1.0], [1.0]])
        y = freeze([-1.0 - self.s, -1.0 + self.s])
        self._set_data(Dataset(X, y, {}), 0.0)
        self.params = {"s": self.s, "w0": start}
        self.domain = Box(freeze([0.0]), freeze([1.0]))
        self.w_star = freeze([0.0])
        self.w0 = freeze([start])
        self.f_star = 0.5 * (1.0 + self.s**2)
        self.constants = frozen_constants(
            {
                "lam": 1.0,
                "L": 1.0,
                "D": 1.0,
                "R": start,
                "G": float(np.sqrt(4.0 + self.s**2)),
                "sigma2_star": 1.0 + self.s**2,
            }
        )

    def gap(self, W: np.ndarray) -> np.ndarray:
        w = W[:, 0]
        return w + 0.5 * w * w
