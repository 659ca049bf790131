"""`ratecheck theory`: the catalog table, one theorem, Robbins–Monro, and bad input."""

from __future__ import annotations

import json
import shlex
import subprocess
import sys

import pytest

from reports.cli import main
from theory.catalog import CATALOG, theorem_ids

JSON_KEYS = {
    "id",
    "method",
    "assumptions",
    "schedule",
    "iterate",
    "bound",
    "order",
    "exponent",
    "log_power",
    "contraction",
    "attained_by",
    "attained_on",
    "exhibit",
    "source",
}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("options", [["--wide"], ["--format", "markdown"], ["--format", "latex"]])
def test_catalog_table_lists_every_theorem(capsys, options):
    code, out, err = run(capsys, "theory", *options)
    assert code == 0 and err == ""
    for theorem_id in theorem_ids():
        assert theorem_id in out
    for column in ("schedule", "iterate", "bound", "order", "exponent"):
        assert column in out


def test_catalog_json_schema(capsys):
    code, out, _ = run(capsys, "theory", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert [row["id"] for row in rows] == [t.id for t in CATALOG]
    for row, theorem in zip(rows, CATALOG, strict=True):
        assert set(row) >= JSON_KEYS, row["id"]
        shape = theorem.shape
        if shape.contraction is not None:
            assert row["exponent"] is None and row["contraction"] is not None
        else:
            assert row["contraction"] is None
            assert row["exponent"] is not None


def test_catalog_json_exponents_come_from_the_bound(capsys):
    """A JSON exponent is the SymPy-derived log-log slope of that theorem's bound."""
    _, out, _ = run(capsys, "theory", "--format", "json")
    by_id = {row["id"]: row for row in json.loads(out)}
    assert by_id["sgd-sc-last"]["exponent"] == -1 and by_id["sgd-sc-last"]["log_power"] == 1
    assert by_id["nesterov-smooth-convex"]["exponent"] == -2
    assert by_id["minibatch-sgd-smooth-convex"]["exponent"] == -0.5


def test_one_theorem(capsys):
    code, out, _ = run(capsys, "theory", "sgd-sc-last")
    assert code == 0
    assert "Shamir" in out and "17" in out


def test_one_theorem_json(capsys):
    code, out, _ = run(capsys, "theory", "gd-smooth-convex-tight", "--format", "json")
    assert code == 0
    row = json.loads(out)
    assert row["id"] == "gd-smooth-convex-tight" and row["attained_by"]


@pytest.mark.parametrize(
    ("theorem_id", "expect"),
    [
        ("gd-sc-smooth-optimal-step", "gd-sc-smooth-optimal-step"),
        ("lower-convex-two-point", "O(1/sqrt(k))"),  # verify refuses a lower bound
    ],
)
def test_one_theorem_shows_its_exhibit_as_a_command_that_runs(capsys, theorem_id, expect):
    code, out, _ = run(capsys, "theory", theorem_id)
    assert code == 0
    line = next(line for line in out.splitlines() if line.startswith("  exhibit "))
    command = shlex.split(line.removeprefix("  exhibit ").split("   (")[0])
    assert command[:2] == ["ratecheck", "verify"]
    assert command[command.index("--expect") + 1] == expect
    code, out, _ = run(capsys, *command[1:])
    assert code == 0 and "PASS" in out


@pytest.mark.parametrize(
    ("expr", "satisfied", "parameter_set"),
    [
        ("c/k", True, None),
        ("c/sqrt(k)", False, None),
        ("c*k**(-p)", None, "Interval.Lopen(1/2, 1)"),
        ("1/(k*log(k+1))", True, None),
    ],
)
def test_robbins_monro_json(capsys, expr, satisfied, parameter_set):
    code, out, _ = run(capsys, "theory", "robbins-monro", expr, "--format", "json")
    assert code == 0
    row = json.loads(out)
    assert set(row) >= {"satisfied", "sum_diverges", "square_summable", "parameter_set", "reason"}
    assert row["satisfied"] is satisfied
    assert row["parameter_set"] == parameter_set


def test_robbins_monro_text(capsys):
    code, out, _ = run(capsys, "theory", "robbins-monro", "c/k**2")
    assert code == 0 and out.strip()


@pytest.mark.parametrize(
    ("argv", "needle"),
    [
        (["theory", "no-such-theorem"], "no-such-theorem"),
        (["theory", "robbins-monro", "__import__('os').system('true')"], "__import__"),
        (["theory", "robbins-monro", "1/(k"], "1/(k"),
        (["theory", "robbins-monro"], "robbins-monro"),
        (["theory", "robbins-monro", "c/x"], "x"),
        (["theory", "--format", "yaml"], "yaml"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, needle):
    try:
        code = main(argv)
    except SystemExit as exc:  # argparse's own errors
        code = exc.code
    _, err = capsys.readouterr()
    assert code == 2
    assert err.count("\n") == 1 and needle in err
    assert "Traceback" not in err


def test_module_entry_point_runs_in_a_fresh_process():
    proc = subprocess.run(
        [sys.executable, "-m", "reports.cli", "theory", "robbins-monro", "k"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    assert "both (satisfied):  no" in proc.stdout


def test_one_theorem_shows_the_derivation_and_the_minibatch_algebra(capsys):
    code, out, _ = run(capsys, "theory", "minibatch-sgd-smooth-convex")
    assert code == 0
    assert "derivation   exponent lim k d/dk log B(k) = -1/2" in out
    assert "b = sqrt(n)*sigma/(D*L)" in out
    assert "4*D**2*sigma**2/eps**2" in out


def test_the_catalog_fits_a_100_column_terminal_and_wide_shows_every_column(capsys):
    code, out, _ = run(capsys, "theory")
    assert code == 0 and max(len(line) for line in out.splitlines()) <= 100
    assert out.splitlines()[0].split() == ["id", "iterate", "rate", "title"]
    code, out, _ = run(capsys, "theory", "--wide")
    assert code == 0 and {"bound", "schedule", "order"} <= set(out.splitlines()[0].split())


def test_a_reader_that_stops_early_gets_no_traceback():
    import subprocess
    import sys

    command = [sys.executable, "-m", "reports.cli", "theory", "--format", "json"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # as `| head` does, before anything is written
    _, err = process.communicate(timeout=120)
    assert b"Traceback" not in err and b"BrokenPipe" not in err
    assert process.returncode == 1


def test_theory_json_is_strict_json_even_for_a_non_finite_value():
    """NaN and infinities would print as the tokens NaN and Infinity, which JSON lacks."""
    from reports.theory_view import render_robbins_monro

    class NonFinite:
        def to_dict(self):
            return {"schedule": "1/k", "bound": float("inf"), "values": (float("nan"), 1.5)}

    text = render_robbins_monro(NonFinite(), fmt="json")  # type: ignore[arg-type]
    assert json.loads(text) == {"schedule": "1/k", "bound": None, "values": [None, 1.5]}
    assert "Infinity" not in text and "NaN" not in text
