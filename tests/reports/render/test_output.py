"""The report directory is owned: checked before compute, never clobbering what ratecheck
did not write, replaced whole or not at all."""

from __future__ import annotations

import errno
import threading
from pathlib import Path

import pytest

from reports.cli import main
from reports.render import write_report
from reports.render.output import MANIFEST, ReportWriteError, check_out
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel
from tests.reports.samples import ONE_CHECK_SUITE
from theory.errors import InputError

SUITE = ONE_CHECK_SUITE


def result(check_id: str = "c") -> CheckResult:
    spec = CheckSpec(id=check_id, title="t", claim="c", kind="custom", params={}, function="f")
    curve = Curve(label="gap", k=[1.0, 10.0, 100.0], mean=[1.0, 0.1, 0.01])
    return CheckResult(
        spec=spec,
        verdict="picture",
        label=None,
        status="picture",
        reason="a picture",
        panels=(Panel(title="p", curves=(curve,)),),
    )


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file under ``directory`` with its bytes."""
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


def run_cli(tmp_path: Path, monkeypatch, *extra: str) -> int:
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE)
    return main(["run", str(suite), "--jobs", "1", *extra])


def test_a_directory_of_other_files_is_refused_before_any_compute(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    (project / "figures").mkdir(parents=True)
    (project / "figures" / "mine.png").write_bytes(b"not ratecheck's")
    (project / "index.html").write_text("<p>my page</p>")
    before = snapshot(project)
    assert run_cli(tmp_path, monkeypatch, "--out", str(project)) == 2
    error = capsys.readouterr().err.strip()
    assert error.count("\n") == 0 and "--out" in error and "--force" in error
    assert snapshot(project) == before
    assert not (tmp_path / "cache").exists()  # refused before the suite ran


@pytest.mark.parametrize(
    ("make", "says"),
    [
        (lambda tmp: "", "a directory path"),
        (lambda tmp: "   ", "a directory path"),
        (lambda tmp: str(tmp / "suite.toml" / "report"), "is a file"),
        (lambda tmp: str(tmp / "suite.toml"), "is a file"),
        (lambda tmp: str(tmp / ("x" * 300)), "at most"),
    ],
)
def test_an_out_that_cannot_hold_a_report_is_one_line_and_exit_2(
    tmp_path, monkeypatch, capsys, make, says
):
    assert run_cli(tmp_path, monkeypatch, "--out", make(tmp_path)) == 2
    error = capsys.readouterr().err
    assert error.startswith("ratecheck: error: report: --out = ") and says in error
    assert error.count("\n") == 1


def test_a_previous_report_is_replaced_whole(tmp_path):
    out = tmp_path / "report"
    write_report([result("old")], out)
    assert (out / MANIFEST).is_file() and (out / "figures" / "old-1.png").is_file()
    write_report([result("new")], out)
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["new-1.png"]
    assert [p.name for p in tmp_path.iterdir()] == ["report"]  # no staging left behind


def test_a_report_holding_a_file_of_the_user_is_not_a_report(tmp_path):
    out = tmp_path / "report"
    write_report([result()], out)
    (out / "notes.txt").write_text("mine")
    with pytest.raises(InputError, match="holds other files"):
        write_report([result()], out)


def test_force_replaces_only_the_reports_own_entries(tmp_path):
    project = tmp_path / "project"
    project.mkdir()
    (project / "README.md").write_text("mine")
    (project / "data").mkdir()
    (project / "data" / "x.csv").write_text("1,2\n")
    (project / "index.html").write_text("old page")
    files = write_report([result()], project, force=True)
    assert (project / "README.md").read_text() == "mine"
    assert (project / "data" / "x.csv").read_text() == "1,2\n"
    assert files.html == project / "index.html" and "old page" not in files.html.read_text()
    assert [p.name for p in (project / "figures").iterdir()] == ["c-1.png"]


def test_a_failed_write_leaves_the_previous_report_intact(tmp_path, monkeypatch):
    out = tmp_path / "report"
    write_report([result("old")], out)
    before = snapshot(out)

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr("reports.render.render_markdown", full_disk)
    with pytest.raises(ReportWriteError, match=r"No space left on device.*unchanged"):
        write_report([result("new")], out)
    assert snapshot(out) == before
    assert [p.name for p in tmp_path.iterdir()] == ["report"]


def test_two_concurrent_reports_into_one_out_both_finish(tmp_path):
    out = tmp_path / "report"
    errors: list[BaseException] = []

    def write(check_id: str) -> None:
        try:
            for _ in range(3):
                write_report([result(check_id)], out)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    names = [p.name for p in (out / "figures").iterdir()]
    assert names in (["a-1.png"], ["b-1.png"])  # one writer's whole report
    assert (out / MANIFEST).is_file() and (out / "index.html").is_file()


def test_a_long_check_id_gets_a_figure_name_the_file_system_takes(tmp_path):
    files = write_report([result("c" * 300)], tmp_path / "report")
    assert [len(path.name) for path in files.figures] == [len("c" * 100 + "-1.png")]


def test_check_out_creates_nothing(tmp_path):
    target = tmp_path / "a" / "b" / "report"
    assert check_out(target) == target
    assert list(tmp_path.iterdir()) == []
