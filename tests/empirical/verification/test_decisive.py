"""Verdicts a CI can act on: correct runs that must PASS, with the advice a rerun can use."""

from __future__ import annotations

from empirical import verify


def test_a_deterministic_run_at_the_exact_rate_passes() -> None:
    """GD with eta_k = c/(lam k), c lam = 0.3 < 1/2, on a noiseless 1-D quadratic: the gap
    is exactly of order k^(-2 c lam) = k^-0.6 with a curvature that moves the local slope by
    less than delta; identical replicates (se = 0) are judged by that magnitude."""
    result = verify(
        "quadratic:d=1,sigma=0",
        "sgd",
        "0.3/(lam*k)",
        expect="minibatch-sgd-quadratic-c-over-k-slow",
        replicates=3,
    )
    assert (result.outcome, result.label) == ("pass", "matches")
    assert result.fit is not None and not result.fit.flags
