"""What a report says, as plain strings: the Markdown and HTML renderers format these.

Every string here is raw text (user-supplied titles and claims included); each renderer
escapes it for its format. Theorems are shown in readable math: SymPy's 2-D Unicode
pretty form with Greek letters for the constants' names (``lam`` is shown as λ), in a
monospaced block, so the page needs no JavaScript.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.printing.pretty.pretty import PrettyPrinter
from sympy.printing.pretty.stringpict import prettyForm

from reports.suite.model import CheckResult
from theory.catalog import get_theorem
from theory.errors import RatecheckError
from theory.theorems import ASSUMPTIONS, Theorem

__all__ = [
    "STATUS_TEXT",
    "SummaryRow",
    "TheoremText",
    "check_commands",
    "exponent_text",
    "outcome_text",
    "pretty",
    "run_rows",
    "setup_items",
    "status_sentence",
    "summary_rows",
    "theorem_text",
    "value_text",
]

STATUS_TEXT: dict[str, str] = {
    "as-expected": "as expected",
    "unexpected": "UNEXPECTED",
    "inconclusive": "inconclusive",
    "picture": "picture",
    "error": "ERROR",
}
"""How each status is shown."""

DISPLAY_NAMES: dict[str, str] = {
    "lam": "λ",
    "mu": "μ",
    "sigma": "σ",
    "gamma": "γ",
    "alpha": "α",
    "eta": "η",
    "beta": "β",
    "eps": "ε",
    "kappa": "κ",
    "k0": "k₀",
}
"""Symbol name -> the letter shown (printing only; the symbols are theory.symbols')."""

_SETUP_KEYS = (
    "objective",
    "optimizer",
    "schedule",
    "batch_size",
    "sampling",
    "average",
    "steps",
    "replicates",
    "seed",
    "expect",
    "constants",
)


class _Printer(PrettyPrinter):
    """SymPy's Unicode pretty printer showing symbols by :data:`DISPLAY_NAMES`."""

    def _print_Symbol(self, e: sp.Symbol, bold_name: bool = False) -> prettyForm:
        return prettyForm(DISPLAY_NAMES.get(e.name, e.name))


def _form(expr: sp.Basic) -> prettyForm:
    return _Printer({"use_unicode": True, "wrap_line": False})._print(expr)


def pretty(expr: sp.Basic, prefix: str = "") -> str:
    """``prefix`` followed by ``expr`` in 2-D Unicode math (several lines for fractions)."""
    form = _form(expr)
    if prefix:
        form = prettyForm(*form.left(prefix))
    return "\n".join(line.rstrip() for line in str(form).splitlines())


@dataclass(frozen=True)
class TheoremText:
    """A theorem as readable text: ``statement`` is the bound in 2-D math."""

    id: str
    title: str
    statement: str
    schedule: str | None
    iterate: str
    assumptions: tuple[tuple[str, str], ...]
    conditions: tuple[str, ...]
    valid_from: int
    source: str
    notes: str


def _lhs(theorem: Theorem) -> str:
    point = {"last": "wₖ", "any": "ŵₖ"}.get(theorem.iterate, "w̄ₖ")
    what = {"gap": f"E[F({point}) − F*]", "dist2": f"E‖{point} − w*‖²"}[theorem.quantity]
    relation = {"upper": "≤", "lower": "≥", "exact": "=", "asymptotic": "~"}[theorem.kind]
    return f"{what} {relation} "


def theorem_text(theorem_id: str | None) -> TheoremText | None:
    """The readable form of catalog theorem ``theorem_id`` (None if absent or unknown)."""
    if not theorem_id:
        return None
    try:
        theorem = get_theorem(theorem_id)
    except RatecheckError:
        return None
    iterate = theorem.iterate
    if theorem.iterate_param is not None:
        iterate += f" ({pretty(theorem.iterate_param)})"
    return TheoremText(
        id=theorem.id,
        title=theorem.title,
        statement=pretty(theorem.bound, _lhs(theorem)),
        schedule=None if theorem.schedule is None else pretty(theorem.schedule, "ηₖ = "),
        iterate=iterate,
        assumptions=tuple((tag, ASSUMPTIONS[tag].statement) for tag in theorem.assumptions),
        conditions=tuple(pretty(cond) for cond in theorem.conditions),
        valid_from=theorem.valid_from,
        source=theorem.source,
        notes=theorem.notes,
    )


def value_text(value: Any) -> str:
    """A number to 4 significant digits; anything else as text (mappings as k=v lists)."""
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return f"{value:.4g}" if math.isfinite(value) else str(value)
    if isinstance(value, Mapping):
        return ", ".join(f"{key}={value_text(item)}" for key, item in value.items()) or "–"
    if isinstance(value, list | tuple):
        return ", ".join(value_text(item) for item in value)
    return str(value)


def exponent_text(exponent: Mapping[str, Any] | None) -> str:
    """``-1.012 [-1.05, -0.98]`` (the fitted exponent and its CI), ``rho = ...`` for a
    fitted log-rate per step, ``–`` without a fit."""
    if not exponent or exponent.get("estimate") is None:
        return "–"
    value, low, high = (exponent.get(key) for key in ("estimate", "ci_low", "ci_high"))
    level = exponent.get("level")
    ci = f"{100 * level:g}% CI " if isinstance(level, float) else "CI "
    if exponent.get("parameter") == "log-rate per step":
        return f"ρ = {math.exp(value):.4g} ({ci}{math.exp(low):.4g} to {math.exp(high):.4g})"
    if low is None or high is None:
        return f"{value:.3f}"
    return f"{value:.3f} ({ci}{low:.3f} to {high:.3f})"


def outcome_text(verdict: str, label: str | None) -> str:
    """``pass (within)``, ``fail (stalls)``, ``picture``."""
    return f"{verdict} ({label})" if label and label != verdict else verdict


def _expected_outcome(result: CheckResult) -> str:
    spec = result.spec
    return outcome_text(spec.expect, spec.expect_label)


def status_sentence(result: CheckResult) -> str:
    """One sentence: the status and what was expected against what happened."""
    expected = _expected_outcome(result)
    got = outcome_text(result.verdict, result.label)
    return {
        "as-expected": f"As expected: the claim predicts {expected}, and the verdict is {got}.",
        "unexpected": f"Unexpected: the claim predicts {expected}, but the verdict is {got}.",
        "inconclusive": f"Inconclusive: the claim predicts {expected}; the data do not decide.",
        "picture": "A picture: this check draws, it has no verdict.",
        "error": "Error: the check could not run.",
    }.get(result.status, result.status)


@dataclass(frozen=True)
class SummaryRow:
    """One row of the summary table."""

    id: str
    title: str
    claim: str
    theorem: str
    expected_rate: str
    exponent: str
    verdict: str
    expected: str
    status: str


def summary_rows(results: Sequence[CheckResult]) -> list[SummaryRow]:
    """The summary table: one row per check, in suite order."""
    return [
        SummaryRow(
            id=result.spec.id,
            title=result.spec.title,
            claim=result.spec.claim,
            theorem=result.spec.theorem or "–",
            expected_rate=result.expected_rate or "–",
            exponent=exponent_text(result.exponent),
            verdict=outcome_text(result.verdict, result.label),
            expected=_expected_outcome(result),
            status=result.status,
        )
        for result in results
    ]


def setup_items(result: CheckResult, quick: bool) -> list[tuple[str, str]]:
    """The configuration as (name, value) pairs: the run's settings for a ``verify`` check,
    else the check's parameters (with the ``--quick`` overrides when ``quick``)."""
    if result.spec.kind == "verify" and len(result.verdicts) == 1:
        config = result.verdicts[0].get("config", {})
        return [(key, value_text(config[key])) for key in _SETUP_KEYS if config.get(key)]
    params = result.spec.effective_params(quick)
    return [(str(key), value_text(value)) for key, value in params.items()]


def check_commands(result: CheckResult) -> list[str]:
    """The ``ratecheck verify ...`` commands that rerun the check's verifications."""
    commands = []
    for verdict in result.verdicts:
        command = (verdict.get("rerun") or {}).get("command") or verdict.get("config", {}).get(
            "command"
        )
        if command and command not in commands:
            commands.append(command)
    return commands


def run_rows(result: CheckResult) -> list[tuple[str, str, str, str]]:
    """One row per verification of a check with several: (expect, setup, verdict, fit)."""
    if len(result.verdicts) < 2:
        return []
    rows = []
    for verdict in result.verdicts:
        config = verdict.get("config", {})
        setup = ", ".join(
            f"{key}={value_text(config[key])}"
            for key in ("objective", "optimizer", "schedule", "batch_size", "average")
            if config.get(key) not in (None, "", "none")
        )
        exponent = dict(verdict.get("exponent") or {})
        rows.append(
            (
                str(verdict.get("expected", {}).get("text", "–")),
                setup,
                outcome_text(str(verdict.get("verdict")), verdict.get("label")),
                exponent_text(exponent),
            )
        )
    return rows
