"""Validation of traces and parameters, with messages that name the input and what is allowed."""

from __future__ import annotations

import math
from numbers import Real

import numpy as np
from numpy.typing import ArrayLike

from theory.errors import InputError, UnknownNameError


def is_real(value: object) -> bool:
    """A real number (numpy scalars included), not a bool."""
    return isinstance(value, Real) and not isinstance(value, bool)


def checked_k(k: ArrayLike) -> np.ndarray:
    """Checkpoints as float64: 1-D, integer-valued, >= 0, strictly increasing, at least 2.

    k = 0 (the start w_0) may be present; it is never fitted (kmin >= 1).
    """
    try:
        arr = np.asarray(k, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(f"k: expected a 1-D array of update counts, got {k!r}") from err
    if arr.ndim != 1 or arr.size < 2:
        raise InputError(
            f"k: expected a 1-D array of at least 2 checkpoints, got shape {arr.shape}"
        )
    if not np.all(np.isfinite(arr)) or np.any(arr < 0) or np.any(arr != np.round(arr)):
        raise InputError("k: checkpoints must be integers >= 0 (k counts updates)")
    if np.any(np.diff(arr) <= 0):
        raise InputError("k: checkpoints must be strictly increasing")
    return arr


def checked_gaps(gaps: ArrayLike, n_checkpoints: int, what: str = "gaps") -> np.ndarray:
    """Gaps as a float64 (R, J) array with R >= 2 replicates and J == len(k)."""
    try:
        arr = np.asarray(gaps, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(f"{what}: expected a numeric (R, J) array") from err
    if arr.ndim != 2 or arr.shape[1] != n_checkpoints:
        raise InputError(
            f"{what}: expected shape (R, {n_checkpoints}) (replicates x checkpoints), "
            f"got {arr.shape}"
        )
    if arr.shape[0] < 2:
        raise InputError(
            f"{what}: replicate-level inference needs R >= 2 replicates (10 recommended), "
            f"got R = {arr.shape[0]}"
        )
    return arr


def checked_curve(values: ArrayLike, n_checkpoints: int, what: str) -> np.ndarray:
    """A theory curve (J,) of finite positive values aligned with k."""
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise InputError(f"{what}: expected a numeric array of shape ({n_checkpoints},)") from err
    if arr.shape != (n_checkpoints,):
        raise InputError(f"{what}: expected shape ({n_checkpoints},), got {arr.shape}")
    if not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InputError(f"{what}: values must be finite and > 0")
    return arr


def checked_fraction(name: str, value: float, high: float = 0.5) -> float:
    """A probability in the open interval (0, high)."""
    if not is_real(value) or not 0 < value < high:
        raise InputError(f"{name}: expected a number in (0, {high}), got {value!r}")
    return float(value)


def checked_nonnegative(name: str, value: float) -> float:
    """A finite number >= 0."""
    if not is_real(value) or not math.isfinite(value) or value < 0:
        raise InputError(f"{name}: expected a finite number >= 0, got {value!r}")
    return float(value)


def checked_finite(name: str, value: float) -> float:
    """A finite number."""
    if not is_real(value) or not math.isfinite(value):
        raise InputError(f"{name}: expected a finite number, got {value!r}")
    return float(value)


def checked_kmin(kmin: float) -> float:
    """The smallest checkpoint used, >= 1."""
    if not is_real(kmin) or not math.isfinite(kmin) or kmin < 1:
        raise InputError(f"kmin: expected a number >= 1, got {kmin!r}")
    return float(kmin)


def checked_choice(name: str, value: str, allowed: tuple[str, ...]) -> str:
    """One of a fixed set of names."""
    if value not in allowed:
        raise UnknownNameError(f"{name}: unknown value {value!r}; allowed: {', '.join(allowed)}")
    return value
