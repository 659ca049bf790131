"""Faults inside checks: a worker process that dies costs only its check; sys.exit and a
raised KeyboardInterrupt are the check's error; a real interrupt stops the run and every
worker. The check functions live here, at module level, so that spawned workers import
them."""

from __future__ import annotations

import os
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from reports.suite.engine import death_result, run_suite
from reports.suite.model import CheckResult, CheckSpec, status_of
from reports.suite.stopping import Interrupted
from tests.reports.samples import running


def behaving(spec: CheckSpec, params: dict[str, Any], *, progress: Any = None) -> CheckResult:
    """A check that does what ``params["do"]`` says, then (if still alive) passes; it
    writes its process id to ``params["pid_file"]`` first, if given."""
    if "pid_file" in params:
        Path(params["pid_file"]).write_text(str(os.getpid()))
    action = params["do"]
    if action == "os._exit":
        os._exit(3)
    elif action == "SIGKILL":
        os.kill(os.getpid(), signal.SIGKILL)
    elif action == "sys.exit":
        sys.exit(params.get("code", 0))
    elif action == "KeyboardInterrupt":
        raise KeyboardInterrupt
    elif action == "unpicklable":
        return CheckResult(spec, "pass", "within", "as-expected", "", metrics={"f": lambda: 0})
    elif action == "interrupt the run":  # as Ctrl-C does: SIGINT to the run's main process
        deadline = time.monotonic() + 20  # once the check named by "after" has started
        while "after" in params and not Path(params["after"]).exists():
            assert time.monotonic() < deadline, "the other check never started"
            time.sleep(0.01)
        os.kill(params["main"], signal.SIGINT)
        time.sleep(30)
    elif action == "sleep":
        time.sleep(params["seconds"])
    return CheckResult(spec, "pass", "within", status_of(spec, "pass", "within"), "fine")


def check(check_id: str, action: str, **params: Any) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        title=check_id,
        claim="behaves",
        kind="custom",
        function=behaving,
        params={"do": action, **params},
    )


def _statuses(results: list[CheckResult]) -> dict[str, str]:
    return {result.spec.id: result.status for result in results}


def test_a_dying_worker_costs_only_its_check():
    specs = [
        check("a", "pass"),
        check("exits", "os._exit"),
        check("b", "pass"),
        check("killed", "SIGKILL"),
        check("c", "pass"),
    ]
    results = run_suite(specs, jobs=2, cache=False)
    assert _statuses(results) == {
        "a": "as-expected",
        "exits": "error",
        "b": "as-expected",
        "killed": "error",
        "c": "as-expected",
    }
    reasons = {result.spec.id: result.reason for result in results}
    assert "The worker process running it died (exit code 3: " in reasons["exits"]
    assert "died (exit code -9 / signal SIGKILL: killed" in reasons["killed"]


def test_the_reason_of_a_dead_worker_is_one_line():
    result = death_result(check("x", "pass"), -signal.SIGTERM)
    assert result.status == "error" and result.verdict == "inconclusive"
    assert result.reason == (
        "The check could not run. The worker process running it died (exit code -15 / signal "
        "SIGTERM: killed, e.g. by the out-of-memory killer); the other checks ran on."
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_sys_exit_and_a_raised_keyboard_interrupt_are_errors_of_their_check(jobs):
    specs = [
        check("exit-0", "sys.exit"),
        check("exit-text", "sys.exit", code="bye"),
        check("ctrl-c", "KeyboardInterrupt"),
        check("fine", "pass"),
    ]
    results = run_suite(specs, jobs=jobs, cache=False)
    assert _statuses(results) == {
        "exit-0": "error",
        "exit-text": "error",
        "ctrl-c": "error",
        "fine": "as-expected",
    }
    reasons = [result.reason for result in results]
    assert "SystemExit: the code called sys.exit(0) (raised in test_engine_faults.py" in reasons[0]
    assert "SystemExit: the code called sys.exit('bye')" in reasons[1]
    assert "KeyboardInterrupt: raised by the code itself, not by a signal" in reasons[2]


def test_a_result_that_cannot_be_sent_back_is_an_error_of_its_check():
    results = run_suite([check("odd", "unpicklable"), check("fine", "pass")], jobs=2, cache=False)
    assert _statuses(results) == {"odd": "error", "fine": "as-expected"}
    assert "its result could not be sent back" in results[0].reason


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_a_real_interrupt_stops_the_run_and_every_worker(tmp_path):
    files = [tmp_path / "sleeping", tmp_path / "interrupting"]
    specs = [
        check("sleeps", "sleep", seconds=30, pid_file=str(files[0])),
        check(
            "interrupts",
            "interrupt the run",
            main=os.getpid(),
            pid_file=str(files[1]),
            after=str(files[0]),
        ),
    ]
    start = time.monotonic()
    with pytest.raises(Interrupted) as caught:
        run_suite(specs, jobs=2, cache=False)
    assert caught.value.signum == signal.SIGINT
    assert time.monotonic() - start < 25
    workers = [int(file.read_text()) for file in files]
    assert len(set(workers)) == 2 and os.getpid() not in workers
    deadline = time.monotonic() + 5
    while any(running(pid) for pid in workers):
        assert time.monotonic() < deadline, "a worker is still running"
        time.sleep(0.05)


def test_a_real_interrupt_stops_a_serial_run(tmp_path):
    specs = [
        check("interrupts", "interrupt the run", main=os.getpid()),
        check("never-run", "pass", pid_file=str(tmp_path / "ran")),
    ]
    with pytest.raises(Interrupted):
        run_suite(specs, jobs=1, cache=False)
    assert not (tmp_path / "ran").exists()
