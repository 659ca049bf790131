"""Adam and its two variants from the literature: Adamax and AMSGrad.

All operations are elementwise; ``g^2`` is the elementwise square and k = 1, 2, ...
counts updates (the bias corrections use ``beta^k`` with k starting at 1).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empirical.optimizers.base import Optimizer, lr_column
from theory import validation


class AdamState(NamedTuple):
    """First and second moment estimates ``m``, ``v`` (shape (R, d)) and the update count."""

    m: np.ndarray
    v: np.ndarray
    count: int


class AdamaxState(NamedTuple):
    """First moment ``m``, infinity-norm estimate ``u`` (shape (R, d)) and the update count."""

    m: np.ndarray
    u: np.ndarray
    count: int


class AmsgradState(NamedTuple):
    """Moments ``m``, ``v``, the running maximum ``vhat`` (shape (R, d)) and the update count."""

    m: np.ndarray
    v: np.ndarray
    vhat: np.ndarray
    count: int


def _moments(
    grad: np.ndarray, m: np.ndarray, v: np.ndarray, beta1: float, beta2: float
) -> tuple[np.ndarray, np.ndarray]:
    return beta1 * m + (1.0 - beta1) * grad, beta2 * v + (1.0 - beta2) * (grad * grad)


def _step(
    m: np.ndarray, v: np.ndarray, k: int, lr: float | np.ndarray, hyper: dict[str, float | bool]
) -> np.ndarray:
    """``lr m/(sqrt(v) + eps)``, or bias-corrected ``(lr/c1) m/(sqrt(v)/sqrt(c2) + eps)``.

    ``c1 = 1 - beta1^k`` and ``c2 = 1 - beta2^k``.
    """
    lr = lr_column(lr)
    if not hyper["bias_correction"]:
        return lr * m / (np.sqrt(v) + hyper["eps"])
    c1, c2 = 1.0 - hyper["beta1"] ** k, 1.0 - hyper["beta2"] ** k
    return (lr / c1) * m / (np.sqrt(v) / np.sqrt(c2) + hyper["eps"])


def adam(
    *, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, bias_correction: bool = True
) -> Optimizer:
    """Adam (Kingma & Ba 2015, ICLR, Algorithm 1), as ``torch.optim.Adam``.

    With ``m_0 = v_0 = 0``::

        m_k = beta1 m_{k-1} + (1 - beta1) g_k
        v_k = beta2 v_{k-1} + (1 - beta2) g_k^2
        w_k = w_{k-1} - lr_k mhat_k / (sqrt(vhat_k) + eps)

    with ``mhat_k = m_k/(1 - beta1^k)`` and ``vhat_k = v_k/(1 - beta2^k)`` when
    ``bias_correction`` (evaluated as PyTorch does,
    ``(lr_k/(1 - beta1^k)) m_k / (sqrt(v_k)/sqrt(1 - beta2^k) + eps)``), and
    ``mhat_k = m_k``, ``vhat_k = v_k`` otherwise. ``eps`` is outside the square root.
    """
    beta1 = validation.real("optimizer 'adam'", "beta1", beta1, at_least=0.0, below=1.0)
    beta2 = validation.real("optimizer 'adam'", "beta2", beta2, at_least=0.0, below=1.0)
    eps = validation.real("optimizer 'adam'", "eps", eps, above=0.0)
    bias_correction = validation.flag("optimizer 'adam'", "bias_correction", bias_correction)
    hyper = {"beta1": beta1, "beta2": beta2, "eps": eps, "bias_correction": bias_correction}

    def init(w0: np.ndarray) -> AdamState:
        zeros = np.zeros_like(w0, dtype=float)
        return AdamState(m=zeros, v=zeros.copy(), count=0)

    def update(
        grad: np.ndarray, state: AdamState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, AdamState]:
        k = state.count + 1
        m, v = _moments(grad, state.m, state.v, beta1, beta2)
        return w - _step(m, v, k, lr, hyper), AdamState(m=m, v=v, count=k)

    return Optimizer(init, update, name="adam", hyperparams=dict(hyper), builtin=True)


def adamax(*, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8) -> Optimizer:
    """Adamax (Kingma & Ba 2015, ICLR, §7.1, Algorithm 2).

    With ``m_0 = u_0 = 0``::

        m_k = beta1 m_{k-1} + (1 - beta1) g_k
        u_k = max(beta2 u_{k-1}, |g_k|)
        w_k = w_{k-1} - (lr_k/(1 - beta1^k)) m_k / (u_k + eps)

    ``u_k`` is the paper's; ``eps`` guards the division. PyTorch and optax put it inside
    the maximum instead, ``u_k = max(beta2 u_{k-1}, |g_k| + eps)``, and divide by ``u_k``.
    """
    beta1 = validation.real("optimizer 'adamax'", "beta1", beta1, at_least=0.0, below=1.0)
    beta2 = validation.real("optimizer 'adamax'", "beta2", beta2, at_least=0.0, below=1.0)
    eps = validation.real("optimizer 'adamax'", "eps", eps, above=0.0)

    def init(w0: np.ndarray) -> AdamaxState:
        zeros = np.zeros_like(w0, dtype=float)
        return AdamaxState(m=zeros, u=zeros.copy(), count=0)

    def update(
        grad: np.ndarray, state: AdamaxState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, AdamaxState]:
        k = state.count + 1
        m = beta1 * state.m + (1.0 - beta1) * grad
        u = np.maximum(beta2 * state.u, np.abs(grad))
        step = (lr_column(lr) / (1.0 - beta1**k)) * m / (u + eps)
        return w - step, AdamaxState(m=m, u=u, count=k)

    hyper = {"beta1": beta1, "beta2": beta2, "eps": eps}
    return Optimizer(init, update, name="adamax", hyperparams=dict(hyper), builtin=True)


def amsgrad(
    *, beta1: float = 0.9, beta2: float = 0.999, eps: float = 1e-8, bias_correction: bool = False
) -> Optimizer:
    """AMSGrad (Reddi, Kale & Kumar 2018, ICLR, Algorithm 2, with constant beta1).

    With ``m_0 = v_0 = vhat_0 = 0``::

        m_k = beta1 m_{k-1} + (1 - beta1) g_k
        v_k = beta2 v_{k-1} + (1 - beta2) g_k^2
        vhat_k = max(vhat_{k-1}, v_k)
        w_k = w_{k-1} - lr_k m_k / (sqrt(vhat_k) + eps)

    The default ``bias_correction=False`` is the paper's algorithm (which has no bias
    correction; ``eps`` outside the square root is added as a guard). With
    ``bias_correction=True`` it is ``torch.optim.Adam(amsgrad=True)``: the maximum is
    still taken over the uncorrected ``v_k``, and
    ``w_k = w_{k-1} - (lr_k/(1 - beta1^k)) m_k / (sqrt(vhat_k)/sqrt(1 - beta2^k) + eps)``.
    """
    beta1 = validation.real("optimizer 'amsgrad'", "beta1", beta1, at_least=0.0, below=1.0)
    beta2 = validation.real("optimizer 'amsgrad'", "beta2", beta2, at_least=0.0, below=1.0)
    eps = validation.real("optimizer 'amsgrad'", "eps", eps, above=0.0)
    bias_correction = validation.flag("optimizer 'amsgrad'", "bias_correction", bias_correction)
    hyper = {"beta1": beta1, "beta2": beta2, "eps": eps, "bias_correction": bias_correction}

    def init(w0: np.ndarray) -> AmsgradState:
        zeros = np.zeros_like(w0, dtype=float)
        return AmsgradState(m=zeros, v=zeros.copy(), vhat=zeros.copy(), count=0)

    def update(
        grad: np.ndarray, state: AmsgradState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, AmsgradState]:
        k = state.count + 1
        m, v = _moments(grad, state.m, state.v, beta1, beta2)
        vhat = np.maximum(state.vhat, v)
        new_state = AmsgradState(m=m, v=v, vhat=vhat, count=k)
        return w - _step(m, vhat, k, lr, hyper), new_state

    return Optimizer(init, update, name="amsgrad", hyperparams=dict(hyper), builtin=True)
