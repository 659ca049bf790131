"""One vocabulary for rejecting an input, with one message shape for every rejected value::

    <where>: <name> = <value> is not allowed; expected <what>

``where`` names the input's owner (``objective 'ridge'``, ``optimizer 'adam'``,
``scenario``, ``schedule 'plateau:...'``, ``average 'suffix'``, or the library function
called, ``fit_rate``), ``name`` the parameter, ``value`` is the value as given (its
``repr``; numpy scalars as Python numbers, long values shortened) and ``what`` says what
would be allowed, e.g.::

    objective 'ridge': n = 0 is not allowed; expected an integer >= 1
    scenario: sampling = 'random' is not allowed; expected one of shuffle, replacement, cyclic

Each check is a small typed function that returns the value in its canonical type or
raises: :class:`~theory.errors.UnknownNameError` for a name that is not one of a fixed set
(a choice, a key), :class:`~theory.errors.InputError` for any other bad value. The texts
of ``what`` come from the check's own arguments, so the rule stated is the rule applied.
Booleans are never numbers here (``n = true`` is an error, not ``n = 1``), and every
number must be finite.

An input that is absent is not a value; :func:`missing` says so in the same vocabulary:
``<where>: <name> is missing; expected <what>``.

This module is the bottom layer's: it imports nothing from ``empirical`` or ``reports``.
"""

from __future__ import annotations

import difflib
import math
import numbers
from collections.abc import Iterable, Mapping, Sequence

from theory.errors import InputError, RatecheckError, UnknownNameError

__all__ = [
    "choice",
    "flag",
    "fraction",
    "integer",
    "is_number",
    "keys",
    "message",
    "missing",
    "not_allowed",
    "real",
    "real_rule",
    "rejection",
    "shown",
    "suggestion",
]

_LONGEST = 80
"""Longest rendering of a value in a message; longer ones are shortened with ``...``."""


def shown(value: object) -> str:
    """``value`` as a message shows it: its repr, numpy scalars as the Python number,
    small 1-D arrays as a list, other arrays by their shape, long texts shortened."""
    if type(value).__module__ == "numpy":
        shape = getattr(value, "shape", None)
        if shape == ():  # a numpy scalar (or a 0-d array): the Python number
            return shown(value.item())  # type: ignore[attr-defined]
        if shape is not None:
            if len(shape) == 1 and shape[0] <= 6:
                return repr(value.tolist())  # type: ignore[attr-defined]
            return f"<array of shape {tuple(shape)}>"
    text = repr(value)
    return text if len(text) <= _LONGEST else text[: _LONGEST - 3] + "..."


def rejection(name: str, value: object, expected: str) -> str:
    """``"<name> = <value> is not allowed; expected <expected>"``: a message without its
    ``where``, for a caller that puts its own in front (argparse's ``argument --steps``)."""
    return f"{name} = {shown(value)} is not allowed; expected {expected}"


def message(where: str, name: str, value: object, expected: str) -> str:
    """``"<where>: <name> = <value> is not allowed; expected <expected>"``."""
    return f"{where}: {rejection(name, value, expected)}"


def not_allowed(
    where: str,
    name: str,
    value: object,
    expected: str,
    error: type[RatecheckError] = InputError,
) -> RatecheckError:
    """The error (to raise) that ``name = value`` of ``where`` is not allowed."""
    return error(message(where, name, value, expected))


def missing(where: str, names: Sequence[str], expected: str) -> InputError:
    """The error (to raise) that the inputs ``names`` of ``where`` are absent."""
    verb = "is" if len(names) == 1 else "are"
    return InputError(f"{where}: {', '.join(names)} {verb} missing; expected {expected}")


