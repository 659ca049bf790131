"""``index.html``: the report as one static HTML page (no JavaScript, a small inline CSS).

Figures are PNG files in ``figures/`` next to the page, referenced by relative paths.
Every string that comes from a suite, a result or a theorem goes through
:func:`html.escape` (quotes included), so a title such as ``<script>`` is shown, never
run. Theorems are 2-D Unicode math in ``<pre>`` blocks.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from html import escape
from urllib.parse import quote

from reports.render import content
from reports.suite.model import CheckResult

__all__ = ["render_html"]

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0 auto;
  max-width: 1100px; padding: 1rem 1.5rem 3rem; color: #1d1d1f; line-height: 1.45; }
h1 { margin-bottom: 0.2rem; } h2 { margin-top: 2.5rem; border-top: 1px solid #ccc;
  padding-top: 1rem; } h3 { margin-bottom: 0.3rem; }
table { border-collapse: collapse; margin: 0.5rem 0 1rem; font-size: 0.92rem; }
th, td { border: 1px solid #d0d0d0; padding: 0.3rem 0.5rem; text-align: left;
  vertical-align: top; }
th { background: #f2f2f2; }
pre { background: #f7f7f7; border: 1px solid #e2e2e2; padding: 0.6rem; overflow-x: auto;
  font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; line-height: 1.2; }
pre.command { white-space: pre-wrap; overflow-wrap: anywhere; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto;
  border: 1px solid #e2e2e2; } figcaption { font-size: 0.85rem; color: #555; }
.status { font-weight: 600; padding: 0.1rem 0.4rem; border-radius: 0.25rem;
  white-space: nowrap; }
.as-expected { background: #d9f2dd; color: #0b5d1e; }
.unexpected, .error { background: #fbdada; color: #8a1010; }
.inconclusive { background: #fff1c9; color: #7a5600; }
.picture { background: #e3ecfa; color: #1d4380; }
.meta, .section { color: #555; } .claim { font-size: 1.05rem; }
"""


def _e(text: object) -> str:
    return escape(str(text), quote=True)


def _status(status: str) -> str:
    css = status if status in content.STATUS_TEXT else "error"
    text = content.STATUS_TEXT.get(status, status)
    return f'<span class="status {css}">{_e(text)}</span>'


def _table(header: Sequence[str], rows: Sequence[Sequence[str]], table_id: str = "") -> str:
    """A table whose cells are already HTML."""
    head = "".join(f"<th>{cell}</th>" for cell in header)
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row) + "</tr>" for row in rows)
    opening = f'<table id="{table_id}">' if table_id else "<table>"
    return f"{opening}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _summary(results: Sequence[CheckResult]) -> str:
    header = ["#", "check", "claim", "expected rate", "fitted exponent", "verdict", "status"]
    rows = []
    for number, row in enumerate(content.summary_rows(results), start=1):
        rows.append(
            [
                str(number),
                f'<a href="#check-{number}">{_e(row.id)}</a>',
                _e(row.claim),
                _e(row.expected_rate),
                _e(row.exponent),
                f"{_e(row.verdict)}<br><small>expected {_e(row.expected)}</small>",
                _status(row.status),
            ]
        )
    return _table(header, rows, "summary")


def _theorem(result: CheckResult) -> str:
    theorem = content.theorem_text(result.spec.theorem)
    if theorem is None:
        return ""
    parts = [
        "<h3>Theorem</h3>",
        f"<p><b>{_e(theorem.id)}</b>: {_e(theorem.title)}</p>",
        f'<pre class="math">{_e(theorem.statement)}</pre>',
    ]
    if theorem.valid_from:
        parts.append(f"<p>for k ≥ {theorem.valid_from}</p>")
    if theorem.schedule:
        parts.append(f'<pre class="math">{_e(theorem.schedule)}</pre>')
    items = "".join(f"<li><b>{_e(tag)}</b>: {_e(text)}</li>" for tag, text in theorem.assumptions)
    parts.append(f"<p>Iterate: {_e(theorem.iterate)}. Assumptions:</p><ul>{items}</ul>")
    if theorem.conditions:
        shown = "\n\n".join(theorem.conditions)
        parts.append(f'<p>Conditions:</p><pre class="math">{_e(shown)}</pre>')
    parts.append(f"<p>Source: {_e(theorem.source)}</p>")
    if theorem.notes:
        parts.append(f"<p>Note: {_e(theorem.notes)}</p>")
    return "\n".join(parts)


def _figures(result: CheckResult, names: Sequence[str], figure_dir: str) -> str:
    parts = []
    for panel, name in zip(result.panels, names, strict=True):
        src = f"{quote(figure_dir)}/{quote(name)}"
        parts.append(
            f'<figure><img src="{_e(src)}" alt="{_e(panel.title)}" loading="lazy">'
            f"<figcaption>{_e(panel.title)}</figcaption></figure>"
        )
    return "\n".join(parts)


def _check(
    number: int, result: CheckResult, names: Sequence[str], figure_dir: str, quick: bool
) -> str:
    spec = result.spec
    where = f"{_e(spec.section)} · " if spec.section else ""
    parts = [
        f'<section class="check" id="check-{number}">',
        f"<h2>{number}. {_e(spec.title)}</h2>",
        f'<p class="section">{where}check <code>{_e(spec.id)}</code></p>',
        f'<p class="claim"><b>Claim.</b> {_e(spec.claim)}</p>',
        f"<p>{_status(result.status)} {_e(content.status_sentence(result))}</p>",
        _figures(result, names, figure_dir),
        _theorem(result),
        "<h3>Setup and seeds</h3>",
    ]
    items = content.setup_items(result, quick)
    if items:
        parts.append(_table(["setting", "value"], [[_e(k), _e(v)] for k, v in items]))
    commands = content.check_commands(result)
    if commands:
        parts.append(f'<p>Rerun:</p><pre class="command">{_e(chr(10).join(commands))}</pre>')
    parts += ["<h3>Verdict</h3>", f"<p>{_e(result.reason)}</p>"]
    runs = content.run_rows(result)
    if runs:
        header = ["expected", "setup", "verdict", "fitted exponent"]
        parts.append(_table(header, [[_e(cell) for cell in row] for row in runs]))
    if result.metrics:
        rows = [[_e(k), _e(content.value_text(v))] for k, v in result.metrics.items()]
        parts += ["<h3>Metrics</h3>", _table(["metric", "value"], rows)]
    parts.append("</section>")
    return "\n".join(part for part in parts if part)


def render_html(
    results: Sequence[CheckResult],
    figures: Mapping[str, Sequence[str]],
    *,
    quick: bool,
    created: str,
    version: str,
    figure_dir: str = "figures",
) -> str:
    """The HTML page; ``figures`` are the PNG names of each check's panels by id."""
    counts = " ".join(
        f"{_status(status)} {sum(r.status == status for r in results)}"
        for status in content.STATUS_TEXT
        if any(r.status == status for r in results)
    )
    body = [
        "<h1>ratecheck report</h1>",
        f'<p class="meta">{len(results)} checks{" (--quick run)" if quick else ""}. '
        f"Created {_e(created)} by ratecheck {_e(version)}.</p>",
        f"<p>{counts}</p>",
        "<h2>Summary</h2>",
        _summary(results),
    ]
    for number, result in enumerate(results, start=1):
        body.append(_check(number, result, figures.get(result.spec.id, []), figure_dir, quick))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        "<title>ratecheck report</title>\n"
        f"<style>{_CSS}</style>\n</head>\n<body>\n" + "\n".join(body) + "\n</body>\n</html>\n"
    )
