"""Rendering: escaping, figures next to the page, strict JSON, readable math, text forms."""

from __future__ import annotations

import json
import math
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from PIL import Image

from reports.render import FIGURE_DIR, REPORT_SCHEMA, write_report
from reports.render.content import exponent_text, pretty, theorem_text
from reports.render.figures import BELOW_DATA, _limit_y, render_panel
from reports.render.markdown import md_code, md_text
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel
from theory import symbols as S
from theory.catalog import CATALOG

HOSTILE = "<script>alert('x')</script> & \"quotes\" | pipe $x"

K = np.geomspace(1, 1000, 13)


def rate_curve(label: str = "mean", scale: float = 1.0) -> Curve:
    mean = scale / K
    return Curve(
        label=label,
        k=K.tolist(),
        mean=mean.tolist(),
        low=(0.5 * mean).tolist(),
        high=(1.5 * mean).tolist(),
        band="10-90% of replicates",
        fit={"k": K[4:].tolist(), "value": (scale / K[4:]).tolist(), "label": "fit"},
        bound={"k": K.tolist(), "value": (4 * scale / K).tolist(), "label": "bound"},
    )


def verdict(command: str, estimate: float) -> dict:
    return {
        "schema": "ratecheck.verdict/2",
        "verdict": "pass",
        "label": "within",
        "expected": {"text": "O(1/k)"},
        "exponent": {"estimate": estimate, "ci_low": estimate - 0.1, "ci_high": estimate + 0.1},
        "config": {"objective": "ridge", "optimizer": "sgd", "steps": 1000, "command": command},
        "rerun": {"command": command},
    }


def spec(check_id: str, **fields) -> CheckSpec:
    base = {"title": f"title {check_id}", "claim": f"claim {check_id}", "kind": "custom"}
    return CheckSpec(id=check_id, params={"n": 1}, function="f", **{**base, **fields})


def sample_results() -> list[CheckResult]:
    theorem = CheckResult(
        spec=spec("theorem", kind="verify", theorem="sgd-sc-dist"),
        verdict="pass",
        label="within",
        status="as-expected",
        reason="rate check: PASS",
        verdicts=(verdict("ratecheck verify --objective ridge", -1.02),),
        panels=(Panel(title="one curve", curves=(rate_curve(),)),),
        metrics={"replicates": 30, "nan metric": float("nan")},
        expected_rate="O(k^-1)",
        exponent={"estimate": -1.02, "ci_low": -1.1, "ci_high": -0.95, "level": 0.98},
    )
    several = CheckResult(
        spec=spec("several", expect="fail", expect_label="stalls"),
        verdict="fail",
        label="stalls",
        status="as-expected",
        reason="both stall",
        verdicts=(verdict("ratecheck verify --a", -0.1), verdict("ratecheck verify --b", -0.2)),
        panels=(
            Panel(title="two curves", curves=(rate_curve("b=1"), rate_curve("b=4", 0.25))),
            Panel(title="second panel", curves=(rate_curve(),)),
        ),
        metrics={"floor ratio": 2.01},
    )
    grid = np.linspace(-2, 2, 31)
    picture = CheckResult(
        spec=spec("picture", expect="picture"),
        verdict="picture",
        label=None,
        status="picture",
        reason="trajectories",
        panels=(
            Panel(
                title="paths",
                curves=(
                    Curve(label="sgd", k=[1.5, 0.5, 0.1], mean=[1.0, 0.3, 0.0], style="path"),
                    Curve(label="adam", k=[-1.5, -0.5, 0.0], mean=[1.0, 0.2, 0.0], style="path"),
                ),
                contour={
                    "x": grid.tolist(),
                    "y": grid.tolist(),
                    "z": (grid[None, :] ** 2 + 5 * grid[:, None] ** 2).tolist(),
                    "optimum": [0.0, 0.0],
                },
            ),
        ),
    )
    error = CheckResult(
        spec=spec("error"), verdict="inconclusive", label="error", status="error", reason="boom"
    )
    hostile_curve = Curve(label=HOSTILE, k=[1.0, 2.0], mean=[1.0, 0.5])
    hostile = CheckResult(
        spec=spec(HOSTILE, title=HOSTILE, claim=HOSTILE, section=HOSTILE),
        verdict="inconclusive",
        label=HOSTILE,
        status="inconclusive",
        reason=HOSTILE,
        verdicts=(verdict(HOSTILE, -1.0),),
        panels=(Panel(title=HOSTILE, curves=(hostile_curve,)),),
        metrics={HOSTILE: HOSTILE},
        expected_rate=HOSTILE,
    )
    return [theorem, several, picture, error, hostile]


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> tuple[Path, list[CheckResult]]:
    out = tmp_path_factory.mktemp("report")
    results = sample_results()
    write_report(results, out, created="2024-01-02T03:04:05+00:00")
    return out, results


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.images: list[str] = []
        self.summary_rows = 0
        self._in_summary = False

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        attrs = dict(attrs)
        if tag == "img":
            self.images.append(attrs["src"])
        if tag == "table" and attrs.get("id") == "summary":
            self._in_summary = True
        if tag == "tr" and self._in_summary:
            self.summary_rows += 1

    def handle_endtag(self, tag):
        if tag == "table":
            self._in_summary = False


