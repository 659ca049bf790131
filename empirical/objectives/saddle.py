"""A strict saddle between two minima: f(x, y) = x^2/2 + y^4/4 - y^2/2."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives.base import Objective


class Saddle(Objective):
    """f(x, y) = x^2 / 2 + y^4 / 4 - y^2 / 2: a saddle at (0, 0), minima at (0, +-1).

    Family ``"saddle"``, oracle ``"deterministic"``, d = 2, no keys. f* = -1/4 at both
    minimizers; ``w_star`` = (0, 1), the one the default start w0 = (1.5, 0.01) leads to:
    that start lies close to the saddle's stable manifold (y = 0), so gradient descent
    first heads for the saddle and then escapes. ``contour_box`` = (xmin, xmax, ymin,
    ymax) frames the saddle and both minima for plots.

    Class: non-convex; differentiable, but the quartic's gradient is not globally
    Lipschitz, so not L-smooth in the sense of the theorems. Constant: ``R``, the
    distance from w0 to the nearest minimizer.
    Gap: f + 1/4 = x^2 / 2 + (y^2 - 1)^2 / 4, without cancellation. ``dist2`` is the
    squared distance to the nearest minimizer, x^2 + (|y| - 1)^2.
    """

    name = "saddle"
    family = "saddle"
    oracle = "deterministic"
    n = None
    d = 2
    convex = False
    strongly_convex = False
    smooth = False
    contour_box = (-2.0, 2.0, -1.6, 1.6)

    def __init__(self) -> None:
        self.params = {}
        self.w_star = freeze([0.0, 1.0])
        self.w0 = freeze([1.5, 0.01])
        self.f_star = -0.25
        self.constants = frozen_constants({"R": float(np.sqrt(self.dist2(self.w0[None, :])[0]))})

    def value(self, W: np.ndarray) -> np.ndarray:
        x, y = W[:, 0], W[:, 1]
        return 0.5 * x * x + 0.25 * y**4 - 0.5 * y * y

    def gap(self, W: np.ndarray) -> np.ndarray:
        x, y = W[:, 0], W[:, 1]
        return 0.5 * x * x + 0.25 * ((y - 1.0) * (y + 1.0)) ** 2

    def dist2(self, W: np.ndarray) -> np.ndarray:
        x, y = W[:, 0], W[:, 1]
        return x * x + (np.abs(y) - 1.0) ** 2

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """(x, y^3 - y); the batch is ignored."""
        x, y = W[:, 0], W[:, 1]
        return np.stack([x, y**3 - y], axis=1)
