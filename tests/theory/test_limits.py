"""Limits on what one input may cost: the environment raises them, a formula's size is
refused before SymPy sees it, and a Robbins-Monro decision stops at its time limit."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from theory import limits
from theory.errors import InputError
from theory.expressions import parse_expression
from theory.limits import (
    MAX_FORMULA_NODES,
    MAX_REPLICATE_STEPS,
    ROBBINS_MONRO_SECONDS,
    LimitError,
    within,
)

ROOT = Path(__file__).resolve().parents[2]
NESTED_LOGS = "1/(k*" + "log(" * 8 + "k+1" + ")+1" * 7 + "))"
"""1/(k log(log(...log(k+1)+1...)+1)), 8 logs: SymPy does not decide it within 300 s."""


def test_a_refusal_names_the_limit_and_the_variable_that_raises_it():
    with pytest.raises(LimitError) as info:
        MAX_REPLICATE_STEPS.check(3e16, "scenario", "steps", 10**15, "steps x replicates")
    assert str(info.value) == (
        "scenario: steps = 1000000000000000 is not allowed; expected steps x replicates "
        "<= 1e+10 replicate-steps (here 3e+16) (limit MAX_REPLICATE_STEPS = 1e+10; raise it "
        "with the environment variable RATECHECK_MAX_REPLICATE_STEPS)"
    )
    assert isinstance(info.value, InputError)


def test_the_environment_variable_raises_a_limit(monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_REPLICATE_STEPS", "1e17")
    MAX_REPLICATE_STEPS.check(3e16, "scenario", "steps", 10**15, "steps x replicates")
    assert MAX_REPLICATE_STEPS.value() == 1e17


@pytest.mark.parametrize("text", ["lots", "0", "-5", "inf", "nan"])
def test_a_bad_environment_value_is_refused_naming_the_variable(monkeypatch, text):
    monkeypatch.setenv("RATECHECK_MAX_REPLICATE_STEPS", text)
    with pytest.raises(InputError, match="environment: RATECHECK_MAX_REPLICATE_STEPS = "):
        MAX_REPLICATE_STEPS.value()


def test_a_formula_with_too_many_pieces_is_refused_before_sympy_builds_it():
    text = "Min(" + ",".join(["k"] * 210) + ")"  # 424 characters, nesting 2, 212 pieces
    with pytest.raises(
        LimitError, match=r"formula = .* expected a number of pieces <= 200"
    ) as info:
        parse_expression(text, what="schedule")
    assert str(info.value).startswith("schedule: formula = 'Min(k,k,")
    assert MAX_FORMULA_NODES.variable in str(info.value)


def test_the_node_limit_is_raised_by_its_variable(monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_FORMULA_NODES", "300")
    assert parse_expression("Min(" + ",".join(["k"] * 210) + ")") is not None


def test_within_returns_the_work_and_restores_the_alarm():
    before = signal.getsignal(signal.SIGALRM)
    assert within(ROBBINS_MONRO_SECONDS, "add", lambda: 1 + 1) == 2
    assert signal.getsignal(signal.SIGALRM) is before
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_within_stops_pure_python_work_at_the_limit(monkeypatch):
    monkeypatch.setenv("RATECHECK_ROBBINS_MONRO_SECONDS", "0.2")

    def forever() -> None:
        while True:
            pass

    start = time.monotonic()
    with pytest.raises(LimitError, match=r"could not spin within 0\.2 s \(limit ROBBINS_MONRO"):
        within(ROBBINS_MONRO_SECONDS, "spin", forever)
    assert time.monotonic() - start < 2
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_within_outside_the_main_thread_runs_the_work_unlimited():
    results = []
    worker = threading.Thread(target=lambda: results.append(within(limits.MAX_DIMENSION, "x", int)))
    worker.start()
    worker.join()
    assert results == [0]


def test_a_robbins_monro_decision_stops_at_its_time_limit(monkeypatch):
    monkeypatch.setenv("RATECHECK_ROBBINS_MONRO_SECONDS", "1")
    code = (
        "import sys, time\n"
        "from theory.robbins_monro import robbins_monro\n"
        "start = time.monotonic()\n"
        "try:\n"
        f"    robbins_monro({NESTED_LOGS!r})\n"
        "except Exception as exc:\n"
        "    print(type(exc).__name__, exc, time.monotonic() - start)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    name, *_, seconds = done.stdout.split()
    assert name == "LimitError" and "could not decide the Robbins-Monro conditions" in done.stdout
    assert "within 1 s" in done.stdout and float(seconds) < 5


def test_the_cli_says_it_could_not_decide_within_the_limit():
    env = {"RATECHECK_ROBBINS_MONRO_SECONDS": "1", "PYTHONPATH": str(ROOT), "PATH": "/usr/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "reports.cli", "theory", "robbins-monro", NESTED_LOGS],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        env=env,
    )
    assert done.returncode == 2
    assert done.stderr.count("\n") == 1
    assert done.stderr.startswith("ratecheck: error: could not decide the Robbins-Monro")
    assert "RATECHECK_ROBBINS_MONRO_SECONDS" in done.stderr