def is_number(value: object) -> bool:
    """A real number (numpy scalars included), not a bool."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _bound(x: float) -> str:
    """A bound as a rule states it: ``0.5``, ``1``, ``1e-08`` (exact, else its repr)."""
    text = f"{x:g}"
    return text if float(text) == x else repr(float(x))


def integer(
    where: str,
    name: str,
    value: object,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    integral_float: bool = False,
) -> int:
    """``value`` as an ``int``, if it is an integer in [minimum, maximum].

    ``integral_float=True`` also accepts a float with an integral value, such as ``10.0``
    (spec values such as ``n=1e3`` read as floats); bools are never integers.
    """
    if minimum is not None and maximum is not None:
        expected = f"an integer in [{minimum}, {maximum}]"
    elif minimum is not None:
        expected = f"an integer >= {minimum}"
    elif maximum is not None:
        expected = f"an integer <= {maximum}"
    else:
        expected = "an integer"
    if not is_number(value):
        raise not_allowed(where, name, value, expected)
    if isinstance(value, numbers.Integral):
        result = int(value)
    elif integral_float and math.isfinite(value) and float(value).is_integer():  # type: ignore[arg-type]
        result = int(value)  # type: ignore[call-overload]
    else:
        raise not_allowed(where, name, value, expected)
    if (minimum is not None and result < minimum) or (maximum is not None and result > maximum):
        raise not_allowed(where, name, value, expected)
    return result


def real_rule(
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
    at_most: float | None = None,
) -> str:
    """What :func:`real` expects with these bounds: ``a finite number > 0``,
    ``a number in [0, 1)``, ``a finite number``."""
    if above is not None and at_least is not None:
        raise ValueError("real_rule: give at most one of above and at_least")
    if below is not None and at_most is not None:
        raise ValueError("real_rule: give at most one of below and at_most")
    low = ("(", above) if above is not None else ("[", at_least) if at_least is not None else None
    high = (")", below) if below is not None else ("]", at_most) if at_most is not None else None
    if low is not None and high is not None:
        return f"a number in {low[0]}{_bound(low[1])}, {_bound(high[1])}{high[0]}"
    parts = []
    if low is not None:
        parts.append(f"{'>' if low[0] == '(' else '>='} {_bound(low[1])}")
    if high is not None:
        parts.append(f"{'<' if high[0] == ')' else '<='} {_bound(high[1])}")
    return " ".join(["a finite number", *parts])


def real(
    where: str,
    name: str,
    value: object,
    *,
    above: float | None = None,
    at_least: float | None = None,
    below: float | None = None,
    at_most: float | None = None,
) -> float:
    """``value`` as a ``float``, if it is a finite number ``> above``, ``>= at_least``,
    ``< below`` and ``<= at_most`` (each bound optional)."""
    expected = real_rule(above=above, at_least=at_least, below=below, at_most=at_most)
    if not is_number(value):
        raise not_allowed(where, name, value, expected)
    result = float(value)  # type: ignore[arg-type]
    if not (
        math.isfinite(result)
        and (above is None or result > above)
        and (at_least is None or result >= at_least)
        and (below is None or result < below)
        and (at_most is None or result <= at_most)
    ):
        raise not_allowed(where, name, value, expected)
    return result


def fraction(where: str, name: str, value: object, high: float = 0.5) -> float:
    """A probability in the open interval (0, high), such as a test's level alpha."""
    return real(where, name, value, above=0.0, below=high)


def flag(where: str, name: str, value: object) -> bool:
    """``value`` as a ``bool``, if it is one (``true``/``false`` in a spec; numpy bools too)."""
    numpy_bool = type(value).__module__ == "numpy" and type(value).__name__ in ("bool", "bool_")
    if isinstance(value, bool) or numpy_bool:
        return bool(value)
    raise not_allowed(where, name, value, "true or false")


def suggestion(value: object, allowed: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` naming the allowed name closest to ``value`` (difflib's
    ratio >= 0.6), or ``""`` when none is close or ``value`` is not text."""
    if not isinstance(value, str):
        return ""
    close = difflib.get_close_matches(value, tuple(allowed), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def choice(
    where: str,
    name: str,
    value: object,
    allowed: Iterable[str],
    *,
    expected: str | None = None,
    error: type[RatecheckError] = UnknownNameError,
) -> str:
    """``value`` if it is one of the names ``allowed``; else :class:`UnknownNameError`
    listing them (``expected`` replaces the list), with a close match suggested."""
    allowed = tuple(allowed)
    if isinstance(value, str) and value in allowed:
        return str(value)
    text = expected if expected is not None else f"one of {', '.join(allowed)}"
    raise not_allowed(where, name, value, text + suggestion(value, allowed), error)


def keys(
    where: str,
    given: Mapping[str, object],
    allowed: Iterable[str],
    required: Iterable[str] = (),
    *,
    name: str = "key",
) -> None:
    """Refuse keys of ``given`` not in ``allowed`` (:class:`UnknownNameError`, listing the
    allowed ones, with a close match suggested) and required keys that are absent
    (:class:`InputError`); ``name`` is what a key is called (``key``, ``field``)."""
    allowed = tuple(allowed)
    required = tuple(required)
    unknown = [key for key in given if key not in allowed]
    if unknown:
        expected = f"one of {', '.join(allowed)}" if allowed else f"no {name}s"
        expected += suggestion(unknown[0], allowed)
        if len(unknown) > 1:
            expected += f" (also not allowed: {', '.join(map(repr, unknown[1:]))})"
        raise not_allowed(where, name, unknown[0], expected, UnknownNameError)
    absent = [key for key in required if key not in given]
    if absent:
        plural = "s" if len(required) > 1 else ""
        raise missing(where, absent, f"the required {name}{plural} {', '.join(required)}")