def parse(html: str) -> _Collector:
    collector = _Collector()
    collector.feed(html)
    return collector


def test_html_escapes_every_user_string_and_has_no_script(report):
    out, _ = report
    html = (out / "index.html").read_text()
    assert not re.search(r"<\s*script", html, re.IGNORECASE)
    assert "javascript:" not in html.lower()
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt; &amp; &quot;quotes&quot;" in html
    assert "script" not in parse(html).tags


def test_markdown_lets_no_raw_html_through(report):
    """Outside fenced code blocks (shown verbatim by Markdown) no tag survives."""
    out, _ = report
    text = (out / "report.md").read_text()
    prose = re.sub(r"^(`{3,})[^\n]*\n.*?^\1$", "", text, flags=re.MULTILINE | re.DOTALL)
    assert prose.count("```") == 0  # every fenced block was closed
    assert not re.search(r"<\s*script", prose, re.IGNORECASE)
    assert "&lt;script&gt;" in prose


def test_every_image_is_a_png_next_to_the_page(report):
    out, results = report
    images = parse((out / "index.html").read_text()).images
    assert len(images) == sum(len(r.panels) for r in results) == len(set(images))
    for src in images:
        assert src.startswith(f"{FIGURE_DIR}/")
        with Image.open(out / src) as image:
            image.verify()
            assert image.format == "PNG" and image.width == 792 and image.height >= 506
    assert sorted(p.name for p in (out / FIGURE_DIR).iterdir()) == sorted(
        Path(src).name for src in images
    )


def test_summary_table_lists_every_check_first(report):
    out, results = report
    html = (out / "index.html").read_text()
    assert parse(html).summary_rows == len(results) + 1
    assert html.index('id="summary"') < html.index('id="check-1"')
    markdown = (out / "report.md").read_text()
    summary = markdown.split("## Summary", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in summary.splitlines() if line.startswith("| ")]
    assert len(rows) == len(results) + 1
    assert all(row.count(" | ") == 6 for row in rows[1:])


def test_results_json_is_strict_and_versioned(report):
    out, results = report

    def refuse(name: str) -> None:
        raise AssertionError(f"non-strict JSON constant {name}")

    document = json.loads((out / "results.json").read_text(), parse_constant=refuse)
    assert document["schema"] == REPORT_SCHEMA
    assert document["created"] == "2024-01-02T03:04:05+00:00"
    assert document["quick"] is False and document["exit_code"] == 1
    assert document["counts"] == {"as-expected": 2, "error": 1, "inconclusive": 1, "picture": 1}
    assert [c["id"] for c in document["checks"]] == [r.spec.id for r in results]
    first = document["checks"][0]
    assert first["metrics"]["nan metric"] is None
    assert first["verdicts"][0]["schema"] == "ratecheck.verdict/2"
    for check, result in zip(document["checks"], results, strict=True):
        assert len(check["figures"]) == len(result.panels)
        assert all((out / name).is_file() for name in check["figures"])


def test_a_check_shows_its_theorem_setup_command_and_verdict(report):
    out, _ = report
    html = (out / "index.html").read_text()
    section = html.split('id="check-1"', 1)[1].split("</section>", 1)[0]
    for words in (
        "sgd-sc-dist",
        "E‖wₖ − w*‖² ≤",
        "λ",
        "ratecheck verify --objective ridge",
        "Setup and seeds",
        "rate check: PASS",
        "Metrics",
    ):
        assert words in section, words
    several = html.split('id="check-2"', 1)[1].split("</section>", 1)[0]
    assert "ratecheck verify --a" in several and "ratecheck verify --b" in several
    assert "predicts fail (stalls), and the verdict is fail (stalls)" in several


@pytest.mark.parametrize("theorem", CATALOG, ids=[t.id for t in CATALOG])
def test_every_catalog_theorem_reads_as_math(theorem):
    text = theorem_text(theorem.id)
    assert text is not None and text.id == theorem.id
    relation = {"upper": "≤", "lower": "≥", "exact": "=", "asymptotic": "~"}[theorem.kind]
    assert f" {relation} " in text.statement
    for name in ("lam", "sigma", "gamma", "alpha", "eta", "kappa"):
        assert not re.search(rf"\b{name}\b", text.statement), name
    lines = text.statement.splitlines()
    assert len(lines) >= 1 and all(len(line) < 120 for line in lines)


