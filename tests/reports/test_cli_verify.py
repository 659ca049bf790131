"""`ratecheck verify`: exit codes 0/1/3/2, the text verdict, JSON, user optimizers, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from reports.cli import main

SMALL = ["--objective", "ridge:n=200,d=5", "--optimizer", "sgd", "--steps", "1e4"]


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["verify", *argv])
    out, err = capsys.readouterr()
    return code, out, err


EXIT_CODES = [
    # arguments, exit code, verdict
    (
        [*SMALL, "--schedule", "1/L", "--batch-size", "200", "--replicates", "3",
         "--expect", "linear"],
        0,
        "pass",
    ),
    ([*SMALL, "--schedule", "0.01", "--replicates", "10", "--expect", "O(1/k)"], 1, "fail"),
    (
        ["--objective", "quadratic", "--optimizer", "sgd", "--schedule", "1/(lam*k)",
         "--steps", "10000", "--replicates", "5", "--seed", "1", "--expect", "O(1/k)"],
        3,
        "inconclusive",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "code", "verdict"), EXIT_CODES)
def test_exit_code_follows_the_verdict(capsys, argv, code, verdict):
    got, out, err = run(capsys, *argv, "--format", "json")
    data = json.loads(out)
    assert (got, data["verdict"]) == (code, verdict)
    assert err == ""


def test_text_output_reads_like_a_verdict(capsys):
    code, out, _ = run(
        capsys, *SMALL, "--schedule", "1/k**0.7", "--sampling", "replacement",
        "--replicates", "10", "--seed", "4", "--expect", "O(1/k)",
    )  # fmt: skip
    assert code == 1
    assert out.startswith("ratecheck verify: FAIL (slower)")
    for head in ("claim", "fitted", "expected", "window", "bound", "verdict", "reproduce"):
        assert f"\n  {head}" in out
    assert "sgd on ridge:n=200,d=5 with eta_k = 1/k**0.7" in out
    assert "exponent -1, as an upper bound" in out
    assert "--seed 4" in out and "(seed 4)" in out


def test_inconclusive_text_says_what_rerun_would_decide(capsys):
    code, out, _ = run(
        capsys, "--objective", "quadratic", "--optimizer", "sgd", "--schedule", "1/(lam*k)",
        "--steps", "10000", "--replicates", "5", "--seed", "1", "--expect", "O(1/k)",
    )  # fmt: skip
    assert code == 3
    assert "INCONCLUSIVE" in out and "next      rerun with --replicates" in out


def test_within_bound_text_says_the_exponent_is_not_yet_asymptotic(capsys):
    code, out, _ = run(
        capsys, "--objective", "hinge:radius=4.48", "--optimizer", "sgd", "--schedule",
        "1/(lam*k)", "--sampling", "replacement", "--expect", "sgd-sc-polydecay",
    )  # fmt: skip
    assert code == 0
    assert out.startswith("ratecheck verify: PASS (within-bound)")
    assert "not yet asymptotic" in " ".join(out.split())
    assert "\n  next" not in out


def test_theorem_verdict_in_json(capsys):
    code, out, _ = run(
        capsys, "--objective", "quadratic:d=50", "--optimizer", "sgd", "--schedule",
        "1/(lam*k)", "--steps", "10000", "--expect", "minibatch-sgd-quadratic-exact",
        "--format", "json",
    )  # fmt: skip
    data = json.loads(out)
    assert code == 0 and data["label"] == "matches"
    assert data["expected"]["theorem"] == "minibatch-sgd-quadratic-exact"
    assert data["bound_check"]["performed"] and data["bound_check"]["constant"]["outcome"] == "pass"


OPTIMIZER_FILE = """
from typing import NamedTuple


class State(NamedTuple):
    pass


def make(scale=1.0):
    def init(w0):
        return State()

    def update(grad, state, w, lr):
        return w - scale * lr * grad, state

    return init, update
