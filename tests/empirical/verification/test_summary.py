"""VerificationResult.summary(): the result's own text, which `ratecheck verify` prints."""

from __future__ import annotations

import shlex
import subprocess

import pytest

from empirical import Scenario, verify
from reports.cli import main

FIELDS = {
    "objective": "ridge:n=200,d=5",
    "optimizer": "sgd",
    "schedule": "1/k**0.7",
    "expect": "O(1/k)",
    "steps": 10_000,
    "replicates": 10,
    "seed": 4,
    "sampling": "replacement",
}


def test_summary_states_claim_fit_expectation_verdict_and_rerun() -> None:
    text = verify(Scenario.from_dict(FIELDS)).summary()
    assert text.startswith("ratecheck verify: FAIL (slower)")
    for head in ("claim", "fitted", "expected", "window", "bound", "verdict", "reproduce"):
        assert f"\n  {head}" in text
    assert "sgd on ridge:n=200,d=5 with eta_k = 1/k**0.7" in text
    joined = " ".join(text.replace(" \\\n", " ").split())  # the shell's line continuations
    assert joined.count(Scenario.from_dict(FIELDS).command()) == 1


def test_the_printed_reproduce_lines_pasted_into_a_shell_are_the_command() -> None:
    fields = {**FIELDS, "constants": {"c": 0.5}, "schedule": "c/k**0.7", "alpha": 0.02}
    scenario = Scenario.from_dict(fields)
    text = verify(scenario).summary()
    block = text[text.index("\n  reproduce ") :].removeprefix("\n  reproduce ")
    assert len(block.splitlines()) > 1 and max(map(len, text.splitlines())) <= 100
    assert block.startswith("ratecheck verify ")
    shown = subprocess.run(
        ["sh", "-c", f"printf '%s\\n' {block.removeprefix('ratecheck ')}"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    assert shown == shlex.split(scenario.command())[1:]


def test_the_cli_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["verify"]
    for key, value in FIELDS.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    assert main(argv) == 1
    assert capsys.readouterr().out.rstrip("\n") == verify(**FIELDS).summary()
