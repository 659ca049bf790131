"""What a cache entry must hold to be used: the JSON of a :class:`CheckResult` of the very
spec being run, checked field by field.

An entry is a file that a disk can truncate and anybody can edit, and what it holds goes
into a report; so it is used only when every rule holds, else :class:`InvalidEntry` says
what is wrong (the cache then recomputes the check):

* the file is a regular file of at most :data:`MAX_BYTES` bytes (the cache checks that
  before reading it: a FIFO or a link to ``/dev/zero`` is not read);
* the bytes are UTF-8 JSON nested at most :data:`MAX_DEPTH` deep: an object with exactly
  ``format`` (:data:`CACHE_FORMAT`), ``key`` (the entry's key) and ``result``;
* ``result`` has exactly the fields of :meth:`CheckResult.to_dict`; its ``spec`` and the
  spec's fields it repeats (``id``, ``title``, ``claim``, ``theorem``, ``expect``,
  ``expect_label``) are those of the spec being run;
* ``verdict`` is pass, fail, inconclusive or picture, ``label`` a text or null, and
  ``status`` the one :func:`~reports.suite.model.status_of` gives for them (so never
  ``error``: errors are not stored);
* ``reason`` and ``expected_rate`` are texts, ``wall_time`` a finite number >= 0,
  ``metrics`` an object, ``exponent`` null or an object of JSON scalars whose ``estimate``,
  ``se``, ``ci_low``, ``ci_high`` and ``level`` are numbers or null;
* ``verdicts`` are objects whose ``config`` and ``expected`` are objects, ``rerun`` an
  object or null, ``exponent`` null or as above;
* ``panels`` are objects with exactly ``title`` (a text), ``curves`` and ``contour`` (null,
  or an object whose ``x``, ``y`` are number lists, ``z`` a list of them, ``optimum`` null
  or ``[x, y]``); a curve has exactly the fields of :class:`Curve`: ``k`` and ``mean`` number
  lists of one length, ``low`` and ``high`` null or lists of that length, ``style`` a
  :data:`~reports.suite.model.Style`, ``label``, ``band``, ``x_label``, ``y_label`` texts,
  ``fit`` and ``bound`` null or objects with ``k`` and ``value`` number lists of one length
  and a ``label`` text.

A number is an int within the float range or a float (NaN and infinities included: a
diverging run records them), never a bool; a number list may hold null (a missing point).
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Mapping
from typing import Any, get_args

import numpy as np

from reports.suite.model import (
    CheckResult,
    CheckSpec,
    Curve,
    Panel,
    Status,
    Style,
    Verdict,
    status_of,
)
from theory.validation import rejection

__all__ = [
    "CACHE_FORMAT",
    "MAX_BYTES",
    "MAX_DEPTH",
    "InvalidEntry",
    "entry_bytes",
    "jsonable",
    "parse_entry",
    "result_from_dict",
]

CACHE_FORMAT = "ratecheck.cache/1"
"""The ``format`` field of a cache entry."""
MAX_BYTES = 64 * 2**20
"""Largest entry file read (64 MiB; a real entry has a few kB to a few hundred)."""
MAX_DEPTH = 32
"""Deepest nesting of objects and lists in an entry, whose own object is level 1 (a real
entry has about 10)."""
STORED_STATUSES: tuple[str, ...] = tuple(s for s in get_args(Status) if s != "error")
_DUMMY_SPEC = CheckSpec(id="", title="", claim="", kind="custom", params={})
_RESULT_FIELDS = tuple(
    CheckResult(spec=_DUMMY_SPEC, verdict="pass", label=None, status="picture", reason="").to_dict()
)
_CURVE_FIELDS = tuple(Curve(label="", k=[], mean=[]).to_dict())
_PANEL_FIELDS = tuple(Panel(title="", curves=()).to_dict())
_EXPONENT_NUMBERS = ("estimate", "se", "ci_low", "ci_high", "level")
_LARGEST = int(sys.float_info.max)


def jsonable(value: Any, *, finite: bool = False) -> Any:
    """``value`` with numpy scalars and arrays as Python numbers and lists, tuples as lists,
    and (if ``finite``) NaN and infinities as None."""
    if isinstance(value, Mapping):
        return {str(key): jsonable(item, finite=finite) for key, item in value.items()}
    if isinstance(value, list | tuple | np.ndarray):
        return [jsonable(item, finite=finite) for item in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and finite and not math.isfinite(value):
        return None
    return value


def entry_bytes(key: str, result: CheckResult) -> bytes:
    """The file that stores ``result`` under ``key``; raises :class:`InvalidEntry` when it
    would not be read back (module docstring), so that it is not stored."""
    data = jsonable(result.to_dict())
    result_from_dict(data, result.spec)
    raw = json.dumps({"format": CACHE_FORMAT, "key": key, "result": data}).encode()
    if len(raw) > MAX_BYTES:
        raise InvalidEntry(f"{len(raw)} bytes, more than the {MAX_BYTES} an entry may have")
    return raw


class InvalidEntry(ValueError):
    """A cache entry that is not the stored result of the spec; the message says why."""


def _reject(name: str, value: object, expected: str) -> InvalidEntry:
    return InvalidEntry(rejection(name, value, expected))


def _is_number(value: object) -> bool:
    if isinstance(value, float):
        return True
    return isinstance(value, int) and not isinstance(value, bool) and abs(value) <= _LARGEST


def _depth(value: object) -> int:
    """Nesting depth of objects and lists (a scalar is 0), counted without recursion and
    stopping once past :data:`MAX_DEPTH`."""
    deepest = 0
    stack = [(value, 1)]
    while stack and deepest <= MAX_DEPTH:
        item, level = stack.pop()
        children = (
            item.values() if isinstance(item, dict) else item if isinstance(item, list) else None
        )
        if children is None:
            continue
        deepest = max(deepest, level)
        stack.extend((child, level + 1) for child in children)
    return deepest


def _object(name: str, value: object, fields: tuple[str, ...] | None = None) -> dict[str, Any]:
    """``value`` if it is a JSON object (with exactly ``fields``, when given)."""
    if not isinstance(value, dict):
        raise _reject(name, value, "an object")
    if fields is not None and set(value) != set(fields):
        extra = sorted(set(value) - set(fields))
        absent = [field for field in fields if field not in value]
        what = f"has an unknown field {extra[0]!r}" if extra else f"lacks the field {absent[0]!r}"
        raise InvalidEntry(f"{name} {what}")
    return value


def _text(name: str, value: object, *, null: bool = False) -> None:
    if not (isinstance(value, str) or (null and value is None)):
        raise _reject(name, value, "a text or null" if null else "a text")


def _numbers(name: str, value: object, length: int | None = None) -> int:
    """The length of ``value``, a list of numbers or nulls (of ``length``, when given)."""
    if not isinstance(value, list) or not all(v is None or _is_number(v) for v in value):
        raise _reject(name, value, "a list of numbers")
    if length is not None and len(value) != length:
        raise _reject(f"len({name})", len(value), f"{length}, as many as k")
    return len(value)


def _exponent(name: str, value: object) -> None:
    if value is None:
        return
    exponent = _object(name, value)
    for field, item in exponent.items():
        if isinstance(item, dict | list):
            raise _reject(f"{name}.{field}", item, "a number, a text or null")
        if field in _EXPONENT_NUMBERS and not (item is None or _is_number(item)):
            raise _reject(f"{name}.{field}", item, "a number or null")


def _line(name: str, value: object) -> None:
    """A curve's ``fit`` or ``bound``: null or ``{"k", "value", "label"}``."""
    if value is None:
        return
    line = _object(name, value)
    _numbers(f"{name}.value", line.get("value"), _numbers(f"{name}.k", line.get("k")))
    _text(f"{name}.label", line.get("label"), null=True)


