"""What ratecheck can check, listed: ``ratecheck list objectives|optimizers|theorems|schedules``.

:func:`listing` builds the items of one kind once, as plain dicts (what ``--format json``
prints: a list of objects); :func:`render_text` lays the same out within
:data:`~reports.theory_view.TERMINAL_WIDTH` columns. Every field comes from the code the
item is run by, never from a second table that could drift:

* every kind: ``name``, ``description`` (the first line of the item's own docstring: an
  objective's module, whose class docstring opens with its formula; an optimizer's
  factory; a theorem's title; a schedule rule's class) and ``parameters``, the keys of its
  spec as ``{name, default, allowed, required}``. ``default`` is the value used when the key
  is not given, as the item built with no keys records it (ridge's ``n`` = 1000), null when
  the key is unset by default (ridge's ``data``); ``allowed`` is the rule the builder itself
  states when it refuses a value (the ``expected ...`` of its rejection, with the other keys
  at their defaults), null if it states none.
* objectives: ``oracle``, ``properties`` (convex, strongly convex, smooth), ``constants``
  (what the objective built with its defaults declares for the theorems' bounds, under the
  names of ``theory.symbols``, with their values) and ``f_star``, the exact optimal value.
* theorems: ``id``, ``title``, ``method``, ``schedule``, ``iterate``, ``rate`` (as the
  catalog's compact table shows it), ``order``, ``kind`` and ``needs`` (the constants of the
  bound, which the objective or ``--constants`` supplies); a theorem has no parameters.
* schedules: ``syntax``, ``symbols`` and ``functions`` a formula may use, and ``examples``
  (the schedules the theorems are stated for).
"""

from __future__ import annotations

import dataclasses
import inspect
import math
import sys
import textwrap
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from reports.theory_view import TERMINAL_WIDTH, rate_text
from theory import validation
from theory.errors import RatecheckError

KINDS = ("objectives", "optimizers", "theorems", "schedules")
"""What ``ratecheck list`` lists."""

_INDENT = "    "


class _Probe:
    """A value no rule accepts: refusing it, a builder states its rule for the key."""

    def __repr__(self) -> str:
        return "<probe>"


def _first_line(text: str | None) -> str:
    """The first line of a docstring, as plain text (reST's ``code`` marks dropped)."""
    lines = inspect.cleandoc(text or "").splitlines()
    return lines[0].strip().replace("``", "") if lines else ""


def _rule(build: Callable[..., object], key: str, base: Mapping[str, object]) -> str | None:
    """What ``build`` says it expects of ``key``, from its refusal of a probe (None if it
    accepts the probe or fails on it otherwise)."""
    probe = _Probe()
    head = f": {validation.rejection(key, probe, '')}"
    try:
        build(**{**base, key: probe})
    except RatecheckError as exc:
        first = str(exc).splitlines()[0]
        return first.split(head, 1)[1] if head in first else None
    except Exception:  # a failure that is not a rejection states no rule
        return None
    return None


def _number(value: object) -> object:
    """A JSON-safe value: a non-finite float is null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _parameters(
    build: Callable[..., object],
    keys: Sequence[str],
    defaults: Mapping[str, object],
    base: Mapping[str, object] | None = None,
    required: Sequence[str] = (),
) -> list[dict[str, Any]]:
    base = dict(base or {})
    return [
        {
            "name": key,
            "default": _number(defaults.get(key)),
            "allowed": _rule(build, key, base),
            "required": key in required,
        }
        for key in keys
    ]


def _objectives() -> list[dict[str, Any]]:
    from empirical.objectives import OBJECTIVES, objective_keys

    items = []
    for name, cls in OBJECTIVES.items():
        built = cls()
        properties = [
            label
            for label, holds in (
                ("convex", built.convex),
                ("strongly convex", built.strongly_convex),
                ("smooth", built.smooth),
            )
            if holds
        ]
        items.append(
            {
                "name": name,
                "description": _first_line(sys.modules[cls.__module__].__doc__),
                "parameters": _parameters(cls, objective_keys(name), built.params),
                "oracle": built.oracle,
                "properties": properties,
                "constants": {key: _number(float(v)) for key, v in built.constants.items()},
                "f_star": _number(float(built.f_star)),
            }
        )
    return items


def _optimizers() -> list[dict[str, Any]]:
    from empirical.optimizers import OPTIMIZERS, hyperparameter_keys

    return [
        {
            "name": name,
            "description": _first_line(factory.__doc__),
            "parameters": _parameters(factory, hyperparameter_keys(name), factory().hyperparams),
        }
        for name, factory in OPTIMIZERS.items()
    ]


def _theorems() -> list[dict[str, Any]]:
    from theory.catalog import CATALOG
    from theory.symbols import b, k

    items = []
    for theorem in CATALOG:
        row = theorem.to_dict()
        needs = sorted((s.name for s in theorem.bound.free_symbols - {k, b}), key=str.lower)
        items.append(
            {
                "name": row["id"],
                "description": row["title"],
                "parameters": [],
                **{key: row[key] for key in ("id", "title", "method", "schedule", "iterate")},
                "rate": rate_text(row),
                "order": row["order"],
                "kind": row["kind"],
                "needs": needs,
            }
        )
    return items


def _schedules() -> list[dict[str, Any]]:
    from empirical.schedules import PLATEAU_KEYS, PlateauSchedule
    from theory import schedules as formulas
    from theory.catalog import CATALOG
    from theory.expressions import FUNCTIONS

    fields = {f.name: f for f in dataclasses.fields(PlateauSchedule) if f.name in PLATEAU_KEYS}
    required = [key for key, f in fields.items() if f.default is dataclasses.MISSING]
    defaults = {key: f.default for key, f in fields.items() if key not in required}
    valid = {key: 1.0 for key in required}  # a valid value, so that each other key is checked
    optional = ",".join(f"{key}=V" for key in PLATEAU_KEYS if key not in required)
    examples = []
    for theorem in CATALOG:
        text = theorem.to_dict()["schedule"]
        if text is not None and text not in examples:
            examples.append(text)
    return [
        {
            "name": "plateau",
            "description": _first_line(PlateauSchedule.__doc__),
            "parameters": _parameters(PlateauSchedule, PLATEAU_KEYS, defaults, valid, required),
            "syntax": "plateau:" + ",".join(f"{key}=V" for key in required) + f"[,{optional}]",
            "symbols": [],
            "functions": [],
            "examples": [],
        },
        {
            "name": "formula",
            "description": _first_line(formulas.__doc__),
            "parameters": [],
            "syntax": "an expression in k, such as '1/(lam*k)' or 'c*k^-0.5'",
            "symbols": list(formulas.SCHEDULE_SYMBOLS),
            "functions": list(FUNCTIONS),
            "examples": examples,
        },
    ]


_BUILDERS: dict[str, Callable[[], list[dict[str, Any]]]] = {
    "objectives": _objectives,
    "optimizers": _optimizers,
    "theorems": _theorems,
    "schedules": _schedules,
}


def listing(kind: str, names: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The items of ``kind`` (one of :data:`KINDS`), or only those ``names`` (an unknown
    name is refused, with the closest one suggested)."""
    validation.choice("ratecheck list", "kind", kind, KINDS)
    items = _BUILDERS[kind]()
    if not names:
        return items
    by_name = {item["name"]: item for item in items}
    return [by_name[validation.choice(f"ratecheck list {kind}", "name", n, by_name)] for n in names]


