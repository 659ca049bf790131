"""A long narrow valley: an ill-conditioned quadratic rotated off the axes."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives.base import Objective
from theory import validation


class Valley(Objective):
    """f(w) = (1/2) (w - w*)^T A (w - w*), A = Q diag(lam, L) Q^T, Q the rotation by ``angle``.

    Family ``"valley"``, oracle ``"deterministic"``, d = 2. Keys (defaults): ``lam``
    (0.05, curvature along the valley floor), ``L`` (1.0, across it; L >= lam),
    ``angle`` (30, degrees between the floor and the x axis). w* = (0, 0), f* = 0.
    Start w0 = Q (-4, 1): far up the valley and on its wall, so gradient descent
    zig-zags across and creeps along; ``contour_box`` = (xmin, xmax, ymin, ymax) frames
    w0 and w* for plots.

    Class: lam-strongly convex and L-smooth. Constants: ``lam``, ``L``,
    ``R`` = ||w0 - w*|| = sqrt(17). Gap: f itself, (1/2) sum_i a_i ((Q^T e)_i)^2.
    """

    name = "valley"
    family = "valley"
    oracle = "deterministic"
    n = None
    d = 2
    strongly_convex = True
    smooth = True

    def __init__(self, lam: float = 0.05, L: float = 1.0, angle: float = 30.0) -> None:
        what = f"objective {self.name!r}"
        lam_ = validation.real(what, "lam", lam, above=0.0)
        L_ = validation.real(what, "L", L, at_least=lam_)
        angle_ = validation.real(what, "angle", angle)
        self.params = {"lam": lam_, "L": L_, "angle": angle_}
        theta = np.deg2rad(angle_)
        self.rotation = freeze([[np.cos(theta), -np.sin(theta)], [np.sin(theta), np.cos(theta)]])
        self.curvatures = freeze([lam_, L_])
        self.w_star = freeze([0.0, 0.0])
        self.w0 = freeze(self.rotation @ np.array([-4.0, 1.0]))
        self.f_star = 0.0
        half = float(np.max(np.abs(self.w0))) + 1.0
        self.contour_box = (-half, half, -half, half)
        self.constants = frozen_constants(
            {"lam": lam_, "L": L_, "R": float(np.linalg.norm(self.w0 - self.w_star))}
        )

    def value(self, W: np.ndarray) -> np.ndarray:
        U = (W - self.w_star) @ self.rotation
        return 0.5 * (U * U) @ self.curvatures

    def gap(self, W: np.ndarray) -> np.ndarray:
        return self.value(W)

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """A (w - w*); the batch is ignored."""
        U = (W - self.w_star) @ self.rotation
        return (U * self.curvatures) @ self.rotation.T
