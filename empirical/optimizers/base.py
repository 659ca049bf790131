"""The optimizer protocol, as in optax: a pair of pure functions over (R, d) arrays.

``init(w0) -> state`` and ``update(grad, state, w, lr) -> (new_w, state)``, where
``w`` holds one row per replicate, ``grad`` is the stochastic gradient taken at
``lookahead(state, w)`` (the identity unless the method evaluates its gradient
elsewhere, as Sutskever-style Nesterov does) and ``lr`` is the step schedule's value
at this step. State is a small NamedTuple of arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theory import validation

InitFn = Callable[[np.ndarray], Any]
UpdateFn = Callable[[np.ndarray, Any, np.ndarray, float], tuple[np.ndarray, Any]]
LookaheadFn = Callable[[Any, np.ndarray], np.ndarray]


def identity_lookahead(state: Any, w: np.ndarray) -> np.ndarray:
    """The gradient is taken at the current iterate."""
    return w


def lr_column(lr: float | np.ndarray) -> float | np.ndarray:
    """The step as a float, or per replicate as a column of shape (R, 1) that broadcasts over d."""
    arr = np.asarray(lr, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    if arr.ndim == 1:
        return arr[:, None]
    if arr.ndim == 2 and arr.shape[1] == 1:
        return arr
    expected = "a float or an array of shape (R,) or (R, 1)"
    raise validation.not_allowed("optimizer update", "lr", arr, expected)


@dataclass(frozen=True)
class Optimizer:
    """An optimizer: pure ``init``/``update`` functions plus what it is called.

    ``builtin`` is True only for ratecheck's own factories; the runner then may use
    its compiled kernel for (``name``, ``hyperparams``), which the tests check
    against ``update`` step by step. User optimizers always run ``update``.
    """

    init: InitFn
    update: UpdateFn
    lookahead: LookaheadFn = identity_lookahead
    name: str = "custom"
    hyperparams: Mapping[str, Any] = field(default_factory=dict)
    builtin: bool = False
