"""Up-front validation of optimizer hyper-parameters, and the step size's broadcast shape."""

from __future__ import annotations

import math
from numbers import Real
from typing import Any

import numpy as np

from theory.errors import InputError


def _real(opt: str, key: str, value: Any) -> float:
    if isinstance(value, bool | np.bool_) or not isinstance(value, Real):
        raise InputError(f"optimizer {opt}: {key}={value!r} is not a number")
    value = float(value)
    if not math.isfinite(value):
        raise InputError(f"optimizer {opt}: {key}={value!r} is not finite")
    return value


def decay(opt: str, key: str, value: Any) -> float:
    """A decay factor: a number with 0 <= value < 1."""
    value = _real(opt, key, value)
    if not 0.0 <= value < 1.0:
        raise InputError(f"optimizer {opt}: {key}={value!r} is not allowed; need 0 <= {key} < 1")
    return value


def positive(opt: str, key: str, value: Any) -> float:
    """A finite number > 0 (the epsilons)."""
    value = _real(opt, key, value)
    if not value > 0.0:
        raise InputError(f"optimizer {opt}: {key}={value!r} is not allowed; need {key} > 0")
    return value


def flag(opt: str, key: str, value: Any) -> bool:
    """A boolean (``true``/``false`` in a spec)."""
    if not isinstance(value, bool | np.bool_):
        raise InputError(f"optimizer {opt}: {key}={value!r} is not allowed; need true or false")
    return bool(value)


def choice(opt: str, key: str, value: Any, allowed: tuple[str, ...]) -> str:
    """One of the strings ``allowed``."""
    if value not in allowed:
        raise InputError(
            f"optimizer {opt}: {key}={value!r} is not allowed; allowed: {', '.join(allowed)}"
        )
    return str(value)


def lr_column(lr: float | np.ndarray) -> float | np.ndarray:
    """The step as a float, or per replicate as a column of shape (R, 1) that broadcasts over d."""
    arr = np.asarray(lr, dtype=float)
    if arr.ndim == 0:
        return float(arr)
    if arr.ndim == 1:
        return arr[:, None]
    if arr.ndim == 2 and arr.shape[1] == 1:
        return arr
    raise InputError(f"lr: expected a float or an array of shape (R,) or (R, 1), got {arr.shape}")
