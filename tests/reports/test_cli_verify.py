"""`ratecheck verify`: exit codes 0/1/3/2, the text verdict, JSON, user optimizers, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reports.cli import VERIFY_EXIT, main

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
    assert "--seed 4" in out  # in the reproduce command, which a shell can run as printed


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


def strict_loads(text: str):
    """json.loads that refuses NaN and Infinity, as jq and browsers do."""

    def refuse(token: str):
        raise ValueError(f"not JSON: {token}")

    return json.loads(text, parse_constant=refuse)


def test_json_writes_non_finite_numbers_as_null(capsys, monkeypatch):
    """A fit with NaN or infinite fields (a flat or vanishing gap) is null in the JSON."""
    import numpy as np

    import empirical.verification.verify as verify_module

    real = verify_module.verify_scenario

    class NonFinite:
        def __init__(self, result):
            self.result, self.outcome = result, result.outcome

        def to_dict(self):
            data = self.result.to_dict()
            data["exponent"].update(
                estimate=float("nan"), ci_low=-np.inf, ci_high=np.float64(np.inf)
            )
            data["trace"]["mean_gap"] = np.array([1.0, np.nan, 0.0])
            return data

    monkeypatch.setattr(verify_module, "verify_scenario", lambda *a, **k: NonFinite(real(*a, **k)))
    code, out, _ = run(
        capsys, *SMALL, "--schedule", "1/L", "--batch-size", "200", "--replicates", "3",
        "--expect", "linear", "--format", "json",
    )  # fmt: skip
    data = strict_loads(out)
    assert code == 0 and data["verdict"] == "pass"
    assert [data["exponent"][key] for key in ("estimate", "ci_low", "ci_high")] == [None] * 3
    assert data["trace"]["mean_gap"] == [1.0, None, 0.0]


NOISY_OPTIMIZER = """
import sys

print("user module: imported")
print("user module: a warning of its own", file=sys.stderr)


def make():
    def init(w0):
        print("user init")
        return ()

    def update(grad, state, w, lr):
        print("user update", lr)
        return w - lr * grad, state

    return init, update
"""


def test_user_code_that_prints_never_corrupts_the_json(capsys, monkeypatch, tmp_path: Path):
    package = tmp_path / "noisy_opts_pkg"
    package.mkdir()
    (package / "__init__.py").write_text("print('package imported')\n")
    (package / "loud.py").write_text(NOISY_OPTIMIZER)
    monkeypatch.syspath_prepend(str(tmp_path))
    try:
        code, out, err = run(
            capsys, "--objective", "ridge:n=200,d=5", "--optimizer", "noisy_opts_pkg.loud:make",
            "--schedule", "0.01", "--steps", "300", "--replicates", "2", "--expect", "O(1/k)",
            "--format", "json",
        )  # fmt: skip
    finally:
        for name in [m for m in sys.modules if m.startswith("noisy_opts_pkg")]:
            del sys.modules[name]
    data = strict_loads(out)
    assert code == VERIFY_EXIT[data["verdict"]]
    assert data["config"]["optimizer"] == "noisy_opts_pkg.loud:make"
    for line in ("package imported", "user module: imported", "user init", "user update"):
        assert line in err
    assert "user module: a warning of its own" in err


FD_OPTIMIZER = """
import ctypes
import os

os.write(1, b"written to descriptor 1 at import\\n")


def make():
    def init(w0):
        ctypes.CDLL(None).printf(b"C printf, buffered until exit\\n")
        return ()

    def update(grad, state, w, lr):
        os.write(1, b"written to descriptor 1 in update\\n")
        return w - lr * grad, state

    return init, update
"""


@pytest.mark.skipif(sys.platform == "win32", reason="C's printf through ctypes.CDLL(None)")
def test_what_user_code_writes_to_descriptor_1_goes_to_stderr(tmp_path: Path):
    (tmp_path / "fd_opts_pkg").mkdir()
    (tmp_path / "fd_opts_pkg" / "__init__.py").write_text("")
    (tmp_path / "fd_opts_pkg" / "raw.py").write_text(FD_OPTIMIZER)
    root = Path(__file__).resolve().parents[2]
    proc = subprocess.run(
        [sys.executable, "-m", "reports.cli", "verify", "--objective", "ridge:n=200,d=5",
         "--optimizer", "fd_opts_pkg.raw:make", "--schedule", "0.01", "--steps", "100",
         "--replicates", "2", "--expect", "O(1/k)", "--format", "json"],
        capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, "PYTHONPATH": os.pathsep.join([str(root), str(tmp_path)])},
    )  # fmt: skip
    data = strict_loads(proc.stdout)
    assert proc.returncode == VERIFY_EXIT[data["verdict"]], proc.stderr
    assert data["config"]["optimizer"] == "fd_opts_pkg.raw:make"
    for line in ("at import", "C printf", "in update"):
        assert line in proc.stderr


WRONG_UPDATE = """
def make():
    def init(w0):
        return ()

    def update(grad, state, w, lr):
        return w - lr * grad

    return init, update
"""


def test_an_update_that_returns_only_the_iterates_says_what_it_must_return(capsys, tmp_path):
    path = tmp_path / "wrong.py"
    path.write_text(WRONG_UPDATE)
    code = main(
        ["verify", "--objective", "ridge:n=200,d=5", "--optimizer", f"{path}:make",
         "--schedule", "0.01", "--steps", "100", "--replicates", "3", "--expect", "O(1/k)"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == ""
    assert err == (
        f"ratecheck: error: optimizer '{path}:make': update returned an array of shape (3, 5); "
        "expected a pair (new_w, state): the new iterates, an array of shape (R, d) = (3, 5) "
        "like w, and the optimizer's state\n"
    )


def test_a_data_file_error_names_the_line_not_its_text(capsys, tmp_path: Path):
    secret = "ghp_SECRET_TOKEN_0123456789"
    path = tmp_path / "leak.csv"
    path.write_text(f"x1,x2,y\n1,2,3\n{secret},5,6\n7,8,9\n", encoding="utf-8")
    code = main(
        ["verify", "--objective", f"ridge:data={path}", "--optimizer", "sgd",
         "--schedule", "0.01", "--expect", "O(1/k)"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert code == 2 and out == "" and secret not in err
    assert err == (
        f"ratecheck: error: data file '{path}': line 3, column 1 is not a number; expected "
        "comma-separated numbers\n"
    )


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


def test_a_run_too_short_for_its_bound_is_inconclusive_and_says_so(capsys):
    """K = 10 records one checkpoint: the bound with its constants cannot be compared at
    two, so the verdict is short-window (exit 3) with the reason, not a library error."""
    code = main(
        ["verify", "--objective", "worst-case-gd:N=10", "--optimizer", "sgd", "--schedule",
         "1/L", "--expect", "gd-smooth-convex-tight", "--steps", "10"]
    )  # fmt: skip
    out, err = capsys.readouterr()
    assert (code, err) == (3, "")
    assert out.startswith("ratecheck verify: INCONCLUSIVE (short-window)")
    assert "fewer than 2 checkpoints with a usable B(k) in [10, 10]" in " ".join(out.split())
    assert "k=None" not in out
