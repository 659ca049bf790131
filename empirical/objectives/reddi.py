"""Reddi, Kale and Kumar's counterexample to Adam's convergence (THEORY 8.3)."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives.base import Box, Objective
from theory import validation
from theory.errors import InputError


class Reddi(Objective):
    """f_0(x) = C x, f_1(x) = f_2(x) = -x on the box [-1, 1]; F = (C - 2) x / 3.

    Family ``"reddi"``, oracle ``"finite-sum"`` with n = 3, meant for cyclic sampling
    (samples 0, 1, 2, 0, ... replay the online sequence C, -1, -1 of Reddi et al. 2018,
    Thm 1). Key (default): ``C`` (3.0, must be > 2). Domain: the box [-1, 1], so
    projected methods clip. x* = -1, f* = -(C - 2)/3, start x0 = 0.

    Class: convex (linear), not strongly convex. It is smooth with L = 0, which is not
    a positive constant, so ``L`` is not listed. Constants: ``G`` = C (the largest
    |f_i'|), ``D`` = 2 (the box's diameter), ``R`` = |x0 - x*| = 1.
    Gap: (C - 2)(x + 1)/3, without cancellation. ``kernel_data``: C.
    """

    name = "reddi"
    family = "reddi"
    oracle = "finite-sum"
    n = 3
    d = 1
    strongly_convex = False
    smooth = True

    def __init__(self, C: float = 3.0) -> None:
        what = f"objective {self.name!r}"
        self.C = validation.real(what, "C", C, above=2.0)
        self.params = {"C": self.C}
        self._slopes = freeze([self.C, -1.0, -1.0])
        self._mean_slope = (self.C - 2.0) / 3.0
        self.domain = Box(freeze([-1.0]), freeze([1.0]))
        self.w_star = freeze([-1.0])
        self.w0 = freeze([0.0])
        self.f_star = -self._mean_slope
        self.constants = frozen_constants({"G": self.C, "D": 2.0, "R": 1.0})

    def value(self, W: np.ndarray) -> np.ndarray:
        return self._mean_slope * W[:, 0]

    def gap(self, W: np.ndarray) -> np.ndarray:
        return self._mean_slope * (W[:, 0] + 1.0)

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """Mean of the slopes (C, -1, -1)[i] over the index batch (R, b)."""
        if batch is None:
            raise InputError(f"objective {self.name!r}: grad needs an index batch of shape (R, b)")
        return self._slopes[batch].mean(axis=1, keepdims=True)

    def kernel_data(self) -> dict[str, np.ndarray | float]:
        """C: f_0' = C, f_1' = f_2' = -1."""
        return {"C": self.C}
