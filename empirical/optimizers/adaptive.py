"""Per-coordinate adaptive steps without a first moment: Adagrad, RMSprop, Adadelta.

All operations are elementwise; ``g^2`` is the elementwise square.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empirical.optimizers.base import Optimizer, lr_column
from theory import validation


class AdagradState(NamedTuple):
    """The running sum ``G`` of squared gradients (shape (R, d))."""

    G: np.ndarray


class RmspropState(NamedTuple):
    """The moving average ``v`` of squared gradients (shape (R, d))."""

    v: np.ndarray


class AdadeltaState(NamedTuple):
    """Moving averages of squared gradients ``s`` and of squared updates ``u`` (shape (R, d))."""

    s: np.ndarray
    u: np.ndarray


def adagrad(*, eps: float = 1e-10) -> Optimizer:
    """Diagonal Adagrad (Duchi, Hazan & Singer 2011, JMLR 12), PyTorch convention.

    With ``G_0 = 0``::

        G_k = G_{k-1} + g_k^2
        w_k = w_{k-1} - lr_k g_k / (sqrt(G_k) + eps)

    ``eps`` is added outside the square root, as in ``torch.optim.Adagrad`` (the paper's
    delta); there is no learning-rate decay and the accumulator starts at 0.
    """
    eps = validation.real("optimizer 'adagrad'", "eps", eps, above=0.0)

    def init(w0: np.ndarray) -> AdagradState:
        return AdagradState(G=np.zeros_like(w0, dtype=float))

    def update(
        grad: np.ndarray, state: AdagradState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, AdagradState]:
        G = state.G + grad * grad
        return w - lr_column(lr) * grad / (np.sqrt(G) + eps), AdagradState(G=G)

    return Optimizer(init, update, name="adagrad", hyperparams={"eps": eps}, builtin=True)


def rmsprop(*, beta2: float = 0.99, eps: float = 1e-8) -> Optimizer:
    """RMSprop (Tieleman & Hinton 2012, Coursera lecture 6.5), PyTorch convention.

    With ``v_0 = 0``::

        v_k = beta2 v_{k-1} + (1 - beta2) g_k^2
        w_k = w_{k-1} - lr_k g_k / (sqrt(v_k) + eps)

    ``eps`` is added outside the square root, as in ``torch.optim.RMSprop`` (whose
    ``alpha`` is ``beta2`` here; not centered, no momentum). This is Adam with
    ``beta1 = 0`` and no bias correction.
    """
    beta2 = validation.real("optimizer 'rmsprop'", "beta2", beta2, at_least=0.0, below=1.0)
    eps = validation.real("optimizer 'rmsprop'", "eps", eps, above=0.0)

    def init(w0: np.ndarray) -> RmspropState:
        return RmspropState(v=np.zeros_like(w0, dtype=float))

    def update(
        grad: np.ndarray, state: RmspropState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, RmspropState]:
        v = beta2 * state.v + (1.0 - beta2) * (grad * grad)
        return w - lr_column(lr) * grad / (np.sqrt(v) + eps), RmspropState(v=v)

    return Optimizer(
        init, update, name="rmsprop", hyperparams={"beta2": beta2, "eps": eps}, builtin=True
    )


def adadelta(*, rho: float = 0.9, eps: float = 1e-6) -> Optimizer:
    """Adadelta (Zeiler 2012, arXiv:1212.5701, Algorithm 1), PyTorch convention.

    With ``s_0 = u_0 = 0``::

        s_k = rho s_{k-1} + (1 - rho) g_k^2
        d_k = sqrt(u_{k-1} + eps) / sqrt(s_k + eps) * g_k
        u_k = rho u_{k-1} + (1 - rho) d_k^2
        w_k = w_{k-1} - lr_k d_k

    ``eps`` is inside both square roots (Zeiler's RMS). As in ``torch.optim.Adadelta``,
    ``lr`` multiplies the update but not the accumulated ``u``; Zeiler's method is
    ``lr = 1`` (PyTorch's default), i.e. a constant schedule of 1.
    """
    rho = validation.real("optimizer 'adadelta'", "rho", rho, at_least=0.0, below=1.0)
    eps = validation.real("optimizer 'adadelta'", "eps", eps, above=0.0)

    def init(w0: np.ndarray) -> AdadeltaState:
        zeros = np.zeros_like(w0, dtype=float)
        return AdadeltaState(s=zeros, u=zeros.copy())

    def update(
        grad: np.ndarray, state: AdadeltaState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, AdadeltaState]:
        s = rho * state.s + (1.0 - rho) * (grad * grad)
        d = np.sqrt(state.u + eps) / np.sqrt(s + eps) * grad
        u = rho * state.u + (1.0 - rho) * (d * d)
        return w - lr_column(lr) * d, AdadeltaState(s=s, u=u)

    return Optimizer(
        init, update, name="adadelta", hyperparams={"rho": rho, "eps": eps}, builtin=True
    )
