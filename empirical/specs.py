"""Short specs for the command line and suite files: ``name:key=val,key=val``.

``split_spec("ridge:n=1000,lam=0.01")`` gives ``("ridge", {"n": 1000, "lam": 0.01})``.
Values are coerced to int, float or bool where they read as one, else kept as text.
"""

from __future__ import annotations

from typing import Any

from theory import validation


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
    """Split ``name:key=val,...`` into the name and a dict of coerced values.

    ``what`` names the spec's owner in errors (``objective``, ``schedule``, ...).
    """
    form = "'NAME[:key=value,...]'"
    if not isinstance(spec, str) or not spec.strip():
        raise validation.not_allowed(what, "spec", spec, form)
    name, _, rest = spec.strip().partition(":")
    name = name.strip()
    if not name:
        raise validation.not_allowed(what, "spec", spec, f"{form} with a name before ':'")
    params: dict[str, Any] = {}
    if rest.strip():
        for item in rest.split(","):
            key, eq, value = item.partition("=")
            key = key.strip()
            if not eq or not key or not value.strip():
                raise validation.not_allowed(
                    what, "spec", spec, f"{form}: key=value pairs separated by commas, not {item!r}"
                )
            if key in params:
                raise validation.not_allowed(
                    what, "spec", spec, f"{form} with each key once, not {key!r} twice"
                )
            params[key] = coerce(value)
    return name, params
