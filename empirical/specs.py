"""Short specs for the command line and suite files: ``name:key=val,key=val``.

``split_spec("ridge:n=1000,lam=0.01")`` gives ``("ridge", {"n": 1000, "lam": 0.01})``.
Values are coerced to int, float or bool where they read as one, else kept as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from theory.errors import InputError, UnknownNameError


def coerce(text: str) -> Any:
    """``"3"`` -> 3, ``"1e-2"`` -> 0.01, ``"true"`` -> True; anything else stays text."""
    low = text.strip().lower()
    if low in ("true", "yes"):
        return True
    if low in ("false", "no"):
        return False
    try:
        return int(low)
    except ValueError:
        pass
    try:
        return float(low)
    except ValueError:
        return text.strip()


def split_spec(spec: str, what: str = "spec") -> tuple[str, dict[str, Any]]:
    """Split ``name:key=val,...`` into the name and a dict of coerced values."""
    if not isinstance(spec, str) or not spec.strip():
        raise InputError(f"{what}: expected 'NAME[:key=value,...]', got {spec!r}")
    name, _, rest = spec.strip().partition(":")
    name = name.strip()
    if not name:
        raise InputError(f"{what} {spec!r}: the name before ':' is empty")
    params: dict[str, Any] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key or not value.strip():
                raise InputError(
                    f"{what} {spec!r}: expected key=value pairs separated by commas, got {item!r}"
                )
            if key in params:
                raise InputError(f"{what} {spec!r}: key {key!r} is given twice")
            params[key] = coerce(value)
    return name, params


def check_keys(
    what: str, given: Mapping[str, Any], allowed: Iterable[str], required: Iterable[str] = ()
) -> None:
    """Raise :class:`UnknownNameError` naming unknown keys and listing the allowed ones."""
    allowed = list(allowed)
    unknown = [key for key in given if key not in allowed]
    if unknown:
        raise UnknownNameError(
            f"{what}: unknown key(s) {', '.join(map(repr, unknown))}; "
            f"allowed: {', '.join(allowed) or '(none)'}"
        )
    missing = [key for key in required if key not in given]
    if missing:
        raise InputError(f"{what}: missing required key(s) {', '.join(map(repr, missing))}")