def _shown(value: object) -> str:
    if value is None:
        return "unset"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _wrapped(label: str, text: str, width: int) -> list[str]:
    """``label  text``, indented, with ``text`` wrapped under itself within ``width``."""
    head = f"{_INDENT}{label:<11}"
    return textwrap.wrap(text, width, initial_indent=head, subsequent_indent=" " * len(head))


def _parameter_lines(parameters: Sequence[Mapping[str, Any]], width: int) -> list[str]:
    if not parameters:
        return []
    rows = [("key", "default", "allowed")]
    for p in parameters:
        default = "required" if p["required"] else _shown(p["default"])
        rows.append((p["name"], default, p["allowed"] or "-"))
    key_w = max(len(r[0]) for r in rows)
    default_w = max(len(r[1]) for r in rows)
    lead = len(_INDENT) + key_w + 2 + default_w + 2
    lines = []
    for key, default, allowed in rows:
        wrapped = textwrap.wrap(allowed, max(width - lead, 20)) or [""]
        lines.append(f"{_INDENT}{key:<{key_w}}  {default:<{default_w}}  {wrapped[0]}".rstrip())
        lines += [" " * lead + more for more in wrapped[1:]]
    return lines


def _details(kind: str, item: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The kind's own fields as (label, text) lines."""
    if kind == "objectives":
        constants = ", ".join(f"{key}={value:.3g}" for key, value in item["constants"].items())
        return [
            ("class", f"{', '.join(item['properties']) or 'non-convex'}; {item['oracle']} oracle"),
            ("constants", f"{constants or 'none'} (at the defaults)"),
            ("F*", f"{item['f_star']:.6g}, exact (at the defaults)"),
        ]
    if kind == "theorems":
        schedule = item["schedule"] or "none"
        rate = item["rate"] if item["rate"] == "linear" else f"exponent {item['rate']}"
        return [
            ("method", f"{item['method']}, schedule {schedule}, {item['iterate']} iterate"),
            ("rate", f"O({item['order']}); {rate}; {item['kind']} bound"),
            ("needs", ", ".join(item["needs"]) or "-"),
        ]
    if kind == "schedules":
        lines = [("syntax", item["syntax"])]
        if item["symbols"]:
            lines.append(("symbols", ", ".join(item["symbols"])))
            lines.append(("functions", ", ".join(item["functions"])))
        if item["examples"]:
            lines.append(("examples", ", ".join(item["examples"])))
        return lines
    return []


def render_text(kind: str, items: Sequence[Mapping[str, Any]], width: int = TERMINAL_WIDTH) -> str:
    """The items as blocks: ``name: description``, the parameter table, the kind's fields;
    every line within ``width`` columns."""
    blocks = []
    for item in items:
        lines = textwrap.wrap(
            f"{item['name']}: {item['description']}", width, subsequent_indent=_INDENT
        )
        lines += _parameter_lines(item["parameters"], width)
        for label, text in _details(kind, item):
            lines += _wrapped(label, text, width)
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)
