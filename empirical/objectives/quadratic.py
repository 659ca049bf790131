"""The noisy quadratic: exact gradient plus Gaussian noise, THEORY.md section 10's model."""

from __future__ import annotations

import numpy as np

from empirical.objectives._frozen import freeze, frozen_constants
from empirical.objectives.base import Objective
from theory import limits, validation


class NoisyQuadratic(Objective):
    """F(w) = (1/2) sum_i h_i (w_i - w*_i)^2 with a streaming Gaussian oracle.

    Family ``"quadratic"``, oracle ``"gaussian"``. The stochastic gradient is
    g = h * (w - w*) + sigma * batch, where the runner passes ``batch`` = z / sqrt(b),
    z ~ N(0, I_d): the batch arrives already scaled, so a batch of b draws has noise
    covariance (sigma^2 / b) I. ``full_grad`` (batch = 0) is the exact gradient.

    Keys (defaults): ``d`` (1), ``lam`` (1.0, the smallest curvature), ``L`` (= lam, the
    largest), ``sigma`` (1.0, the noise standard deviation per coordinate), ``r0`` (1.0,
    the start's distance ||w0 - w*||), ``seed`` (0). The curvatures are geometric,
    h_i = lam (L / lam)^(i / (d - 1)), i = 0..d-1 (d = 1 needs L = lam). From ``seed``:
    w* ~ N(0, I_d) and w0 = w* + r0 u with u uniform on the unit sphere.

    Class: lam-strongly convex and L-smooth. Constants: ``lam``, ``L``, ``sigma`` =
    sigma_key sqrt(d), so that E||g - grad F(w)||^2 = sigma^2 / b (the sigma^2 of the
    theorems; equal to the key for d = 1), ``R`` = r0, and ``G`` = sqrt(L^2 R^2 +
    sigma^2), which bounds E||g||^2 = ||h * (w - w*)||^2 + sigma^2 / b for b >= 1 over
    the ball B(w*, R) of radius ``G_radius`` = R. Gap: F(w) itself (F* = 0), a sum of
    squares. ``kernel_data``: h, w_star, sigma (the per-coordinate key value).
    """

    name = "quadratic"
    family = "quadratic"
    oracle = "gaussian"
    n = None
    strongly_convex = True
    smooth = True

    def __init__(
        self,
        d: int = 1,
        lam: float = 1.0,
        L: float | None = None,
        sigma: float = 1.0,
        r0: float = 1.0,
        seed: int = 0,
    ) -> None:
        what = f"objective {self.name!r}"
        self.d = validation.integer(what, "d", d, minimum=1, integral_float=True)
        limits.MAX_DIMENSION.check(self.d, what, "d", d, "a dimension")
        lam_ = validation.real(what, "lam", lam, above=0.0)
        L_ = lam_ if L is None else validation.real(what, "L", L, at_least=lam_)
        if self.d == 1 and lam_ != L_:
            raise validation.not_allowed(
                what, "L", L, f"L = lam = {lam_:g} when d = 1 (one curvature)"
            )
        self.sigma = validation.real(what, "sigma", sigma, at_least=0.0)
        r0_ = validation.real(what, "r0", r0, at_least=0.0)
        seed_ = validation.integer(what, "seed", seed, minimum=0, integral_float=True)
        self.params = {
            "d": self.d,
            "lam": lam_,
            "L": L_,
            "sigma": self.sigma,
            "r0": r0_,
            "seed": seed_,
        }
        exponents = np.arange(self.d) / max(self.d - 1, 1)
        self.h = freeze(lam_ * (L_ / lam_) ** exponents)
        rng = np.random.default_rng(seed_)
        self.w_star = freeze(rng.standard_normal(self.d))
        direction = rng.standard_normal(self.d)
        self.w0 = freeze(self.w_star + r0_ * direction / np.linalg.norm(direction))
        self.f_star = 0.0
        sigma_total = self.sigma * np.sqrt(self.d)
        self.constants = frozen_constants(
            {
                "lam": lam_,
                "L": L_,
                "sigma": sigma_total,
                "R": r0_,
                "G": float(np.sqrt((L_ * r0_) ** 2 + sigma_total**2)),
                "G_radius": r0_,
            }
        )

    def value(self, W: np.ndarray) -> np.ndarray:
        E = W - self.w_star
        return 0.5 * (E * E) @ self.h

    def gap(self, W: np.ndarray) -> np.ndarray:
        return self.value(W)

    def grad(self, W: np.ndarray, batch: np.ndarray | None) -> np.ndarray:
        """h * (w - w*) + sigma * batch, with batch = z / sqrt(b) already scaled (R, d)."""
        exact = self.h * (W - self.w_star)
        return exact if batch is None else exact + self.sigma * batch

    def kernel_data(self) -> dict[str, np.ndarray | float]:
        """h (d,), w_star (d,), sigma (per coordinate): g = h * (w - w*) + sigma * batch."""
        return {"h": self.h, "w_star": self.w_star, "sigma": self.sigma}
