"""The result of a verification and its JSON form (schema ``ratecheck.verdict/2``)."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from empirical.fitting import RateFit
from empirical.runner.trace import Trace
from empirical.verdicts import Verdict
from empirical.verification.checks import Checks, Outcome, value_outcome
from empirical.verification.plan import Plan
from empirical.verification.summary import summary_text

__all__ = ["SCHEMA", "VerificationResult"]

SCHEMA = "ratecheck.verdict/2"
"""The ``schema`` field of :meth:`VerificationResult.to_dict`."""
MAX_LOG_STEPS = 12
"""Runs longer than 1e12 updates are not proposed as a rerun."""


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


@dataclass(frozen=True)
class VerificationResult:
    """A run checked against an expectation: the outcome and everything behind it.

    ``outcome`` is "pass", "fail" or "inconclusive"; ``label`` is "within" or "matches"
    for a pass, "slower", "stalls", "diverges", "bound-violated" or "faster" for a fail,
    and the reason code for an inconclusive verdict. ``series`` is the checked quantity
    (R, J) at ``trace.k``; ``config`` holds everything needed to rerun (seed included)
    and ``config["command"]`` the command line that does; ``notes`` say what was chosen
    automatically.
    """

    outcome: str
    label: str
    reason: str
    plan: Plan
    checks: Checks
    trace: Trace
    series: np.ndarray
    config: Mapping[str, Any]
    needed_replicates: int | None
    needed_steps: int | None
    notes: tuple[str, ...]
    stages: tuple[Mapping[str, Any], ...] = ()
    """The looks of an auto-sized verify (R, alpha, outcome, label, needed R of each);
    empty for a single stage at a given R."""

    @classmethod
    def build(
        cls,
        plan: Plan,
        checks: Checks,
        outcome: Outcome,
        trace: Trace,
        series: np.ndarray,
        config: Mapping[str, Any],
        notes: list[str],
    ) -> VerificationResult:
        """Assemble the result; ``needed_steps`` from the checks' needed decades."""
        steps = None
        fit = _first_fit(checks)
        if outcome.needed_decades and fit is not None:
            log_steps = math.log10(fit.window[0]) + outcome.needed_decades
            if log_steps <= MAX_LOG_STEPS:
                steps = max(math.ceil(10**log_steps), int(trace.k[-1]))
        return cls(
            outcome=outcome.outcome,
            label=outcome.label,
            reason=outcome.reason,
            plan=plan,
            checks=checks,
            trace=trace,
            series=series,
            config=dict(config),
            needed_replicates=outcome.needed_replicates,
            needed_steps=steps,
            notes=(*plan.notes, *notes),
        )

    @property
    def passed(self) -> bool:
        return self.outcome == "pass"

    @property
    def fit(self) -> RateFit | None:
        """The rate fit of the rate check, else of the first value check that has one."""
        return _first_fit(self.checks)

    @property
    def expected(self) -> dict[str, Any]:
        """What was expected: the theorem id or the rate, its exponent and the test mode."""
        plan = self.plan
        expectation = plan.expectation
        shape = plan.shape
        theorem = expectation.theorem
        return {
            "text": expectation.describe(),
            "kind": expectation.kind,
            "theorem": theorem.id if theorem else None,
            "rate": str(shape) if shape else ("linear" if plan.mode == "linear" else None),
            "exponent": None if shape is None or shape.linear else shape.exponent,
            "log_power": None if shape is None else shape.log_power,
            "contraction": None if shape is None else shape.contraction,
            "mode": plan.mode,
            "mode_reason": plan.mode_reason,
            "quantity": plan.quantity,
            "iterate": plan.average.to_spec() if plan.average else "last",
        }

    def _exponent(self) -> dict[str, Any]:
        fit = self.fit
        if fit is None:
            return {"estimate": None, "ci_low": None, "ci_high": None, "parameter": None}
        return {
            **fit.exponent.to_dict(),
            "parameter": "log-rate per step" if fit.model == "linear" else "exponent",
        }

    def mean_series(self) -> np.ndarray:
        """Mean over replicates of the checked quantity at each checkpoint."""
        return self.series.mean(axis=0)

    def summary(self) -> str:
        """The verdict as text a person acts on: the claim, the fitted and the expected
        rate, the window, the bound, the verdict and why, what to do next, the rerun."""
        return summary_text(self.to_dict())

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` object (schema ``ratecheck.verdict/2``: the stages of an
        auto-sized verify added to /1)."""
        fit = self.fit
        checks = self.checks

        def verdict(v: Verdict | None) -> dict[str, Any] | None:
            return v.to_dict() if v is not None else None

        value_check = checks.bound or checks.constant
        return {
            "schema": SCHEMA,
            "verdict": self.outcome,
            "label": self.label,
            "reason": self.reason,
            "expected": self.expected,
            "exponent": self._exponent(),
            "contraction": fit.contraction.to_dict() if fit and fit.contraction else None,
            "window": list(fit.window) if fit else None,
            "bound_check": {
                "performed": value_check is not None,
                "kind": self.plan.bound_kind,
                "outcome": value_outcome(self.plan, checks),
                "skipped": checks.skipped.get("bound"),
                "bound": verdict(checks.bound),
                "constant": verdict(checks.constant),
                "values": dict(self.plan.values),
                "headroom": checks.headroom.to_dict() if checks.headroom else None,
            },
            "checks": {
                "rate": verdict(checks.rate),
                "bound": verdict(checks.bound),
                "constant": verdict(checks.constant),
                "skipped": dict(checks.skipped),
            },
            "notes": list(self.notes),
            "stages": [dict(stage) for stage in self.stages],
            "rerun": {
                "replicates": self.needed_replicates,
                "steps": self.needed_steps,
                "command": self.config.get("command"),
            },
            "config": dict(self.config),
            "trace": {
                "quantity": self.plan.quantity,
                "iterate": self.plan.average.to_spec() if self.plan.average else "last",
                "k": [int(v) for v in self.trace.k],
                "mean_gap": [_finite(v) for v in self.mean_series()],
                "replicates": self.trace.replicates,
                "n_diverged": int(np.sum(self.trace.diverged)),
                "wall_time": self.trace.wall_time,
                "compile_time": self.trace.compile_time,
            },
        }


def _first_fit(checks: Checks) -> RateFit | None:
    for verdict in (checks.rate, checks.constant, checks.bound):
        if verdict is not None and verdict.fit is not None:
            return verdict.fit
    return None
