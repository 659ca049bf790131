"""``report.md``: the report as Markdown (summary table first, then one section per check).

Every user-supplied string is escaped: ``& < >`` become entities (no raw HTML gets
through to a Markdown renderer), Markdown's own markup characters get a backslash, and
table cells lose their line breaks. Theorems and commands go in fenced code blocks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

from reports.render import content
from reports.suite.model import CheckResult

__all__ = ["md_code", "md_text", "render_markdown"]

_MARKUP = re.compile(r"([\\`*_\[\]|#])")


def md_text(text: object) -> str:
    """``text`` escaped for Markdown prose and table cells (one line)."""
    raw = " ".join(str(text).split())
    raw = raw.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKUP.sub(r"\\\1", raw)


def md_code(text: str, language: str = "") -> str:
    """``text`` in a fenced code block whose fence is longer than any backtick run in it."""
    runs = [len(run) for run in re.findall(r"`+", text)]
    fence = "`" * max(3, max(runs, default=0) + 1)
    return f"{fence}{language}\n{text}\n{fence}"


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def _summary(results: Sequence[CheckResult]) -> str:
    header = ["#", "check", "claim", "expected rate", "fitted exponent", "verdict", "status"]
    rows = []
    for number, row in enumerate(content.summary_rows(results), start=1):
        rows.append(
            [
                str(number),
                f"[{md_text(row.id)}](#check-{number})",
                md_text(row.claim),
                md_text(row.expected_rate),
                md_text(row.exponent),
                md_text(f"{row.verdict}; expected {row.expected}"),
                f"**{md_text(content.STATUS_TEXT.get(row.status, row.status))}**",
            ]
        )
    return _table(header, rows)


def _theorem(result: CheckResult) -> list[str]:
    theorem = content.theorem_text(result.spec.theorem)
    if theorem is None:
        return []
    lines = ["### Theorem", "", f"**{md_text(theorem.id)}**: {md_text(theorem.title)}", ""]
    lines += [md_code(theorem.statement), ""]
    if theorem.valid_from:
        lines += [f"for k ≥ {theorem.valid_from}", ""]
    if theorem.schedule:
        lines += [md_code(theorem.schedule), ""]
    lines.append(f"Iterate: {md_text(theorem.iterate)}. Assumptions:")
    lines.append("")
    lines += [f"- {md_text(tag)}: {md_text(text)}" for tag, text in theorem.assumptions]
    if theorem.conditions:
        lines += ["", "Conditions:", "", md_code("\n\n".join(theorem.conditions))]
    lines += ["", f"Source: {md_text(theorem.source)}"]
    if theorem.notes:
        lines += ["", f"Note: {md_text(theorem.notes)}"]
    return [*lines, ""]


def _check(
    number: int, result: CheckResult, figures: Sequence[str], figure_dir: str, quick: bool
) -> list[str]:
    spec = result.spec
    lines = [f'<a id="check-{number}"></a>', "", f"## {number}. {md_text(spec.title)}", ""]
    if spec.section:
        lines += [f"*{md_text(spec.section)}* · check {md_text(spec.id)}", ""]
    else:
        lines += [f"check {md_text(spec.id)}", ""]
    lines += [f"**Claim.** {md_text(spec.claim)}", ""]
    lines += [f"**{md_text(content.status_sentence(result))}**", ""]
    for panel, name in zip(result.panels, figures, strict=True):
        lines += [f"![{md_text(panel.title)}]({figure_dir}/{name})", ""]
    lines += _theorem(result)
    lines += ["### Setup and seeds", ""]
    items = content.setup_items(result, quick)
    if items:
        lines += [_table(["setting", "value"], [[md_text(k), md_text(v)] for k, v in items]), ""]
    commands = content.check_commands(result)
    if commands:
        lines += ["Rerun:", "", md_code("\n".join(commands), "sh"), ""]
    lines += ["### Verdict", "", md_text(result.reason), ""]
    runs = content.run_rows(result)
    if runs:
        header = ["expected", "setup", "verdict", "fitted exponent"]
        lines += [_table(header, [[md_text(cell) for cell in row] for row in runs]), ""]
    if result.metrics:
        rows = [[md_text(k), md_text(content.value_text(v))] for k, v in result.metrics.items()]
        lines += ["### Metrics", "", _table(["metric", "value"], rows), ""]
    return lines


def render_markdown(
    results: Sequence[CheckResult],
    figures: Mapping[str, Sequence[str]],
    *,
    quick: bool,
    created: str,
    version: str,
    figure_dir: str = "figures",
) -> str:
    """The Markdown report; ``figures`` are the PNG names of each check's panels by id."""
    counts = ", ".join(
        f"{sum(r.status == status for r in results)} {text}"
        for status, text in content.STATUS_TEXT.items()
        if any(r.status == status for r in results)
    )
    lines = [
        "# ratecheck report",
        "",
        f"{len(results)} checks{' (--quick run)' if quick else ''}: {counts}. "
        f"Created {md_text(created)} by ratecheck {md_text(version)}.",
        "",
        "## Summary",
        "",
        _summary(results),
        "",
    ]
    for number, result in enumerate(results, start=1):
        lines += _check(number, result, figures.get(result.spec.id, []), figure_dir, quick)
    return "\n".join(lines).rstrip() + "\n"
