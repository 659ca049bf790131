"""Momentum methods: Polyak's heavy ball and Nesterov's accelerated gradient."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empirical.optimizers.base import Optimizer, identity_lookahead, lr_column
from theory import validation
from theory.errors import InputError

NESTEROV_CONVENTIONS = ("pytorch", "sutskever")


class MomentumState(NamedTuple):
    """The velocity buffer ``v`` (shape (R, d))."""

    v: np.ndarray


class NesterovState(NamedTuple):
    """The velocity ``v`` (shape (R, d)) and the number of updates done so far."""

    v: np.ndarray
    count: int


def momentum(*, beta: float = 0.9) -> Optimizer:
    """Heavy-ball momentum (Polyak 1964), in the PyTorch convention (``SGD(momentum=beta)``).

    With ``v_0 = 0``, for k = 1, 2, ...::

        v_k = beta v_{k-1} + g_k
        w_k = w_{k-1} - lr_k v_k

    For a constant step lr this is Polyak's two-step form
    ``w_k = w_{k-1} - lr g_k + beta (w_{k-1} - w_{k-2})`` with ``w_{-1} = w_0``, since
    ``w_{k-1} - w_{k-2} = -lr v_{k-1}``. With a varying step the two forms differ (PyTorch's
    scales the whole velocity by the current step). ``beta = 0`` is SGD.
    """
    beta = validation.real("optimizer 'momentum'", "beta", beta, at_least=0.0, below=1.0)

    def init(w0: np.ndarray) -> MomentumState:
        return MomentumState(v=np.zeros_like(w0, dtype=float))

    def update(
        grad: np.ndarray, state: MomentumState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, MomentumState]:
        v = beta * state.v + grad
        return w - lr_column(lr) * v, MomentumState(v=v)

    return Optimizer(init, update, name="momentum", hyperparams={"beta": beta}, builtin=True)


def nesterov(*, beta: float | str = 0.9, convention: str = "pytorch") -> Optimizer:
    """Nesterov's accelerated gradient (Nesterov 1983; Sutskever et al. 2013, ICML, eq. 3-4).

    ``beta`` is a number in [0, 1) or ``"auto"``, which uses at update k the
    Nesterov/FISTA-type ``beta_k = (k - 1)/(k + 2)`` (so ``beta_1 = 0``). ``v_0 = 0``.

    ``convention="pytorch"`` (``torch.optim.SGD(momentum=beta, nesterov=True)``); the
    gradient ``g_k`` is taken at the iterate ``w_{k-1}``::

        v_k = beta_k v_{k-1} + g_k
        w_k = w_{k-1} - lr_k (g_k + beta_k v_k)

    ``convention="sutskever"``; the gradient is taken at the look-ahead point
    ``lookahead(state, w_{k-1}) = w_{k-1} + beta_k v_{k-1}`` and::

        v_k = beta_k v_{k-1} - lr_k g_k
        w_k = w_{k-1} + v_k

    With ``beta="auto"`` the Sutskever form is exactly the accelerated method of Beck &
    Teboulle's ``2 L R^2/(k+1)^2`` bound (THEORY.md §7.1) with its simple momentum choice:
    ``y_k = x_k + ((k-1)/(k+2)) (x_k - x_{k-1})``, ``x_{k+1} = y_k - lr grad f(y_k)``, where
    ``x_{k+1} = w_k`` (the paper's start ``x_1`` is our ``w_0``) and ``y_k`` is the look-ahead
    point of update k. For a constant lr and constant beta the PyTorch iterates are the
    Sutskever look-ahead points: ``w_k^pytorch = w_k^sutskever + beta v_k^sutskever``.
    """
    where = "optimizer 'nesterov'"
    expected = f"'auto' or {validation.real_rule(at_least=0.0, below=1.0)}"
    if isinstance(beta, str):
        beta = validation.choice(where, "beta", beta, ("auto",), expected=expected)
    else:
        try:
            beta = validation.real(where, "beta", beta, at_least=0.0, below=1.0)
        except InputError:  # say that 'auto' is allowed too
            raise validation.not_allowed(where, "beta", beta, expected) from None
    convention = validation.choice(where, "convention", convention, NESTEROV_CONVENTIONS)

    def beta_at(k: int) -> float:
        return (k - 1) / (k + 2) if beta == "auto" else beta

    def init(w0: np.ndarray) -> NesterovState:
        return NesterovState(v=np.zeros_like(w0, dtype=float), count=0)

    if convention == "pytorch":

        def update(
            grad: np.ndarray, state: NesterovState, w: np.ndarray, lr: float | np.ndarray
        ) -> tuple[np.ndarray, NesterovState]:
            k = state.count + 1
            b = beta_at(k)
            v = b * state.v + grad
            return w - lr_column(lr) * (grad + b * v), NesterovState(v=v, count=k)

        lookahead = identity_lookahead
    else:

        def update(
            grad: np.ndarray, state: NesterovState, w: np.ndarray, lr: float | np.ndarray
        ) -> tuple[np.ndarray, NesterovState]:
            k = state.count + 1
            v = beta_at(k) * state.v - lr_column(lr) * grad
            return w + v, NesterovState(v=v, count=k)

        def lookahead(state: NesterovState, w: np.ndarray) -> np.ndarray:
            return w + beta_at(state.count + 1) * state.v

    return Optimizer(
        init,
        update,
        lookahead,
        name="nesterov",
        hyperparams={"beta": beta, "convention": convention},
        builtin=True,
    )
