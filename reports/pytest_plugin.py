"""pytest plugin: assert a convergence rate in a test, in one line.

Registered through the ``pytest11`` entry point ``ratecheck`` (``pytest -p no:ratecheck``
disables it). A test asks for the ``ratecheck`` fixture::

    def test_sgd_rate(ratecheck):
        ratecheck.assert_rate(objective="ridge", optimizer="sgd", schedule="1/(lam*k)",
                              expected="O(1/k)")

or calls :func:`assert_rate` directly (``from reports.pytest_plugin import assert_rate``),
with a recorded :class:`empirical.Trace`, an :class:`empirical.Scenario` or its fields.
Anything but a PASS raises :class:`AssertionError` whose message names the fitted
exponent and its interval, the expected rate, the window, the verdict label and the seed
and command that reproduce the run. Runs are deterministic: the seed is
:data:`DEFAULT_SEED` unless given (or set with ``--ratecheck-seed``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # the plugin loads with every pytest run: import the toolkit lazily
    from empirical.runner.trace import Trace
    from empirical.scenario import Scenario
    from empirical.verification.result import VerificationResult

__all__ = ["DEFAULT_SEED", "RateChecker", "assert_rate", "failure_message"]

DEFAULT_SEED = 0
"""Seed of every run unless a test or ``--ratecheck-seed`` says otherwise."""


def failure_message(result: VerificationResult) -> str:
    """The assertion message for a verification that did not pass."""
    data = result.to_dict()
    exponent = data["exponent"]
    if data["contraction"]:
        rho = data["contraction"]
        fitted = (
            f"fitted contraction {rho['estimate']:.4g} "
            f"(CI {rho['ci_low']:.4g} to {rho['ci_high']:.4g})"
        )
    elif exponent["estimate"] is not None:
        fitted = (
            f"fitted exponent {exponent['estimate']:.3f} "
            f"(CI {exponent['ci_low']:.3f} to {exponent['ci_high']:.3f})"
        )
    else:
        fitted = "no rate fitted"
    expected = data["expected"]
    wanted = expected["text"]
    if expected["exponent"] is not None:
        wanted += f" (exponent {expected['exponent']:g}, {expected['mode']} test)"
    window = data["window"]
    where = f"window k in [{window[0]}, {window[1]}]" if window else "no window"
    seed = data["config"]["seed"]
    stages = "".join(
        f"stage {s['stage']}: R = {s['replicates']}, K = {s['steps']} at alpha {s['alpha']:g}, "
        f"{s['outcome'].upper()} ({s['label']})"
        + (f", asks R = {s['needed_replicates']}" if s["needed_replicates"] else "")
        + "\n"
        for s in data["stages"]
    )
    return (
        f"ratecheck: {data['verdict'].upper()} ({data['label']}): {fitted}; expected {wanted}; "
        f"{where}; seed {seed}; R = {data['trace']['replicates']} replicates.\n"
        f"{data['reason']}\n{stages}"
        f"reproduce: {data['rerun']['command']}"
    )


def assert_rate(
    trace_or_scenario: Trace | Scenario | dict[str, Any] | None = None,
    expected: Any = None,
    *,
    allow_inconclusive: bool = False,
    **options: Any,
) -> VerificationResult:
    """Verify a rate and raise :class:`AssertionError` unless the verdict is PASS (or, with
    ``allow_inconclusive=True``, unless it is FAIL: an explicit opt-out for runs the data
    may not decide; a FAIL always raises).

    ``trace_or_scenario``: a :class:`empirical.Trace` (checked with
    :func:`empirical.verify_trace`; ``options`` are its keywords), an
    :class:`empirical.Scenario`, a dict of its fields (as :meth:`Scenario.to_dict` writes
    them), or None with those fields in ``options`` (``objective``, ``optimizer``,
    ``schedule``, ``steps``, ``replicates``, ...). ``expected``: a theorem id,
    ``"O(EXPR)"`` or ``"linear"`` (a Scenario may carry its own). Returns the result.
    """
    from empirical.runner.trace import Trace
    from empirical.scenario import Scenario
    from empirical.verification.verify import verify_scenario, verify_trace

    if expected is None:
        expected = options.pop("expect", None)
    if isinstance(trace_or_scenario, Trace):
        if expected is None:
            raise TypeError("assert_rate: give expected=THEOREM_ID, 'O(EXPR)' or 'linear'")
        result = verify_trace(trace_or_scenario, expected, **options)
    else:
        if isinstance(trace_or_scenario, Scenario):
            fields = {**trace_or_scenario.to_dict(), **options}
        else:
            fields = {**(trace_or_scenario or {}), **options}
            fields.setdefault("seed", DEFAULT_SEED)
        if expected is not None:
            fields["expect"] = expected
        if fields.get("expect") is None:
            raise TypeError("assert_rate: give expected=THEOREM_ID, 'O(EXPR)' or 'linear'")
        missing = [key for key in ("objective", "optimizer", "schedule") if key not in fields]
        if missing:
            raise TypeError(f"assert_rate: the scenario needs {', '.join(missing)}")
        result = verify_scenario(Scenario.from_dict(fields))
    if result.outcome == "fail" or not (result.passed or allow_inconclusive):
        raise AssertionError(failure_message(result))
    return result


class RateChecker:
    """What the ``ratecheck`` fixture returns: :func:`assert_rate` with the session's seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def assert_rate(
        self,
        trace_or_scenario: Trace | Scenario | dict[str, Any] | None = None,
        expected: Any = None,
        *,
        allow_inconclusive: bool = False,
        **options: Any,
    ) -> VerificationResult:
        """:func:`assert_rate`, with ``seed`` defaulting to the session's for scenarios
        given as fields (a :class:`Scenario` keeps its own)."""
        from empirical.runner.trace import Trace
        from empirical.scenario import Scenario

        if not isinstance(trace_or_scenario, Trace | Scenario):
            options.setdefault("seed", self.seed)
        return assert_rate(
            trace_or_scenario, expected, allow_inconclusive=allow_inconclusive, **options
        )


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("ratecheck", "convergence-rate assertions")
    group.addoption(
        "--ratecheck-seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"seed of ratecheck runs that do not set one (default {DEFAULT_SEED})",
    )


@pytest.fixture
def ratecheck(request: pytest.FixtureRequest) -> RateChecker:
    """A :class:`RateChecker`: ``ratecheck.assert_rate(expected=..., objective=..., ...)``."""
    return RateChecker(request.config.getoption("ratecheck_seed", default=DEFAULT_SEED))
