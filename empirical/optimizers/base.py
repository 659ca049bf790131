"""The optimizer protocol, as in optax: a pair of pure functions over (R, d) arrays.

``init(w0) -> state`` and ``update(grad, state, w, lr) -> (new_w, state)``, where
``w`` holds one row per replicate, ``grad`` is the stochastic gradient taken at
``lookahead(state, w)`` (the identity unless the method evaluates its gradient
elsewhere, as Sutskever-style Nesterov does) and ``lr`` is the step schedule's value
at this step. State is a small NamedTuple of arrays. :func:`checked_update` and
:func:`checked_point` state the contract on the results (the runner checks an optimizer's
first step with them: a wrong shape would broadcast, and a wrong structure fail obscurely).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from theory import validation
from theory.errors import InputError

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


def _described(value: object) -> str:
    """What a function returned, by type and shape (never its numbers)."""
    if isinstance(value, tuple | list):
        return f"a {type(value).__name__} of {len(value)} item{'s' if len(value) != 1 else ''}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    return "None" if value is None else f"an object of type {type(value).__name__}"


def _iterates(where: str, what: str, value: object, shape: tuple[int, ...]) -> np.ndarray:
    """``value`` as float64 iterates of ``shape``, if it is a real floating-point array of it."""
    expected = f"a real floating-point array of shape (R, d) = {shape}, the shape of w"
    try:
        array = np.asarray(value)
    except (TypeError, ValueError):  # a ragged list
        array = np.empty(0, dtype=object)
    if array.dtype == object:
        raise InputError(f"{where} returned {what} as {_described(value)}; expected {expected}")
    if array.dtype.kind != "f":
        raise InputError(f"{where} returned {what} of dtype {array.dtype}; expected {expected}")
    if array.shape != shape:
        raise InputError(f"{where} returned {what} of shape {array.shape}; expected {expected}")
    return np.asarray(array, dtype=np.float64)


def checked_update(name: str, result: object, shape: tuple[int, ...]) -> tuple[np.ndarray, Any]:
    """``update``'s ``result`` as ``(new_w, state)``, if it is a pair whose ``new_w`` is a real
    floating-point array of the iterates' ``shape`` (R, d); else an :class:`InputError`
    saying what the optimizer ``name`` returned and what update must return."""
    where = f"optimizer {name!r}: update"
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise InputError(
            f"{where} returned {_described(result)}; expected a pair (new_w, state): the new "
            f"iterates, an array of shape (R, d) = {shape} like w, and the optimizer's state"
        )
    new_w, state = result
    return _iterates(where, "new_w", new_w, shape), state


def checked_point(name: str, point: object, shape: tuple[int, ...]) -> np.ndarray:
    """``lookahead``'s gradient ``point``, if it is a real floating-point array of ``shape``."""
    return _iterates(f"optimizer {name!r}: lookahead", "a point", point, shape)


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
