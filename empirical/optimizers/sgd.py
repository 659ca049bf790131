"""Plain (stochastic, minibatch or full-batch) gradient descent."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from empirical.optimizers.base import Optimizer, lr_column


class SgdState(NamedTuple):
    """SGD keeps no state."""


def sgd() -> Optimizer:
    """Stochastic gradient descent (Robbins & Monro 1951).

    ``w_k = w_{k-1} - lr_k g_k``, where ``g_k`` is the gradient oracle's answer at
    ``w_{k-1}``. With a batch of size b it is minibatch SGD, and with the full sample
    (or the deterministic oracle) it is gradient descent; the runner chooses the batch.
    """

    def init(w0: np.ndarray) -> SgdState:
        return SgdState()

    def update(
        grad: np.ndarray, state: SgdState, w: np.ndarray, lr: float | np.ndarray
    ) -> tuple[np.ndarray, SgdState]:
        return w - lr_column(lr) * grad, state

    return Optimizer(init, update, name="sgd", hyperparams={}, builtin=True)