def test_pretty_draws_fractions_over_lines_with_greek_letters():
    assert pretty(S.lam) == "λ"
    assert pretty(1 / (S.lam * S.k)).splitlines() == [" 1", "───", "k⋅λ"]
    lines = pretty(S.sigma**2 / S.b, "B = ").splitlines()
    (prefixed,) = [line for line in lines if "B = " in line]
    assert prefixed.startswith("B = ─") and "σ" in lines[lines.index(prefixed) - 1]
    assert theorem_text("no-such-theorem") is None and theorem_text(None) is None


EXPONENTS = [
    (None, "–"),
    ({"estimate": None}, "–"),
    ({"estimate": -1.0, "ci_low": -1.1, "ci_high": -0.9}, "-1.000 (CI -1.100 to -0.900)"),
    (
        {"estimate": -0.5, "ci_low": -0.6, "ci_high": -0.4, "level": 0.98},
        "-0.500 (98% CI -0.600 to -0.400)",
    ),
    (
        {
            "estimate": math.log(0.5),
            "ci_low": math.log(0.4),
            "ci_high": math.log(0.6),
            "parameter": "log-rate per step",
        },
        "ρ = 0.5 (CI 0.4 to 0.6)",
    ),
]


@pytest.mark.parametrize(("exponent", "text"), EXPONENTS)
def test_exponent_text(exponent, text):
    assert exponent_text(exponent) == text


MARKDOWN = [
    ("plain words", "plain words"),
    ("a|b", r"a\|b"),
    ("<b>&", "&lt;b&gt;&amp;"),
    ("w_k * [x]", r"w\_k \* \[x\]"),
    ("two\nlines", "two lines"),
    ("# head", r"\# head"),
]


@pytest.mark.parametrize(("raw", "escaped"), MARKDOWN)
def test_md_text(raw, escaped):
    assert md_text(raw) == escaped


def test_md_code_fence_outgrows_backticks_inside():
    assert md_code("a ``` b").startswith("````\n") and md_code("a").startswith("```\n")


def test_a_label_that_is_not_valid_mathtext_is_drawn_as_text(tmp_path):
    panel = Panel(
        title="cost in $ and $$", curves=(Curve(label="$\\frac{", k=[1, 2], mean=[1, 2]),)
    )
    render_panel(panel, tmp_path / "p.png")
    with Image.open(tmp_path / "p.png") as image:
        assert image.format == "PNG"


LIMITS = [
    # (data values, all values drawn, expected (low, high) of the y axis)
    ([1e-3, 1.0], [1e-3, 1.0], (0.5e-3, 2.0)),
    ([1e-3, 1.0], [1e-3, 1.0, 1e-12], (1e-3 / BELOW_DATA / 2, 2.0)),
    ([1e-3, 1.0], [1e-3, 1.0, 1e4], (0.5e-3, 2e4)),
    ([1e-3, 1.0], [1e-3, 1.0, 1e-4], (0.5e-4, 2.0)),
]


@pytest.mark.parametrize(("data", "drawn", "limits"), LIMITS)
def test_log_axis_shows_the_data_and_a_bound_above_but_cuts_far_below(data, drawn, limits):
    figure = Figure()
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    ax.set_yscale("log")
    _limit_y(ax, [np.array(data)], [np.array(drawn)])
    np.testing.assert_allclose(ax.get_ylim(), limits)


def test_figure_cache_copies_unchanged_panels_and_redraws_broken_ones(tmp_path, monkeypatch):
    from reports.render import figures

    results = sample_results()[:3]
    cache = tmp_path / "cache"
    names = figures.write_figures(results, tmp_path / "first", cache)
    stored = sorted(cache.glob("*.png"))
    assert len(stored) == sum(len(r.panels) for r in results)
    drawn: list[str] = []
    monkeypatch.setattr(figures, "render_panel", lambda panel, path: drawn.append(panel.title))
    figures.write_figures(results, tmp_path / "second", cache)
    assert drawn == []
    for files in names.values():
        for name in files:
            first, second = (tmp_path / d / name for d in ("first", "second"))
            assert first.read_bytes() == second.read_bytes()
    stored[0].write_bytes(stored[0].read_bytes()[:100])
    figures.write_figures(results, tmp_path / "third", cache)
    assert len(drawn) == 1


@pytest.mark.parametrize(("curves", "taller"), [(1, False), (3, True)])
def test_a_long_legend_goes_below_the_axes_in_a_taller_figure(tmp_path, curves, taller):
    panel = Panel(title="t", curves=tuple(rate_curve(f"c{i}", 1 + i) for i in range(curves)))
    render_panel(panel, tmp_path / "p.png")
    with Image.open(tmp_path / "p.png") as image:
        assert image.width == 792
        assert (image.height > 506) is taller