def _curve(name: str, value: object) -> None:
    curve = _object(name, value, _CURVE_FIELDS)
    for field in ("label", "band", "x_label", "y_label"):
        _text(f"{name}.{field}", curve[field])
    length = _numbers(f"{name}.k", curve["k"])
    _numbers(f"{name}.mean", curve["mean"], length)
    for field in ("low", "high"):
        if curve[field] is not None:
            _numbers(f"{name}.{field}", curve[field], length)
    if curve["style"] not in get_args(Style):
        raise _reject(f"{name}.style", curve["style"], f"one of {', '.join(get_args(Style))}")
    _line(f"{name}.fit", curve["fit"])
    _line(f"{name}.bound", curve["bound"])


def _contour(name: str, value: object) -> None:
    if value is None:
        return
    contour = _object(name, value)
    _numbers(f"{name}.x", contour.get("x"))
    _numbers(f"{name}.y", contour.get("y"))
    rows = contour.get("z")
    if not isinstance(rows, list):
        raise _reject(f"{name}.z", rows, "a list of number lists")
    for i, row in enumerate(rows):
        _numbers(f"{name}.z[{i}]", row)
    optimum = contour.get("optimum")
    if optimum is not None:
        _numbers(f"{name}.optimum", optimum, 2)


def _panel(name: str, value: object) -> None:
    panel = _object(name, value, _PANEL_FIELDS)
    _text(f"{name}.title", panel["title"])
    if not isinstance(panel["curves"], list):
        raise _reject(f"{name}.curves", panel["curves"], "a list of curves")
    for i, curve in enumerate(panel["curves"]):
        _curve(f"{name}.curves[{i}]", curve)
    _contour(f"{name}.contour", panel["contour"])


