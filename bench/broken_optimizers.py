"""Deliberately broken optimizers for ``bench/power.py``, in ratecheck's user protocol.

Each factory returns an :class:`~empirical.optimizers.base.Optimizer` (not built in, so
the runner uses its numpy path) and is loaded as ``bench/broken_optimizers.py:NAME``.
With the step eta_k = 1/(lam k) on the noisy quadratic F(w) = (lam/2)||w - w*||^2
(curvature h = lam in every coordinate, gradient noise sigma^2 I per coordinate):

* ``scaled_sgd(scale)``: w_k = w_{k-1} - eta_k scale g_k, i.e. eta_k = c/(lam k) with
  c = scale. For c < 1/2, E gap ~ k^(-2c) (THEORY.md §10.2): k^-0.5 at scale = 0.25.
* ``biased_sgd(bias)``: w_k = w_{k-1} - eta_k (g_k + bias 1). The iterates converge to
  w* - bias/lam, so the gap stalls at d bias^2/(2 lam).
* ``flipped_momentum(beta, flip)``: heavy ball v_k = beta v_{k-1} + g_k,
  w_k = w_{k-1} - eta_k v_k with one sign flipped. ``flip="update"``:
  w_k = w_{k-1} + eta_k v_k (the velocity applied uphill; the iterates move away from
  w*). ``flip="carry"``: v_k = g_k - beta v_{k-1}; for slowly varying g, v_k ~ g_k/(1 + beta),
  so it is SGD with c = 1/(1 + beta) > 1/2: still order 1/k, with the constant
  c^2/(2c - 1) times the exact one (5.26 at beta = 0.9).
* ``early_average(power)``: SGD z_k = z_{k-1} - eta_k g(z_{k-1}), reporting the weighted
  average w_k = sum_{s<=k} s^-power z_s / sum_{s<=k} s^-power, whose weights favour the
  earliest iterates. With z_s - w* = -(1/(lam s)) sum_{j<=s} xi_j, for 1/2 < power < 1
  the noise of w_k has variance ~ k^-(2 - 2 power): E gap ~ k^-0.5 at power = 0.75.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empirical.optimizers.base import Optimizer
from theory.errors import InputError

FLIPS = ("update", "carry")


def _column(lr: float | np.ndarray) -> float | np.ndarray:
    """The step as a float, or per replicate as an (R, 1) column."""
    arr = np.asarray(lr, dtype=float)
    return float(arr) if arr.ndim == 0 else arr.reshape(-1, 1)


def _number(name: str, key: str, value: object, low: float, high: float) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low < value < high:
        raise InputError(
            f"optimizer {name}: {key}={value!r} is not allowed; need {low} < {key} < {high}"
        )
    return float(value)


class Empty(NamedTuple):
    """No state."""


class Velocity(NamedTuple):
    """The momentum buffer v (R, d)."""

    v: np.ndarray


class Averaged(NamedTuple):
    """The SGD iterate z (R, d), the update count k and the weight sum W_k = sum s^-power."""

    z: np.ndarray
    k: int
    weight: float


def scaled_sgd(scale: float = 0.25) -> Optimizer:
    """SGD whose gradient is multiplied by ``scale``: w_k = w_{k-1} - eta_k scale g_k."""
    scale = _number("scaled_sgd", "scale", scale, 0.0, np.inf)

    def update(grad, state, w, lr):
        return w - _column(lr) * scale * grad, state

    return Optimizer(lambda w0: Empty(), update, name="scaled_sgd", hyperparams={"scale": scale})


def biased_sgd(bias: float = 0.01) -> Optimizer:
    """SGD with a constant bias added to every gradient coordinate."""
    bias = _number("biased_sgd", "bias", bias, -np.inf, np.inf)

    def update(grad, state, w, lr):
        return w - _column(lr) * (grad + bias), state

    return Optimizer(lambda w0: Empty(), update, name="biased_sgd", hyperparams={"bias": bias})


def flipped_momentum(beta: float = 0.9, flip: str = "update") -> Optimizer:
    """Heavy ball with the sign of the velocity flipped in the ``update`` or the ``carry``."""
    beta = _number("flipped_momentum", "beta", beta, 0.0, 1.0)
    if flip not in FLIPS:
        raise InputError(
            f"optimizer flipped_momentum: flip={flip!r} is not allowed; allowed: {', '.join(FLIPS)}"
        )

    def init(w0):
        return Velocity(np.zeros_like(w0, dtype=float))

    def update(grad, state, w, lr):
        if flip == "update":
            v = beta * state.v + grad
            return w + _column(lr) * v, Velocity(v)
        v = grad - beta * state.v
        return w - _column(lr) * v, Velocity(v)

    return Optimizer(
        init, update, name="flipped_momentum", hyperparams={"beta": beta, "flip": flip}
    )


def early_average(power: float = 0.75) -> Optimizer:
    """SGD reporting the average of its iterates with weights s^-power (earliest heaviest).

    The gradient is taken at the SGD iterate z (``lookahead``); the reported iterate is the
    running average wbar_k = wbar_{k-1} + (k^-power / W_k)(z_k - wbar_{k-1}), wbar_1 = z_1.
    """
    power = _number("early_average", "power", power, 0.0, np.inf)

    def init(w0):
        return Averaged(np.array(w0, dtype=float), 0, 0.0)

    def lookahead(state, w):
        return state.z

    def update(grad, state, w, lr):
        z = state.z - _column(lr) * grad
        k = state.k + 1
        weight = state.weight + k**-power
        return w + (k**-power / weight) * (z - w), Averaged(z, k, weight)

    return Optimizer(init, update, lookahead, name="early_average", hyperparams={"power": power})
