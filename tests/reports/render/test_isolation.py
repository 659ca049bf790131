"""One check never kills the report: a check whose figure or section cannot be written
becomes that check's ``error``, and the rest of the report is written."""

from __future__ import annotations

import dataclasses
import json

from matplotlib.axes import Axes

from reports.cli import main
from reports.render import figures as figures_module
from reports.render import write_report
from reports.render.figures import NOTHING_DRAWN
from reports.suite.model import Curve, Panel
from tests.reports.render.test_output import result
from tests.reports.samples import ONE_CHECK_SUITE

DIVERGING = """
[[check]]
id = "diverges"
objective = "ridge:n=100,d=3,lam=0.1"
optimizer = "sgd"
schedule = "1e300"
expect = "O(1/k)"
steps = 500
replicates = 4
outcome = "fail"
label = "diverges"
""" + ONE_CHECK_SUITE.replace('id = "c"', 'id = "converges"')


def test_a_run_diverging_before_its_first_checkpoint_is_drawn_and_reported(tmp_path, monkeypatch):
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    suite = tmp_path / "suite.toml"
    suite.write_text(DIVERGING)
    out = tmp_path / "report"
    assert main(["run", str(suite), "--out", str(out), "--jobs", "1"]) == 0
    checks = json.loads((out / "results.json").read_text())["checks"]
    assert [(c["id"], c["status"]) for c in checks] == [
        ("diverges", "as-expected"),
        ("converges", "as-expected"),
    ]
    assert sorted(p.name for p in (out / "figures").iterdir()) == [
        "converges-1.png",
        "diverges-1.png",
    ]


def test_nothing_finite_to_draw_says_so_instead_of_raising(tmp_path, monkeypatch):
    said: list[str] = []
    original = Axes.text

    def record(self, x, y, s, *args, **kwargs):
        said.append(s)
        return original(self, x, y, s, *args, **kwargs)

    monkeypatch.setattr(Axes, "text", record)
    nan = Curve(label="gap", k=[1.0, 10.0, 100.0], mean=[float("nan"), float("inf"), 0.0])
    diverged = dataclasses.replace(result("nan"), panels=(Panel(title="p", curves=(nan,)),))
    files = write_report([diverged], tmp_path / "report")
    assert said == [NOTHING_DRAWN] and files.figures[0].stat().st_size > 0


def test_a_figure_that_cannot_be_drawn_is_that_checks_error(tmp_path, monkeypatch):
    real = figures_module.render_panel

    def fragile(panel, path):
        if "broken" in str(path):
            raise ValueError("cannot draw this")
        real(panel, path)

    monkeypatch.setattr(figures_module, "render_panel", fragile)
    files = write_report([result("broken"), result("fine")], tmp_path / "report")
    document = json.loads(files.json.read_text())
    broken, fine = document["checks"]
    assert broken["status"] == "error" and "ValueError: cannot draw this" in broken["reason"]
    assert broken["figures"] == [] and fine["status"] == "picture"
    assert [p.name for p in files.figures] == ["fine-1.png"]
    assert "cannot draw this" in files.html.read_text()