"""


@pytest.mark.parametrize("form", ["file", "module"])
def test_user_optimizer(capsys, monkeypatch, tmp_path: Path, form):
    if form == "file":
        path = tmp_path / "my_sgd.py"
        path.write_text(OPTIMIZER_FILE)
        spec = f"{path}:make:scale=1.0"
    else:
        package = tmp_path / "user_opts_pkg"
        package.mkdir()
        (package / "__init__.py").write_text("")
        (package / "plain.py").write_text(OPTIMIZER_FILE)
        monkeypatch.syspath_prepend(str(tmp_path))
        spec = "user_opts_pkg.plain:make:scale=1.0"
    code, out, err = run(
        capsys, "--objective", "ridge:n=200,d=5", "--optimizer", spec,
        "--schedule", "0.01", "--steps", "3000", "--replicates", "5", "--expect", "O(1/k)",
        "--format", "json",
    )  # fmt: skip
    assert (code, err) == (1, "")
    data = json.loads(out)
    assert data["label"] == "stalls" and data["config"]["optimizer"] == spec


BAD = [
    # arguments, a piece of the one-line message
    (["--objective", "nope", "--optimizer", "sgd", "--schedule", "1/k", "--expect", "O(1/k)"],
     "objective: name = 'nope' is not allowed"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "__import__('os')",
      "--expect", "O(1/k)"], "schedule"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--expect",
      "no-such-theorem"], "no-such-theorem"),
    (["--objective", "lad", "--optimizer", "sgd", "--schedule", "1/k", "--expect",
      "sgd-sc-dist"], "strongly-convex"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--steps", "0",
      "--expect", "O(1/k)"], "--steps: value = '0' is not allowed; expected an integer >= 1"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--sampling", "bogus",
      "--expect", "O(1/k)"], "--sampling"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k"], "--expect"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--average", "median",
      "--expect", "O(1/k)"], "average: name = 'median' is not allowed"),
    (["--objective", "ridge", "--optimizer", "missing_file.py:make", "--schedule", "1/k",
      "--expect", "O(1/k)"], "missing_file.py"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--constants", "c",
      "--expect", "O(1/k)"], "value = 'c' is not allowed; expected KEY=NUMBER"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--batch-size",
      "5000", "--expect", "O(1/k)"], "batch_size = 5000 is not allowed"),
    (["--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k", "--expect",
      "O(log(k))"], "O(log(k))"),
    (["--objective", "lad:radius=0.5", "--optimizer", "sgd", "--schedule", "1/k", "--expect",
      "O(1/k)"], "take radius >= 1.26006"),
]  # fmt: skip


@pytest.mark.parametrize(("argv", "piece"), BAD)
def test_bad_input_is_one_line_and_exit_code_2(capsys, argv, piece):
    try:
        code = main(["verify", *argv])
    except SystemExit as exc:  # argparse refusing an argument
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("ratecheck: error: ")
    assert piece in err and "Traceback" not in err


BROKEN_FILE = """
def make():
    def init(w0):
        return ()

    def update(grad, state, w, lr):
        raise ValueError("boom in update")

    return init, update
"""


def test_an_optimizer_that_raises_is_one_line_and_exit_code_2(capsys, tmp_path: Path):
    path = tmp_path / "broken.py"
    path.write_text(BROKEN_FILE)
    code = main(
        ["verify", "--objective", "ridge:n=200,d=5", "--optimizer", f"{path}:make",
         "--schedule", "0.01", "--steps", "100", "--replicates", "2", "--expect", "O(1/k)"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "boom in update" in err and "Traceback" not in err


def test_bad_input_from_a_real_process_has_no_traceback():
    proc = subprocess.run(
        [sys.executable, "-m", "reports.cli", "verify", "--objective", "ridge", "--optimizer",
         "sgd", "--schedule", "1/(lam*k", "--expect", "O(1/k)"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr
    assert "schedule" in proc.stderr


@pytest.mark.parametrize(
    ("option", "text", "expected"),
    [
        ("--steps", "0", "an integer >= 1"),
        ("--replicates", "2.5", "an integer >= 1"),
        ("--batch-size", "many", "an integer >= 1"),
        ("--seed", "-1", "an integer >= 0"),
        ("--constants", "c=x", "KEY=NUMBER[,KEY=NUMBER...]"),
    ],
)
def test_a_refused_option_value_reads_like_every_rejected_value(capsys, option, text, expected):
    argv = ["verify", "--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k"]
    with pytest.raises(SystemExit) as info:
        main([*argv, "--expect", "O(1/k)", option, text])
    assert info.value.code == 2
    err = capsys.readouterr().err
    head = f"ratecheck: error: argument {option}: value = {text!r} is not allowed; "
    assert err.startswith(head + f"expected {expected} (see "), err


@pytest.mark.parametrize("steps", ["1e15", "1e19"])
def test_a_run_that_cannot_finish_exits_2_with_one_line_at_once(steps):
    root = Path(__file__).resolve().parents[2]
    argv = ["verify", "--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/(lam*k)"]
    argv += ["--expect", "sgd-sc-smooth-last", "--steps", steps]
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from reports.cli import main; sys.exit(main())", *argv],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith(f"ratecheck: error: scenario: steps = {int(float(steps))} ")
    assert "(limit MAX_REPLICATE_STEPS = 1e+10; raise it with the environment variable" in (
        done.stderr
    )
