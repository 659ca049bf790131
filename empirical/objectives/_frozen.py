"""Read-only copies, so that an objective's arrays and constants cannot drift after build."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import numpy as np


def freeze(array: object) -> np.ndarray:
    """A read-only float64 copy."""
    out = np.array(array, dtype=np.float64)
    out.flags.writeable = False
    return out


def frozen_constants(values: Mapping[str, float]) -> Mapping[str, float]:
    """Constants as a read-only mapping of Python floats."""
    return MappingProxyType({key: float(val) for key, val in values.items()})
