"""Strict JSON for every document ratecheck prints: what ``--format json`` writes is JSON.

NaN and infinities are written as ``null`` (as in ``results.json``), numpy numbers and
arrays as Python numbers and lists, tuples as lists. The document is then encoded with
``allow_nan=False``: a value that escaped the conversion raises rather than printing a
``NaN`` or ``Infinity`` token, which strict JSON parsers (``jq``, browsers) refuse.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any

__all__ = ["dumps", "finite"]


def finite(value: Any) -> Any:
    """``value`` with every non-finite float as None, numpy values as Python ones."""
    if type(value).__module__ == "numpy" and hasattr(value, "tolist"):
        value = value.tolist()  # a numpy scalar or array: a Python number or (nested) list
    if isinstance(value, Mapping):
        return {str(key): finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [finite(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def dumps(document: Any, *, indent: int = 2) -> str:
    """``document`` as strict, indented JSON (see the module docstring)."""
    return json.dumps(finite(document), indent=indent, allow_nan=False)
