"""Validation of traces: checkpoints, gaps and theory curves as arrays.

Scalar parameters are checked with :mod:`theory.validation`; the array checks here reject
in its shape too, ``"<where>: <name> = <value> is not allowed; expected <what>"``, with
``where`` the library function called (``fit_rate``, ``check_upper``, ...).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

from theory import validation


def checked_k(k: ArrayLike, where: str) -> np.ndarray:
    """Checkpoints as float64: 1-D, integer-valued, >= 0, strictly increasing, at least 2.

    k = 0 (the start w_0) may be present; it is never fitted (kmin >= 1).
    """
    try:
        arr = np.asarray(k, dtype=float)
    except (TypeError, ValueError) as err:
        raise validation.not_allowed(where, "k", k, "a 1-D array of update counts") from err
    if arr.ndim != 1 or arr.size < 2:
        raise validation.not_allowed(where, "k", arr, "a 1-D array of at least 2 checkpoints")
    bad = ~np.isfinite(arr) | (arr < 0) | (arr != np.round(arr))
    if bad.any():
        i = int(np.argmax(bad))
        expected = (
            f"checkpoints that are integers >= 0 (k counts updates; k[{i}] = {float(arr[i])!r})"
        )
        raise validation.not_allowed(where, "k", arr, expected)
    steps = np.diff(arr) <= 0
    if steps.any():
        i = int(np.argmax(steps)) + 1
        expected = (
            f"strictly increasing checkpoints (k[{i}] = {float(arr[i])!r} follows "
            f"k[{i - 1}] = {float(arr[i - 1])!r})"
        )
        raise validation.not_allowed(where, "k", arr, expected)
    return arr


def checked_gaps(gaps: ArrayLike, n_checkpoints: int, where: str, name: str = "gaps") -> np.ndarray:
    """Gaps as a float64 (R, J) array with R >= 2 replicates and J == len(k)."""
    try:
        arr = np.asarray(gaps, dtype=float)
    except (TypeError, ValueError) as err:
        raise validation.not_allowed(where, name, gaps, "a numeric (R, J) array") from err
    if arr.ndim != 2 or arr.shape[1] != n_checkpoints:
        expected = f"an array of shape (R, {n_checkpoints}) (replicates x checkpoints)"
        raise validation.not_allowed(where, name, arr, expected)
    if arr.shape[0] < 2:
        expected = "R >= 2 replicates (rows; 10 recommended) for replicate-level inference"
        raise validation.not_allowed(where, name, arr, expected)
    return arr


def checked_curve(values: ArrayLike, n_checkpoints: int, where: str, name: str) -> np.ndarray:
    """A theory curve (J,) of finite positive values aligned with k."""
    expected = f"an array of shape ({n_checkpoints},) of finite values > 0"
    try:
        arr = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise validation.not_allowed(where, name, values, expected) from err
    if arr.shape != (n_checkpoints,) or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise validation.not_allowed(where, name, arr, expected)
    return arr
