"""Shared pieces of the verdicts: the :class:`Verdict` result, trace validation, the
outright FAIL on divergence, the short-window INCONCLUSIVE and the FAIL diagnostics."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike

from empirical.fitting import Estimate, RateFit, fit_rate
from empirical.fitting.inputs import checked_gaps, checked_k
from empirical.fitting.rate import min_points
from empirical.fitting.window import (
    CleanRange,
    clean_range,
    floor_threshold,
    machine_eps,
    range_problem,
)
from theory import validation

STALL_SLOPE = 0.1
"""s_L thresholds: "diverges" if its lower bound > +0.1, "stalls" if its upper bound >= -0.1."""
POWER = 0.95
"""Power at which ``needed_replicates`` and ``needed_decades`` are sized."""

PASS_LABELS = {"upper": "within", "match": "matches"}
"""Labels of a PASS: within an upper bound, or matching an attained rate or constant."""
ALPHA_C = 0.2
"""alpha_c of the context fits attached to bound and constant verdicts."""


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: "pass", "fail" or "inconclusive", with a label and a reason.

    ``label``: for a pass, "within" (upper, bound, constant) or "matches" (match); for a
    fail, "slower", "stalls", "diverges", "bound-violated" or "faster"; for an inconclusive
    verdict, the reason code ("short-window", "imprecise", "pre-asymptotic",
    "end-flattening"). ``statistic`` is the tested quantity (b, or the mean ratio gap/C)
    and ``tolerance`` its delta (or rtol).
    """

    check: str
    outcome: str
    label: str
    reason: str
    expected: str
    fit: RateFit | None
    statistic: Estimate | None
    tolerance: float
    alpha: float
    n_replicates: int
    n_diverged: int
    needed_replicates: int | None = None
    needed_decades: float | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "check": self.check,
            "outcome": self.outcome,
            "label": self.label,
            "reason": self.reason,
            "expected": self.expected,
            "fit": self.fit.to_dict() if self.fit else None,
            "statistic": self.statistic.to_dict() if self.statistic else None,
            "tolerance": self.tolerance,
            "alpha": self.alpha,
            "n_replicates": self.n_replicates,
            "n_diverged": self.n_diverged,
            "needed_replicates": self.needed_replicates,
            "needed_decades": self.needed_decades,
        }


@dataclass(frozen=True)
class CheckedTrace:
    """A validated trace with its clean range."""

    k: np.ndarray
    gaps: np.ndarray
    clean: CleanRange
    f_scale: float | None

    @property
    def size(self) -> int:
        return self.gaps.shape[0]


def checked_trace(
    k: ArrayLike, gaps: ArrayLike, kmin: float, f_scale: float | None, where: str = "verify"
) -> CheckedTrace:
    """Validate a trace and apply the kmin and whole-tail float-floor cuts; ``where``
    names the function called in errors."""
    k_arr = checked_k(k, where)
    eps = machine_eps(gaps)
    gap = checked_gaps(gaps, k_arr.size, where)
    kmin = validation.real(where, "kmin", kmin, at_least=1.0)
    if f_scale is not None:
        f_scale = validation.real(where, "f_scale", f_scale, at_least=0.0)
    clean = clean_range(k_arr, gap, kmin, floor_threshold(gap, f_scale, eps))
    return CheckedTrace(k_arr, gap, clean, f_scale)


def pct(prob: float) -> str:
    """0.99 -> "99%"."""
    return f"{100 * prob:g}%"


def context_fit(trace: CheckedTrace, alpha_c: float) -> RateFit | None:
    """A power-law fit for the record, or None if the clean range cannot be fitted."""
    if range_problem(trace.k, trace.clean, min_points("power")):
        return None
    kmin = float(trace.k[trace.clean.start])
    return fit_rate(trace.k, trace.gaps, "power", kmin=kmin, f_scale=trace.f_scale, alpha_c=alpha_c)


def diverged_verdict(
    check: str, trace: CheckedTrace, expected: str, tolerance: float, alpha: float, alpha_c: float
) -> Verdict:
    """FAIL "diverges": some replicate produced a non-finite gap."""
    clean = trace.clean
    reason = (
        f"FAIL (diverges): {clean.n_diverged} of {trace.size} replicates produced a non-finite "
        f"gap (first at k={clean.diverged_at}); a run that diverges with positive probability "
        f"violates any convergence bound, here {expected}."
    )
    return Verdict(
        check=check,
        outcome="fail",
        label="diverges",
        reason=reason,
        expected=expected,
        fit=context_fit(trace, alpha_c),
        statistic=None,
        tolerance=tolerance,
        alpha=alpha,
        n_replicates=trace.size,
        n_diverged=clean.n_diverged,
    )


def short_window_verdict(
    check: str, trace: CheckedTrace, problem: str, expected: str, tolerance: float, alpha: float
) -> Verdict:
    """INCONCLUSIVE "short-window": the clean range cannot be fitted (``problem`` says why)."""
    reason = (
        f"INCONCLUSIVE (short-window): {problem}. Extend the run (larger K), lower kmin, or "
        f"compute the gap without cancellation and pass f_scale=0."
    )
    return Verdict(
        check=check,
        outcome="inconclusive",
        label="short-window",
        reason=reason,
        expected=expected,
        fit=None,
        statistic=None,
        tolerance=tolerance,
        alpha=alpha,
        n_replicates=trace.size,
        n_diverged=trace.clean.n_diverged,
        needed_decades=1.0,
    )


def fail_label(fit: RateFit, alpha: float) -> str:
    """Label a FAIL on the slow side from the last-decade log-log slope s_L of the raw gap:
    "diverges" if its 1-alpha lower bound is > STALL_SLOPE, "stalls" if its 1-alpha upper
    bound is >= -STALL_SLOPE, else "slower"."""
    if fit.last_decade.lower_bound(alpha) > STALL_SLOPE:
        return "diverges"
    if fit.last_decade.upper_bound(alpha) >= -STALL_SLOPE:
        return "stalls"
    return "slower"
