"""VerificationResult.summary(): the result's own text, which `ratecheck verify` prints."""

from __future__ import annotations

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
    assert " ".join(text.split()).count(Scenario.from_dict(FIELDS).command()) == 1


def test_the_cli_prints_the_summary(capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["verify"]
    for key, value in FIELDS.items():
        argv += [f"--{key.replace('_', '-')}", str(value)]
    assert main(argv) == 1
    assert capsys.readouterr().out.rstrip("\n") == verify(**FIELDS).summary()
