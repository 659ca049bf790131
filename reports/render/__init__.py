"""Report rendering: figures (PNG), ``report.md``, ``index.html`` and ``results.json``.

``write_report(results, out)`` writes all four into the directory ``out``, whole or not at
all (:mod:`reports.render.output`).
"""

from __future__ import annotations

import dataclasses
import datetime
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from reports.render.figures import draw_check, figure_names, render_panel
from reports.render.html import render_html
from reports.render.markdown import render_markdown
from reports.render.output import check_out, publish
from reports.render.results_json import REPORT_SCHEMA, report_document, report_json
from reports.suite.model import CheckResult
from reports.version import ratecheck_version

__all__ = [
    "FIGURE_DIR",
    "REPORT_SCHEMA",
    "ReportFiles",
    "render_html",
    "render_markdown",
    "render_panel",
    "report_document",
    "write_report",
]

FIGURE_DIR = "figures"
"""The figures' directory inside the report directory."""


@dataclass(frozen=True)
class ReportFiles:
    """Paths of a written report."""

    html: Path
    markdown: Path
    json: Path
    figures: tuple[Path, ...]


def write_report(
    results: Sequence[CheckResult],
    out: str | os.PathLike[str],
    *,
    quick: bool = False,
    created: str | None = None,
    figure_cache: str | os.PathLike[str] | None = None,
    force: bool = False,
) -> ReportFiles:
    """Write ``out/index.html``, ``out/report.md``, ``out/results.json`` and
    ``out/figures/*.png`` (one per panel); ``created`` defaults to now (UTC).

    ``out`` must be new, empty or a previous report; ``force`` allows any directory and
    replaces only the report's own entries there (:func:`reports.render.output.publish`:
    built beside ``out`` and moved into place, so a failure leaves ``out`` unchanged).
    ``figure_cache``: a directory of PNGs by panel content (see
    :func:`reports.render.figures.write_figures`), so that a rerun with unchanged results
    copies its figures instead of drawing them."""
    if created is None:
        created = datetime.datetime.now(datetime.UTC).replace(microsecond=0).isoformat()
    version = ratecheck_version()
    common = {"quick": quick, "created": created, "version": version, "figure_dir": FIGURE_DIR}

    def build(directory: Path) -> dict[str, list[str]]:
        (directory / FIGURE_DIR).mkdir()
        names = figure_names(results)
        drawn = [_isolated(r, names, directory, figure_cache, common) for r in results]
        relative = {key: [f"{FIGURE_DIR}/{name}" for name in files] for key, files in names.items()}
        (directory / "index.html").write_text(render_html(drawn, names, **common), "utf-8")
        (directory / "report.md").write_text(render_markdown(drawn, names, **common), "utf-8")
        document = report_document(drawn, quick=quick, created=created, figures=relative)
        (directory / "results.json").write_text(report_json(document), encoding="utf-8")
        return names

    names = publish(out, build, force=force)
    target = check_out(out, force=True)
    figures = tuple(target / FIGURE_DIR / name for files in names.values() for name in files)
    return ReportFiles(
        html=target / "index.html",
        markdown=target / "report.md",
        json=target / "results.json",
        figures=figures,
    )


def _isolated(
    result: CheckResult,
    names: dict[str, list[str]],
    directory: Path,
    figure_cache: str | os.PathLike[str] | None,
    common: dict[str, Any],
) -> CheckResult:
    """``result`` once its figures are drawn and its sections render; if a stage fails,
    the check becomes an ``error`` with that one line (and no figures), so that one
    check never keeps the others from the report. ``names[id]`` is emptied then."""
    stage = "figures"
    try:
        cache = Path(figure_cache) if figure_cache is not None else None
        draw_check(result, names[result.spec.id], directory / FIGURE_DIR, cache)
        stage = "report sections"
        render_html([result], names, **common)
        render_markdown([result], names, **common)
        report_json(report_document([result], quick=bool(common["quick"]), created=""))
    except Exception as exc:  # any failure of this check's rendering is this check's error
        for name in names[result.spec.id]:
            (directory / FIGURE_DIR / name).unlink(missing_ok=True)
        names[result.spec.id] = []
        return dataclasses.replace(
            result,
            verdict="inconclusive",
            label="error",
            status="error",
            reason=f"The check ran, but its {stage} could not be written. "
            f"{type(exc).__name__}: {exc}",
            panels=(),
        )
    return result
