"""PNG figures of a check's panels (matplotlib, Agg canvas, no pyplot state).

Rate panels (styles ``loglog``, ``semilogy``, ``linear``): each curve's mean as a solid
line with markers and its band shaded, its fitted line dashed and the theory's bound
dotted, in the curve's colour (with one curve: the fit red, the bound black). A log axis
drops values that are not positive; its range runs from the data's smallest value /
:data:`BELOW_DATA` to the largest value drawn, so a bound above the data stays in view
and one that falls far below it is cut. A legend of more than :data:`LEGEND_INSIDE`
entries goes below the axes.

Trajectory panels (style ``path``): the level sets of ``panel.contour`` (``x``, ``y``,
``z`` with ``z[i][j]`` the value at ``(x[j], y[i])``; levels spaced geometrically above
the minimum) and each curve's path (``k`` = first coordinate, ``mean`` = second) from a
circle (start) to a star (end); an ``optimum`` ``[x, y]`` in the contour is marked.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from reports.suite.cache import jsonable
from reports.suite.model import CheckResult, Curve, Panel

__all__ = [
    "FIGURE_SIZE",
    "draw_check",
    "figure_names",
    "panel_key",
    "render_panel",
    "write_figures",
]

FIGURE_SIZE = (7.2, 4.6)
"""Inches; at :data:`DPI` a figure is 792 x 506 pixels."""
DPI = 110
LEVELS = 18
SINGLE_FIT = "C3"
SINGLE_BOUND = "black"
"""Colours of the fit and the bound in a panel with one curve (else the curve's colour)."""
BELOW_DATA = 100.0
LEGEND_INSIDE = 4
"""A legend of up to this many entries goes inside the axes; a longer one goes below
them, and the figure grows by :data:`LEGEND_LINE` inches per entry."""
LEGEND_LINE = 0.16
PATH_LABELS = ("$w_1$", "$w_2$")
"""Axis labels of a trajectory panel whose curves keep the rate labels' defaults."""
_RATE_LABELS = (Curve.x_label, Curve.y_label)
_PNG_HEAD = b"\x89PNG\r\n\x1a\n"
_PNG_TAIL = b"IEND\xaeB`\x82"
_LOG_X = {"loglog"}
_LOG_Y = {"loglog", "semilogy"}
NOTHING_DRAWN = "no value to draw: none is finite (and > 0 on a log axis)"
"""What a panel says when every value is NaN, infinite or, on a log axis, <= 0 (a run
whose replicates all diverged before the first checkpoint)."""


def _array(values: Sequence[Any] | None) -> np.ndarray:
    """Floats with None as NaN."""
    if values is None:
        return np.array([], dtype=np.float64)
    return np.array([np.nan if v is None else v for v in values], dtype=np.float64)


def _visible(x: np.ndarray, y: np.ndarray, log_x: bool, log_y: bool) -> np.ndarray:
    """y with NaN where a point cannot be drawn (not finite, or <= 0 on a log axis)."""
    keep = np.isfinite(x) & np.isfinite(y)
    if log_x:
        keep &= x > 0
    if log_y:
        keep &= y > 0
    return np.where(keep, y, np.nan)


def _draw_curve(
    ax: Axes,
    curve: Curve,
    colors: tuple[str, str, str],
    text: Callable[[str], str],
    band_label: bool,
) -> list[np.ndarray]:
    """Draw one curve with ``colors`` (mean, fit, bound); return the values drawn (mean,
    band, bound). The band is named in the legend only if ``band_label``."""
    log_x, log_y = curve.style in _LOG_X, curve.style in _LOG_Y
    k = _array(curve.k)
    mean = _visible(k, _array(curve.mean), log_x, log_y)
    drawn = [mean]
    ax.plot(
        k, mean, "-", color=colors[0], marker="o", markersize=2.5, lw=1.6, label=text(curve.label)
    )
    if curve.low is not None and curve.high is not None:
        low = _visible(k, _array(curve.low), log_x, log_y)
        high = _visible(k, _array(curve.high), log_x, log_y)
        ok = np.isfinite(low) & np.isfinite(high)
        if ok.any():
            label = text(curve.band or "band") if band_label else None
            ax.fill_between(k, low, high, where=ok, color=colors[0], alpha=0.18, lw=0, label=label)
            drawn += [low, high]
    for key, style, width, color in (("fit", "--", 1.8, colors[1]), ("bound", ":", 2.4, colors[2])):
        line = curve.fit if key == "fit" else curve.bound
        if not line:
            continue
        lk = _array(line.get("k"))
        lv = _visible(lk, _array(line.get("value")), log_x, log_y)
        if np.isfinite(lv).any():
            ax.plot(lk, lv, style, color=color, lw=width, label=text(str(line.get("label") or key)))
            if key == "bound":
                drawn.append(lv)
    return drawn


def _limit_y(ax: Axes, data: list[np.ndarray], drawn: list[np.ndarray]) -> None:
    """On a log axis: from the data's smallest value / :data:`BELOW_DATA` (a bound far
    below the data is cut) to the largest value drawn (a bound above stays in view)."""
    positive = [v[np.isfinite(v) & (v > 0)] for v in drawn]
    values = np.concatenate(positive) if positive else np.array([])
    if values.size == 0:
        return
    means = np.concatenate([v[np.isfinite(v) & (v > 0)] for v in data])
    floor = (means.min() if means.size else values.min()) / BELOW_DATA
    ax.set_ylim(max(values.min(), floor) / 2, values.max() * 2)


def _draw_rates(ax: Axes, panel: Panel, text: Callable[[str], str]) -> None:
    single = len(panel.curves) == 1
    drawn: list[np.ndarray] = []
    data: list[np.ndarray] = []
    for i, curve in enumerate(panel.curves):
        color = f"C{i % 10}"
        colors = (color, SINGLE_FIT, SINGLE_BOUND) if single else (color, color, color)
        values = _draw_curve(ax, curve, colors, text, band_label=i == 0)
        data.append(values[0])
        drawn += values
    first = panel.curves[0]
    if not any(np.isfinite(values).any() for values in drawn):
        ax.text(0.5, 0.5, text(NOTHING_DRAWN), ha="center", va="center", transform=ax.transAxes)
        return
    if first.style in _LOG_X:
        ax.set_xscale("log")
    if first.style in _LOG_Y:
        ax.set_yscale("log")
        _limit_y(ax, data, drawn)
    ax.grid(True, which="major", alpha=0.35)
    ax.grid(True, which="minor", alpha=0.12)


def _levels(z: np.ndarray) -> np.ndarray:
    finite = z[np.isfinite(z)]
    low, high = float(finite.min()), float(finite.max())
    if high <= low:
        return np.array([low])
    span = high - low
    return low + np.geomspace(span * 1e-4, span, LEVELS)


def _draw_paths(ax: Axes, panel: Panel, text: Callable[[str], str]) -> None:
    contour = panel.contour or {}
    if contour:
        x, y = _array(contour.get("x")), _array(contour.get("y"))
        z = np.array(contour.get("z"), dtype=np.float64)
        if z.shape == (y.size, x.size) and np.isfinite(z).any():
            ax.contour(x, y, z, levels=_levels(z), colors="0.55", linewidths=0.7)
        optimum = contour.get("optimum")
        if optimum is not None:
            ax.plot([optimum[0]], [optimum[1]], "k*", markersize=12, label=text("optimum"))
    for i, curve in enumerate(panel.curves):
        color = f"C{i % 10}"
        px, py = _array(curve.k), _array(curve.mean)
        ok = np.isfinite(px) & np.isfinite(py)
        px, py = px[ok], py[ok]
        if px.size == 0:
            continue
        ax.plot(px, py, "-", color=color, lw=1.4, label=text(curve.label))
        ax.plot(px[:1], py[:1], "o", color=color, markersize=5)
        ax.plot(px[-1:], py[-1:], "*", color=color, markersize=9)
    if contour.get("x") and contour.get("y"):
        ax.set_xlim(min(contour["x"]), max(contour["x"]))
        ax.set_ylim(min(contour["y"]), max(contour["y"]))


def _draw(panel: Panel, path: Path, text: Callable[[str], str]) -> None:
    fig = Figure(figsize=FIGURE_SIZE, dpi=DPI, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    if panel.curves and panel.curves[0].style == "path":
        _draw_paths(ax, panel, text)
    elif panel.curves:
        _draw_rates(ax, panel, text)
    if panel.curves:
        first = panel.curves[0]
        default = first.style == "path" and (first.x_label, first.y_label) == _RATE_LABELS
        ax.set_xlabel(text(PATH_LABELS[0] if default else first.x_label))
        ax.set_ylabel(text(PATH_LABELS[1] if default else first.y_label))
    ax.set_title(text(panel.title), fontsize=10)
    handles, labels = ax.get_legend_handles_labels()
    if 0 < len(handles) <= LEGEND_INSIDE:
        ax.legend(fontsize=7.5, framealpha=0.85, loc="best")
    elif handles:
        width, height = FIGURE_SIZE
        fig.set_size_inches(width, height + LEGEND_LINE * len(handles))
        fig.legend(handles, labels, loc="outside lower center", fontsize=7.5, frameon=False)
    fig.savefig(path, format="png")


def _literal(label: str) -> str:
    """``label`` with every ``$`` escaped, so matplotlib draws it as plain text."""
    return label.replace("\\$", "$").replace("$", r"\$")


def render_panel(panel: Panel, path: str | Path) -> None:
    """Draw ``panel`` into the PNG file ``path``.

    Labels may use matplotlib mathtext (``$...$``); if one does not parse, the panel is
    drawn again with every label as plain text.
    """
    path = Path(path)
    try:
        _draw(panel, path, lambda label: label)
    except ValueError:
        _draw(panel, path, _literal)


STEM_MAX = 100
"""Longest stem of a figure's file name (a check id may be longer than a file name can be)."""


def _stem(check_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", check_id)[:STEM_MAX].strip("-.") or "check"


def figure_names(results: Sequence[CheckResult]) -> dict[str, list[str]]:
    """File names (unique, filesystem-safe) of each check's panels, by check id."""
    used: set[str] = set()
    names: dict[str, list[str]] = {}
    for result in results:
        stem = _stem(result.spec.id)
        files = []
        for index in range(len(result.panels)):
            name = f"{stem}-{index + 1}.png"
            serial = 2
            while name in used:
                name = f"{stem}~{serial}-{index + 1}.png"
                serial += 1
            used.add(name)
            files.append(name)
        names[result.spec.id] = files
    return names


@functools.lru_cache(maxsize=1)
def _renderer_version() -> str:
    """This module's source and matplotlib's version: what a PNG depends on besides data."""
    source = Path(__file__).read_bytes()
    return hashlib.sha256(source + matplotlib.__version__.encode()).hexdigest()


def panel_key(panel: Panel) -> str:
    """sha256 of the panel's data and :func:`_renderer_version`."""
    text = json.dumps(jsonable(panel.to_dict()), sort_keys=True, default=str)
    return hashlib.sha256((_renderer_version() + text).encode()).hexdigest()


def _is_png(path: Path) -> bool:
    """Whether ``path`` starts with the PNG signature and ends with the IEND chunk."""
    try:
        size = path.stat().st_size
        with path.open("rb") as handle:
            head = handle.read(len(_PNG_HEAD))
            handle.seek(max(0, size - len(_PNG_TAIL)))
            return head == _PNG_HEAD and handle.read() == _PNG_TAIL
    except OSError:
        return False


def _store(source: Path, cache_dir: Path, key: str) -> None:
    """Copy ``source`` into the figure cache atomically; a failed write is ignored."""
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".tmp-", suffix=".png")
        os.close(fd)
        shutil.copyfile(source, tmp)
        os.replace(tmp, cache_dir / f"{key}.png")
    except OSError:
        with contextlib.suppress(OSError, UnboundLocalError):
            os.unlink(tmp)


def draw_check(
    result: CheckResult,
    names: Sequence[str],
    directory: Path,
    cache: Path | None = None,
) -> None:
    """Draw ``result``'s panels into ``directory`` as the files ``names`` (copied from the
    PNG cache ``cache`` where a panel was drawn before, see :func:`write_figures`)."""
    for panel, name in zip(result.panels, names, strict=True):
        target = directory / name
        key = panel_key(panel) if cache is not None else ""
        if cache is not None and _is_png(cache / f"{key}.png"):
            shutil.copyfile(cache / f"{key}.png", target)
            continue
        render_panel(panel, target)
        if cache is not None:
            _store(target, cache, key)


def write_figures(
    results: Sequence[CheckResult],
    directory: str | Path,
    cache_dir: str | Path | None = None,
) -> dict[str, list[str]]:
    """Render every panel into ``directory`` (created if absent; other files are kept).

    With ``cache_dir``, a panel drawn before with the same data by the same renderer
    (:func:`panel_key`) is copied from there instead of drawn again, and new drawings
    are stored there; a cached file that is not a whole PNG is drawn again.
    Returns the file names by check id (as :func:`figure_names`).
    """
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    cache = Path(cache_dir) if cache_dir is not None else None
    names = figure_names(results)
    for result in results:
        draw_check(result, names[result.spec.id], directory, cache)
    return names
