"""Render the theorem catalog and Robbins–Monro decisions as text, Markdown, LaTeX or JSON.

Pure formatting of what ``theory`` computes: every field comes from a theorem's or a
decision's ``to_dict()`` (the JSON schema documented in the README; strict JSON, see
:mod:`reports.strict_json`). One theorem's text ends with its exhibit as the
``ratecheck verify`` command line that runs it.
"""

from __future__ import annotations

import shlex
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any

import sympy as sp

from reports import strict_json
from theory.catalog import CATALOG
from theory.robbins_monro import RobbinsMonroResult
from theory.theorems import Theorem

FORMATS = ("text", "markdown", "latex", "json")

_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("class", "assumptions"),
    ("schedule", "schedule"),
    ("iterate", "iterate"),
    ("bound", "bound"),
    ("order", "order"),
    ("exponent", "exponent"),
    ("iterations to eps", "k_to_eps"),
)


def _cell(row: dict[str, Any], key: str) -> str:
    if key == "rate":
        return (
            "linear"
            if row.get("exponent") is None and row.get("contraction")
            else _cell(row, "exponent")
        )
    value = row.get(key)
    if key == "assumptions":
        return ", ".join(value or ())
    if key == "exponent":
        if value is None:
            contraction = row.get("contraction")
            return f"linear, rho={contraction}" if contraction is not None else "-"
        text = f"{value:g}" if isinstance(value, float) else str(value)
        log_power = row.get("log_power") or 0
        return f"{text} (log^{log_power:g})" if log_power else text
    return "-" if value is None else str(value)


def rate_text(row: Mapping[str, Any]) -> str:
    """A theorem's rate as the compact catalog shows it, from its ``to_dict()``: the
    exponent of k (with its log power, e.g. ``-1 (log^1)``), or ``linear``."""
    return _cell(dict(row), "rate")


COMPACT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("id", "id"),
    ("iterate", "iterate"),
    ("rate", "rate"),
    ("title", "title"),
)
"""The columns of the default text catalog (``rate``: the exponent, or ``linear``);
``wide`` shows :data:`_COLUMNS`."""
TERMINAL_WIDTH = 100
"""Width the compact text catalog fits: its last column is wrapped to stay within it."""


def _rows(theorems: Sequence[Theorem]) -> list[dict[str, Any]]:
    return [theorem.to_dict() for theorem in theorems]


def _text_table(header: list[str], body: list[list[str]], width: int | None = None) -> str:
    """Aligned columns; with ``width``, the last column is wrapped so every line fits."""
    widths = [max(len(h), *(len(r[i]) for r in body)) for i, h in enumerate(header)]
    if width is not None:
        widths[-1] = max(len(header[-1]), width - sum(widths[:-1]) - 2 * (len(widths) - 1))
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    for row in body:
        last = textwrap.wrap(row[-1], widths[-1]) or [""]
        cells = [*row[:-1], last[0]]
        lines.append("  ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip())
        indent = " " * (sum(widths[:-1]) + 2 * (len(widths) - 1))
        lines += [indent + more for more in last[1:]]
    return "\n".join(lines)


def _latex_cell(theorem: Theorem, row: dict[str, Any], key: str) -> str:
    exprs = {
        "schedule": theorem.schedule,
        "bound": theorem.bound,
        "order": theorem.leading,
        "k_to_eps": theorem.k_to_eps,
    }
    if exprs.get(key) is not None:
        return f"${sp.latex(exprs[key])}$"
    return _cell(row, key).replace("_", r"\_").replace("^", r"\^{}")


def render_catalog(
    theorems: Sequence[Theorem] = CATALOG, fmt: str = "text", wide: bool = False
) -> str:
    """The catalog as a table (text, markdown, latex) or a JSON list of ``to_dict()``s.

    The text table is compact by default (id, iterate, rate, title; within
    :data:`TERMINAL_WIDTH` columns); ``wide`` gives it every column, as the others have."""
    rows = _rows(theorems)
    if fmt == "text" and not wide:
        body = [[_cell(row, key) for _, key in COMPACT_COLUMNS] for row in rows]
        header = [title for title, _ in COMPACT_COLUMNS]
        return _text_table(header, body, TERMINAL_WIDTH)
    if fmt == "json":
        return strict_json.dumps(rows)
    header = [title for title, _ in _COLUMNS]
    if fmt == "latex":
        body = [
            [_latex_cell(theorem, row, key) for _, key in _COLUMNS]
            for theorem, row in zip(theorems, rows, strict=True)
        ]
        spec = "l" * len(header)
        lines = [rf"\begin{{tabular}}{{{spec}}}", r"\hline", " & ".join(header) + r" \\", r"\hline"]
        lines += [" & ".join(r) + r" \\" for r in body]
        lines += [r"\hline", r"\end{tabular}"]
        return "\n".join(lines)
    body = [[_cell(row, key) for _, key in _COLUMNS] for row in rows]
    if fmt == "markdown":
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        lines += ["| " + " | ".join(c.replace("|", r"\|") for c in r) + " |" for r in body]
        return "\n".join(lines)
    return _text_table(header, body)


def exhibit_command(exhibit: Mapping[str, Any]) -> str:
    """The ``ratecheck verify`` command line of an exhibit (its keys as flags)."""
    words = ["ratecheck", "verify"]
    for key, value in exhibit.items():
        if key == "constants":
            value = ",".join(f"{name}={number!r}" for name, number in value.items())
        words += [f"--{key.replace('_', '-')}", str(value)]
    return shlex.join(words)


def _exhibit_line(theorem: Theorem) -> str:
    """The exhibit's command; for a lower bound, which verify refuses, the run of its order."""
    assert theorem.exhibit is not None
    if theorem.kind != "lower":
        return exhibit_command(theorem.exhibit)
    order = {**theorem.exhibit, "expect": f"O({theorem.order})"}
    return f"{exhibit_command(order)}   (verify refuses a lower bound; its order is attained here)"


def render_theorem(theorem: Theorem, fmt: str = "text") -> str:
    """One theorem with its assumptions, source and derivation."""
    row = theorem.to_dict()
    if fmt == "json":
        return strict_json.dumps(row)
    if fmt == "latex":
        return "\n".join(
            [
                rf"\paragraph{{{row['id']}}} {theorem.title}.",
                rf"Bound: $B(k) = {sp.latex(theorem.bound)}$.",
                f"Source: {row['source']}.",
            ]
        )
    text = theorem.summary()
    if theorem.exhibit is not None:
        text += f"\n  exhibit      {_exhibit_line(theorem)}"
    if fmt == "markdown":
        return f"### `{row['id']}`\n\n```\n{text}\n```"
    return text


def render_robbins_monro(result: RobbinsMonroResult, fmt: str = "text") -> str:
    """A Robbins–Monro decision as readable lines or a JSON object."""
    if fmt == "json":
        return strict_json.dumps(result.to_dict())
    return result.summary()
