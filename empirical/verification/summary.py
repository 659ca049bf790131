"""The text of a verification, as ``ratecheck verify`` prints it (and
:meth:`VerificationResult.summary` returns it).

Pure formatting of :meth:`empirical.verification.result.VerificationResult.to_dict`: the
claim, the fitted exponent (or contraction) with its interval, the expected one, the
window, the verdict and why, what to do next, and the command that reproduces the run.
"""

from __future__ import annotations

import textwrap
from typing import Any

_WIDTH = 100
_INDENT = " " * 12


def _line(head: str, body: str) -> str:
    return textwrap.fill(
        body,
        width=_WIDTH,
        initial_indent=f"  {head:<10}",
        subsequent_indent=_INDENT,
        break_on_hyphens=False,
        break_long_words=False,
    )


def _shell_words(command: str) -> list[str]:
    """The words of a POSIX shell command as written, quotes kept: split at the spaces
    outside quotes."""
    words, word, quote = [], "", ""
    for char in command:
        if char == " " and not quote:
            if word:
                words.append(word)
            word = ""
            continue
        if char in "'\"" and quote in ("", char):
            quote = "" if quote else char
        word += char
    return [*words, word] if word else words


def _command(head: str, command: str) -> str:
    """``command`` under ``head``, broken between words with shell line continuations
    (`` \\``), so that its lines pasted into a shell run it as one command."""
    lines: list[str] = []
    line, first = f"  {head:<10}", True
    for word in _shell_words(command):
        if not first and len(line) + len(word) + 3 > _WIDTH:  # room for " word \\"
            lines.append(line + " \\")
            line, first = _INDENT, True
        line += word if first else f" {word}"
        first = False
    return "\n".join([*lines, line])


def _claim(data: dict[str, Any]) -> str:
    cfg, expected = data["config"], data["expected"]
    iterate = "last iterate" if expected["iterate"] == "last" else f"{expected['iterate']} average"
    quantity = "F(w) - F*" if expected["quantity"] == "gap" else "||w - w*||^2"
    what = f"{expected['text']}"
    if expected["kind"] == "theorem" and expected["rate"]:
        what += f" (rate {expected['rate']})"
    return (
        f"{cfg['optimizer']} on {cfg['objective']} with eta_k = {cfg['schedule']}, batch "
        f"{cfg['batch_size']} ({cfg['sampling']}): {quantity} of the {iterate} follows {what}"
    )


def _interval(entry: dict[str, Any] | None, digits: int = 3) -> str:
    if not entry or entry.get("estimate") is None:
        return "n/a"
    level = entry.get("level")
    pct = f"{100 * level:g}% CI " if level is not None else "CI "
    return (
        f"{entry['estimate']:.{digits}f} ({pct}{entry['ci_low']:.{digits}f} to "
        f"{entry['ci_high']:.{digits}f})"
    )


def _fitted(data: dict[str, Any]) -> str:
    replicates = data["trace"]["replicates"]
    if data["contraction"]:
        return (
            f"contraction per step {_interval(data['contraction'], 4)}, R = {replicates} replicates"
        )
    if data["exponent"]["estimate"] is None:
        return "no rate fitted"
    fit = (data["checks"]["rate"] or {}).get("fit") or {}
    divided = f" of gap/{fit['fixed_factor']}" if fit.get("fixed_factor") else ""
    return f"exponent{divided} {_interval(data['exponent'])}, R = {replicates} replicates"


def _expected(data: dict[str, Any]) -> str:
    expected = data["expected"]
    checks = data["checks"]
    tolerance = (checks["rate"] or {}).get("tolerance")
    if expected["mode"] == "linear":
        text = "linear convergence (contraction < 1, unknown)"
    elif expected["mode"] == "none":
        text = "no rate (the bound tends to a floor); its values are checked"
    elif expected["contraction"] is not None:
        text = f"contraction {expected['contraction']:.6g}"
    else:
        text = f"exponent {expected['exponent']:g}"
        if expected["log_power"]:
            text += f" with (log k)^{expected['log_power']:g}"
    if expected["mode"] == "match":
        text += f", matched within +-{tolerance:g} (equivalence test)"
    elif expected["mode"] == "upper":
        text += f", as an upper bound (faster passes; tolerance {tolerance:g})"
    return text


def _window(data: dict[str, Any]) -> str:
    fit = (data["checks"]["rate"] or {}).get("fit") or {}
    if data["window"] is None:
        return "none (no rate fitted)"
    start, end = data["window"]
    text = f"k in [{start}, {end}]"
    if fit:
        text += f", {fit['decades']:.1f} decades, burn-in: {fit['window_rule']}"
        if fit["flags"]:
            text += f"; flags {', '.join(fit['flags'])}"
    return text


def _bound(data: dict[str, Any]) -> str:
    bound = data["bound_check"]
    if not bound["performed"]:
        return f"skipped: {bound['skipped']}"
    parts = []
    for name in ("bound", "constant"):
        verdict = bound[name]
        if verdict:
            parts.append(f"{name} {verdict['outcome'].upper()} ({verdict['label']})")
    if bound["skipped"]:
        parts.append(f"per-checkpoint bound skipped: {bound['skipped']}")
    if bound["kind"] == "exact" and bound["bound"]:
        parts.append("an exact formula is decided by its constant")
    return f"{bound['outcome'].upper()}: " + "; ".join(parts)


def _next(data: dict[str, Any]) -> str | None:
    rerun = data["rerun"]
    if data["verdict"] != "inconclusive":
        return None
    steps = []
    if rerun["replicates"]:
        steps.append(f"--replicates {rerun['replicates']}")
    if rerun["steps"]:
        steps.append(f"--steps {rerun['steps']}")
    if not steps:
        return "rerun longer or with more replicates"
    return "rerun with " + " or ".join(steps)


def _stages(stages: list[dict[str, Any]]) -> str:
    looks = []
    for stage in stages:
        text = f"R = {stage['replicates']}, K = {stage['steps']} at alpha {stage['alpha']:g}: "
        text += stage["outcome"].upper()
        text += f" ({stage['label']})"
        if stage["outcome"] == "inconclusive" and stage["needed_replicates"]:
            text += f", asks R = {stage['needed_replicates']}"
        looks.append(text)
    return "; then ".join(looks)


def summary_text(data: dict[str, Any]) -> str:
    """The verification ``data`` (a ``ratecheck.verdict/2`` object) as lines of text."""
    verdict = data["verdict"].upper()
    lines = [
        f"ratecheck verify: {verdict} ({data['label']})",
        _line("claim", _claim(data)),
        _line("fitted", _fitted(data)),
        _line("expected", _expected(data)),
        _line("window", _window(data)),
        _line("bound", _bound(data)),
        _line("verdict", data["reason"]),
    ]
    if data["stages"]:
        lines.append(_line("stages", _stages(data["stages"])))
    lines += [_line("note", note) for note in data["notes"]]
    advice = _next(data)
    if advice:
        lines.append(_line("next", advice))
    lines.append(_command("reproduce", data["rerun"]["command"]))
    return "\n".join(lines)
