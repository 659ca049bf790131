"""Resilient backpropagation: per-coordinate steps driven by the sign of the gradient only.

Rprop (Riedmiller & Braun 1993, ICNN, "A direct adaptive method for faster
backpropagation learning: the RPROP algorithm") keeps a step size per coordinate and
moves each coordinate by its step against the sign of its derivative; the magnitude of
the derivative is discarded. This is the variant without weight backtracking that
``torch.optim.Rprop`` implements (iRprop-, Igel & Huesken 2000).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empirical.optimizers.base import Optimizer, lr_column
from theory import validation


class RpropState(NamedTuple):
    """Per-coordinate steps ``step`` (0 until the first update sets them to lr_1; after it
    they are >= step_min > 0) and the previous, masked gradient ``prev`` (shape (R, d))."""

    step: np.ndarray
    prev: np.ndarray


def rprop(
    *,
    eta_minus: float = 0.5,
    eta_plus: float = 1.2,
    step_min: float = 1e-6,
    step_max: float = 50.0,
) -> Optimizer:
    """Rprop (Riedmiller & Braun 1993): per-coordinate steps set by gradient signs only.

    PyTorch's convention: the first step size of every coordinate is lr_1 (the
    schedule's later values are not used), then per coordinate i::

        s_i = g_i prev_i
        step_i <- min(step_i eta_plus, step_max)   if s_i > 0
        step_i <- max(step_i eta_minus, step_min)  if s_i < 0, and g_i <- 0 (no move)
        w_i <- w_i - sign(g_i) step_i,  prev_i <- g_i

    with 0 < eta_minus < 1 < eta_plus and 0 < step_min <= step_max. Only signs enter, so
    on a separable objective scaling one coordinate's curvature leaves the iterates as
    they are: the dimensions are decoupled.
    """
    where = "optimizer 'rprop'"
    eta_minus = validation.real(where, "eta_minus", eta_minus, above=0.0, below=1.0)
    eta_plus = validation.real(where, "eta_plus", eta_plus, above=1.0)
    step_min = validation.real(where, "step_min", step_min, above=0.0)
    step_max = validation.real(where, "step_max", step_max, at_least=step_min)

    def init(w0: np.ndarray) -> RpropState:
        zeros = np.zeros_like(w0, dtype=float)
        return RpropState(step=zeros, prev=zeros)

    def update(
        grad: np.ndarray, state: RpropState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, RpropState]:
        step = np.where(state.step > 0, state.step, lr_column(lr))
        agree = grad * state.prev
        factor = np.where(agree > 0, eta_plus, np.where(agree < 0, eta_minus, 1.0))
        step = np.clip(step * factor, step_min, step_max)
        g = np.where(agree < 0, 0.0, grad)
        return w - np.sign(g) * step, RpropState(step=step, prev=g)

    hyper = {
        "eta_minus": eta_minus,
        "eta_plus": eta_plus,
        "step_min": step_min,
        "step_max": step_max,
    }
    return Optimizer(init, update, name="rprop", hyperparams=hyper, builtin=True)
