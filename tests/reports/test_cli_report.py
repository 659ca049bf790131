"""``ratecheck run`` and ``report``: the suite is run, then its report written, its figures
kept in the result cache."""

from __future__ import annotations

import json

from reports.cli import main
from tests.reports.samples import ONE_CHECK_SUITE

SUITE = ONE_CHECK_SUITE


def test_run_writes_the_report_and_keeps_its_figures_in_the_cache(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE)
    out = tmp_path / "report"
    assert main(["run", str(suite), "--out", str(out), "--jobs", "1"]) == 0
    assert {p.name for p in out.iterdir()} >= {"index.html", "report.md", "results.json"}
    assert [p.name for p in (out / "figures").iterdir()] == ["c-1.png"]
    assert len(list((tmp_path / "cache" / "figures").glob("*.png"))) == 1
    document = json.loads((out / "results.json").read_text())
    assert [check["id"] for check in document["checks"]] == ["c"]
    assert f"report: {out / 'index.html'}" in capsys.readouterr().out


def test_no_cache_keeps_no_figures(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE)
    out = tmp_path / "report"
    assert main(["run", str(suite), "--out", str(out), "--jobs", "1", "--no-cache"]) == 0
    assert [p.name for p in (out / "figures").iterdir()] == ["c-1.png"]
    assert not (tmp_path / "cache").exists()
