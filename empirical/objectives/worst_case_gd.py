"""Drori and Teboulle's worst case for gradient descent: a 1-D Huber function (THEORY 5.1)."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives.base import Objective
from theory import validation


class WorstCaseGD(Objective):
    """f(x) = L tau |x| - L tau^2 / 2 for |x| >= tau, L x^2 / 2 otherwise; tau = R / (2N + 1).

    Family ``"huber"``, oracle ``"deterministic"``, d = 1. Keys (defaults): ``L`` (1.0),
    ``R`` (1.0), ``N`` (10, the horizon). x* = 0, f* = 0, start x0 = R.

    Gradient descent with step 1/L moves by exactly tau while |x| >= tau, so
    x_k = R - k tau for k <= 2N and f(x_N) - f* = L R^2 / (4N + 2): the tight worst case
    of GD on L-smooth convex functions (Drori & Teboulle 2014). f'(x) = L clip(x, -tau, tau).

    Class: convex and L-smooth, not strongly convex. Constants: ``L``, ``R`` = |x0 - x*|,
    ``G`` = L tau (|f'| <= L tau everywhere). Gap: f(x) itself (f* = 0).
    ``kernel_data``: L, R, tau.
    """

    name = "worst-case-gd"
    family = "huber"
    oracle = "deterministic"
    n = None
    d = 1
    strongly_convex = False
    smooth = True

    def __init__(self, L: float = 1.0, R: float = 1.0, N: int = 10) -> None:
        what = f"objective {self.name!r}"
        self.L = validation.real(what, "L", L, above=0.0)
        self.R = validation.real(what, "R", R, above=0.0)
        self.N = validation.integer(what, "N", N, minimum=1, integral_float=True)
        self.params = {"L": self.L, "R": self.R, "N": self.N}
        self.tau = self.R / (2 * self.N + 1)
        self.w_star = freeze([0.0])
        self.w0 = freeze([self.R])
        self.f_star = 0.0
        self.constants = frozen_constants({"L": self.L, "R": self.R, "G": self.L * self.tau})

    def worst_case_gap(self) -> float:
        """L R^2 / (4N + 2), the gap of GD with step 1/L after N steps."""
        return self.L * self.R**2 / (4 * self.N + 2)

    def value(self, W: np.ndarray) -> np.ndarray:
        x = np.abs(W[:, 0])
        L, tau = self.L, self.tau
        return np.where(x >= tau, L * tau * x - 0.5 * L * tau**2, 0.5 * L * x * x)

    def gap(self, W: np.ndarray) -> np.ndarray:
        return self.value(W)

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """L clip(x, -tau, tau); the batch is ignored."""
        return self.L * np.clip(W, -self.tau, self.tau)

    def kernel_data(self) -> dict[str, np.ndarray | float]:
        """L, R, tau: f'(x) = L clip(x, -tau, tau)."""
        return {"L": self.L, "R": self.R, "tau": self.tau}
