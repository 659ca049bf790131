"""``ratecheck run`` stopped by SIGINT or SIGTERM: exit 130/143 with one line, no worker
left running, the previous report kept as it was; and user code that calls ``sys.exit``
is an error, never a green exit."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reports.cli import main
from reports.render.output import MANIFEST, MANIFEST_SCHEMA
from tests.reports.samples import running

REPO = Path(__file__).resolve().parents[2]

SLOW_OPTIMIZER = """
import os, time

def make():
    def init(w0):
        return None

    def update(grad, state, w, lr):
        with open(os.environ["MARKER"], "a") as handle:
            handle.write(f"{os.getpid()}\\n")
        time.sleep(120)
        return w - lr * grad, state

    return init, update
"""

EXITING_OPTIMIZER = """
import sys

def make():
    def init(w0):
        return None

    def update(grad, state, w, lr):
        sys.exit(0)

    return init, update
"""

SUITE = """
allow_user_code = true

[defaults]
objective = "ridge:n=50,d=2,lam=0.1"
schedule = "1/(lam*k)"
expect = "O(1/k)"
steps = 200
replicates = 2

[[check]]
id = "first"
optimizer = {{ file = "{file}", factory = "make" }}

[[check]]
id = "second"
optimizer = {{ file = "{file}", factory = "make" }}
"""


def _suite(tmp_path: Path, optimizer: str) -> Path:
    (tmp_path / "opt.py").write_text(optimizer)
    suite = tmp_path / "suite.toml"
    suite.write_text(SUITE.format(file="opt.py"))
    return suite


def _previous_report(out: Path) -> dict[str, bytes]:
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"schema": MANIFEST_SCHEMA}))
    (out / "index.html").write_text("<p>the previous report</p>")
    return {p.name: p.read_bytes() for p in out.iterdir()}


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid`` (from /proc)."""
    found = []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(
                line.split(":\t", 1) for line in status.read_text().splitlines() if ":\t" in line
            )
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(pid):
            found.append(int(status.parent.name))
    return found


def _wait_for(condition, seconds: float = 60.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def _default_signals() -> None:
    """In the child: SIGINT as in a terminal (a background job may inherit it ignored)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
@pytest.mark.parametrize(
    ("signum", "jobs", "code"),
    [(signal.SIGINT, 2, 130), (signal.SIGTERM, 2, 143), (signal.SIGINT, 1, 130)],
    ids=["SIGINT-workers", "SIGTERM-workers", "SIGINT-serial"],
)
def test_a_signal_stops_every_worker_and_keeps_the_previous_report(tmp_path, signum, jobs, code):
    suite = _suite(tmp_path, SLOW_OPTIMIZER)
    out = tmp_path / "out"
    before = _previous_report(out)
    marker = tmp_path / "running"
    env = {
        **os.environ,
        "MARKER": str(marker),
        "PYTHONPATH": str(REPO),
        "RATECHECK_CACHE_DIR": str(tmp_path / "cache"),
    }
    command = [sys.executable, "-m", "reports.cli", "run", str(suite), "--out", str(out)]
    process = subprocess.Popen(
        [*command, "--jobs", str(jobs)],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=_default_signals,
    )
    try:
        _wait_for(lambda: marker.exists() and marker.read_text().endswith("\n"))
        workers = _children(process.pid)
        assert len(workers) >= (jobs if jobs > 1 else 0)
        process.send_signal(signum)
        stdout, stderr = process.communicate(timeout=30)
    finally:
        process.kill()
    assert process.returncode == code
    assert stderr.splitlines() == [
        f"ratecheck: interrupted ({signal.Signals(signum).name}); no report written to {out}"
    ]
    assert stdout == ""
    _wait_for(lambda: not any(running(pid) for pid in workers), seconds=5)
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_sys_exit_in_an_optimizer_is_an_error_of_its_check(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    suite = _suite(tmp_path, EXITING_OPTIMIZER)
    out = tmp_path / "out"
    assert main(["run", str(suite), "--out", str(out), "--jobs", "1"]) == 1
    checks = json.loads((out / "results.json").read_text())["checks"]
    assert [check["status"] for check in checks] == ["error", "error"]
    assert "SystemExit: the code called sys.exit(0)" in checks[0]["reason"]
    assert capsys.readouterr().out.startswith("error         first\n")


def test_sys_exit_in_verify_is_not_a_pass(tmp_path, capsys):
    (tmp_path / "opt.py").write_text(EXITING_OPTIMIZER)
    argv = [
        "verify",
        "--objective",
        "ridge:n=50,d=2",
        "--optimizer",
        f"{tmp_path / 'opt.py'}:make",
        "--schedule",
        "1/(lam*k)",
        "--expect",
        "O(1/k)",
        "--steps",
        "100",
        "--replicates",
        "2",
    ]
    assert main(argv) == 2
    assert capsys.readouterr().err == (
        "ratecheck: error: the run failed: SystemExit: the code called sys.exit(0)\n"
    )