def _verdict(name: str, value: object) -> None:
    verdict = _object(name, value)
    for field in ("config", "expected"):
        if field in verdict:
            _object(f"{name}.{field}", verdict[field])
    if verdict.get("rerun") is not None:
        _object(f"{name}.rerun", verdict["rerun"])
    _exponent(f"{name}.exponent", verdict.get("exponent"))


def _list(name: str, value: object) -> list[Any]:
    if not isinstance(value, list):
        raise _reject(name, value, "a list")
    return value


def _check_result(data: object, spec: CheckSpec) -> dict[str, Any]:
    """``data`` if it is the ``to_dict()`` of a stored result of ``spec`` (module docstring)."""
    result = _object("result", data, _RESULT_FIELDS)
    if result["spec"] != jsonable(spec.to_dict()):
        raise InvalidEntry(f"result.spec is not the check {spec.id!r} as specified")
    for field in ("id", "title", "claim", "theorem", "expect", "expect_label"):
        if result[field] != getattr(spec, field):
            raise _reject(f"result.{field}", result[field], f"{getattr(spec, field)!r}, the spec's")
    verdicts = get_args(Verdict)
    if result["verdict"] not in verdicts:
        raise _reject("result.verdict", result["verdict"], f"one of {', '.join(verdicts)}")
    _text("result.label", result["label"], null=True)
    status = result["status"]
    if status not in STORED_STATUSES:
        raise _reject("result.status", status, f"one of {', '.join(STORED_STATUSES)}")
    consistent = status_of(spec, result["verdict"], result["label"])
    if status != consistent:
        got = f"verdict {result['verdict']!r} with label {result['label']!r}"
        raise _reject("result.status", status, f"{consistent!r}, the status of {got}")
    _text("result.reason", result["reason"])
    _text("result.expected_rate", result["expected_rate"])
    wall_time = result["wall_time"]
    if not (_is_number(wall_time) and math.isfinite(wall_time) and wall_time >= 0):
        raise _reject("result.wall_time", wall_time, "a finite number >= 0")
    _object("result.metrics", result["metrics"])
    _exponent("result.exponent", result["exponent"])
    for i, verdict in enumerate(_list("result.verdicts", result["verdicts"])):
        _verdict(f"result.verdicts[{i}]", verdict)
    for i, panel in enumerate(_list("result.panels", result["panels"])):
        _panel(f"result.panels[{i}]", panel)
    return result


def _curve_from_dict(data: Mapping[str, Any]) -> Curve:
    return Curve(**data)


def _panel_from_dict(data: Mapping[str, Any]) -> Panel:
    curves = tuple(_curve_from_dict(curve) for curve in data["curves"])
    return Panel(title=data["title"], curves=curves, contour=data["contour"])


def result_from_dict(data: object, spec: CheckSpec) -> CheckResult:
    """The :class:`CheckResult` of ``spec`` whose ``to_dict()`` is ``data``; raises
    :class:`InvalidEntry` when ``data`` breaks a rule of the module docstring."""
    if 1 + _depth(data) > MAX_DEPTH:
        raise InvalidEntry(f"nested deeper than {MAX_DEPTH} levels")
    result = _check_result(data, spec)
    return CheckResult(
        spec=spec,
        verdict=result["verdict"],
        label=result["label"],
        status=result["status"],
        reason=result["reason"],
        verdicts=tuple(result["verdicts"]),
        panels=tuple(_panel_from_dict(panel) for panel in result["panels"]),
        metrics=result["metrics"],
        expected_rate=result["expected_rate"],
        exponent=result["exponent"],
        wall_time=float(result["wall_time"]),
    )


def parse_entry(raw: bytes, key: str, spec: CheckSpec) -> CheckResult:
    """The result stored in the entry file's bytes ``raw`` under ``key`` for ``spec``;
    raises :class:`InvalidEntry` saying what is wrong (module docstring)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidEntry(f"not UTF-8 text (byte {exc.start} is {raw[exc.start]:#04x})") from None
    try:
        entry = json.loads(text)
    except RecursionError:
        raise InvalidEntry(f"nested deeper than {MAX_DEPTH} levels") from None
    except ValueError as exc:
        raise InvalidEntry(f"not JSON ({exc})") from None
    if _depth(entry) > MAX_DEPTH:
        raise InvalidEntry(f"nested deeper than {MAX_DEPTH} levels")
    entry = _object("the entry", entry, ("format", "key", "result"))
    if entry["format"] != CACHE_FORMAT:
        raise _reject("format", entry["format"], repr(CACHE_FORMAT))
    if entry["key"] != key:
        raise _reject("key", entry["key"], "the key of its file name")
    return result_from_dict(entry["result"], spec)
