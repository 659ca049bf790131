"""Up-front validation of objective parameters, with messages naming what is allowed.

Each check takes ``what`` (e.g. ``"objective 'ridge'"``), the parameter's name and the
given value, and returns the value as a Python ``int`` or ``float``, or raises
:class:`theory.errors.InputError` saying which parameter, the value and the rule.
Booleans are not numbers here: ``n=true`` is an error, not ``n=1``.
"""

from __future__ import annotations

import math
import numbers

from theory.errors import InputError


def _fail(what: str, name: str, rule: str, value: object) -> InputError:
    return InputError(f"{what}: parameter {name!r} must be {rule}; got {value!r}")


def integer(what: str, name: str, value: object, *, minimum: int) -> int:
    """An integer >= ``minimum`` (a float such as ``10.0`` is accepted if integral)."""
    rule = f"an integer >= {minimum}"
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(what, name, rule, value)
    if isinstance(value, numbers.Integral) or (math.isfinite(value) and float(value).is_integer()):
        result = int(value)
    else:
        raise _fail(what, name, rule, value)
    if result < minimum:
        raise _fail(what, name, rule, value)
    return result


def real(
    what: str,
    name: str,
    value: object,
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
) -> float:
    """A finite real number, optionally ``> above``, ``>= at_least``, ``< below``."""
    parts = ["a finite real number"]
    if above is not None:
        parts.append(f"> {above:g}")
    if at_least is not None:
        parts.append(f">= {at_least:g}")
    if below is not None:
        parts.append(f"< {below:g}")
    rule = " ".join(parts[:1]) + (" " + " and ".join(parts[1:]) if parts[1:] else "")
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise _fail(what, name, rule, value)
    result = float(value)
    if not math.isfinite(result):
        raise _fail(what, name, rule, value)
    if above is not None and not result > above:
        raise _fail(what, name, rule, value)
    if at_least is not None and not result >= at_least:
        raise _fail(what, name, rule, value)
    if below is not None and not result < below:
        raise _fail(what, name, rule, value)
    return result


def seed(what: str, value: object) -> int:
    """A numpy seed: an integer >= 0."""
    return integer(what, "seed", value, minimum=0)
