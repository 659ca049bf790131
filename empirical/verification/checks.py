"""Run a plan's checks on a recorded series and combine them into one outcome.

Checks (each an :class:`empirical.verdicts.Verdict`):

* ``rate``: check_upper or check_match with the plan's shape; for ``linear`` with an
  unknown contraction, :func:`linear_verdict`.
* ``bound``: check_bound of the mean series against B(k) on the rate fit's window
  (rtol 0 for an upper bound, ``rtol`` for an exact formula).
* ``constant``: check_constant of the series over B(k) on the last decade, for exact and
  asymptotic theorems: match if the run attains the theorem, else upper.

Combination (:func:`combine`): any FAIL fails, labelled by the first failing check in the
order rate, bound, constant; else any INCONCLUSIVE is inconclusive; else PASS. Three
results are not tests of the theorem at finite k, so they do not decide by themselves:

* the per-checkpoint bound check of an exact formula (its mean is the bound itself; the
  constant check decides): its INCONCLUSIVE does not block a PASS;
* a FAIL of the constant check of an asymptotic equivalent (the ratio may still be
  converging): the outcome is INCONCLUSIVE instead;
* a "slower" FAIL or an INCONCLUSIVE of the rate check of an upper bound whose bound with
  constants was checked and holds, when even the fastest-rising trend the data allow
  would meet the bound only beyond the reach of a rerun
  (:mod:`empirical.verdicts.headroom`): PASS "within-bound", since no feasible run can
  contradict the theorem's statement (the local exponent is not yet asymptotic; the
  reason says so). Against a bare ``O(...)`` rate, or a theorem whose constants are not
  available, the slower FAIL stands, as do "stalls" and "diverges";
* any rate verdict but "diverges" of a deterministic run (every replicate identical) whose
  bound with constants is checked at every clean checkpoint and holds: PASS
  "within-bound" (a tight worst case, built for one horizon, has a local slope unlike the
  rate, yet meets the bound exactly at the horizon).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from empirical.fitting import fit_rate, needed_replicates
from empirical.fitting.rate import LINEAR_SLOPE, min_points
from empirical.fitting.window import FLOOR_FACTOR, range_problem
from empirical.verdicts import Verdict, check_bound, check_constant, check_match, check_upper
from empirical.verdicts.core import (
    PASS_LABELS,
    POWER,
    checked_trace,
    diverged_verdict,
    fail_label,
    pct,
    short_window_verdict,
)
from empirical.verdicts.headroom import Headroom, headroom
from empirical.verification.plan import Plan

__all__ = ["Checks", "Outcome", "combine", "linear_verdict", "run_checks", "value_outcome"]

DETERMINISTIC_RTOL = 1e-9
"""Replicates equal to this relative tolerance are one deterministic run."""


@dataclass(frozen=True)
class Checks:
    """The verdicts of one verification (None: not run; ``skipped`` says why).

    ``headroom`` is set when the rate check failed "slower" against a bound that holds.
    """

    rate: Verdict | None
    bound: Verdict | None
    constant: Verdict | None
    skipped: dict[str, str]
    headroom: Headroom | None = None
    deterministic: bool = False
    """Every replicate recorded the same series (a deterministic method and oracle)."""


@dataclass(frozen=True)
class Outcome:
    """The combined verdict: outcome, label, the deciding checks' reasons and rerun sizes."""

    outcome: str
    label: str
    reason: str
    needed_replicates: int | None
    needed_decades: float | None


def linear_verdict(
    k: np.ndarray,
    series: np.ndarray,
    *,
    alpha: float,
    alpha_c: float,
    kmin: float,
    f_scale: float | None,
    delta: float = 0.05,
) -> Verdict:
    """Linear convergence with an unknown contraction rho.

    The linear model log gap = a + (log rho) k is fitted per replicate (burn-in by the
    curvature test, material at a relative change delta of log rho). PASS if the LINEAR
    flag holds (STATISTICS.md §4a) and the 1-alpha upper bound of log rho is < 0; FAIL if
    the 1-alpha lower bound of the last-decade log-log slope is > -3, the LINEAR flag's
    threshold (the curve falls like a power of k; labelled as slower, stalls or
    diverges); else INCONCLUSIVE.
    """
    expected = "linear convergence (rho^k, rho < 1)"
    trace = checked_trace(k, series, kmin, f_scale)
    if trace.clean.n_diverged:
        return diverged_verdict("linear", trace, expected, 0.0, alpha, alpha_c)
    problem = range_problem(trace.k, trace.clean, min_points("linear"))
    if problem:
        return short_window_verdict("linear", trace, problem, expected, 0.0, alpha)
    fit = fit_rate(
        trace.k,
        trace.gaps,
        "linear",
        kmin=kmin,
        f_scale=f_scale,
        level=1 - 2 * alpha,
        alpha_c=alpha_c,
        delta=delta,
    )
    rate, last = fit.exponent, fit.last_decade
    assert fit.contraction is not None
    rho = fit.contraction
    described = (
        f"the fitted per-step contraction is {rho.value:.4g} ({pct(rho.level)} CI "
        f"{rho.ci_low:.4g} to {rho.ci_high:.4g}; mean over R={fit.n_replicates} per-replicate "
        f"fits) on k in [{fit.window[0]}, {fit.window[1]}], and the last-decade log-log slope "
        f"is {last.value:.3f} ({pct(1 - alpha)} bounds [{last.lower_bound(alpha):.3f}, "
        f"{last.upper_bound(alpha):.3f}], linear needs < {LINEAR_SLOPE:g})"
    )
    common = {
        "check": "linear",
        "expected": expected,
        "fit": fit,
        "statistic": rate,
        "tolerance": 0.0,
        "alpha": alpha,
        "n_replicates": trace.size,
        "n_diverged": 0,
    }
    if "LINEAR" in fit.flags and rate.upper_bound(alpha) < 0:
        reason = f"PASS (within): {described}; the gap falls linearly in k."
        return Verdict(outcome="pass", label=PASS_LABELS["upper"], reason=reason, **common)
    if last.lower_bound(alpha) > LINEAR_SLOPE:
        label = fail_label(fit, alpha)
        reason = f"FAIL ({label}): {described}, so the gap falls like a power of k at best."
        return Verdict(outcome="fail", label=label, reason=reason, **common)
    sigma1 = last.se * math.sqrt(trace.size)
    n_needed = needed_replicates(sigma1, abs(LINEAR_SLOPE - last.value), alpha, POWER)
    reason = f"INCONCLUSIVE (imprecise): {described}; the data cannot decide." + (
        f" About R = {n_needed} replicates would resolve it." if n_needed else ""
    )
    return Verdict(
        outcome="inconclusive",
        label="imprecise",
        reason=reason,
        needed_replicates=n_needed,
        **common,
    )


def _window(plan: Plan, rate: Verdict | None, k: np.ndarray) -> tuple[float, float]:
    if rate is not None and rate.fit is not None:
        return float(rate.fit.window[0]), float(rate.fit.window[1])
    return plan.kmin, float(k[-1])


def _ball_problem(plan: Plan, dist2: np.ndarray | None) -> str | None:
    """Why G cannot be used: the recorded iterates left the ball on which it holds."""
    if plan.ball is None:
        return None
    if dist2 is None:
        return f"G holds on the ball ||w - w*|| <= {plan.ball:.4g} only, and no distances are known"
    with np.errstate(invalid="ignore"):
        reach = float(np.sqrt(np.nanmax(dist2)))
    if reach <= plan.ball * (1 + 1e-9):
        return None
    return (
        f"G = {plan.values.get('G', math.nan):.4g} bounds the gradients on the ball "
        f"||w - w*|| <= {plan.ball:.4g} only, and the iterates reached {reach:.4g}"
        + (f"; {plan.projection}" if plan.projection else "")
    )


def run_checks(
    plan: Plan,
    k: np.ndarray,
    series: np.ndarray,
    dist2: np.ndarray | None,
    *,
    alpha: float,
    delta: float,
    rtol: float,
    alpha_c: float,
    f_scale: float | None,
) -> Checks:
    """The plan's checks on ``series`` (R, J) at checkpoints ``k`` (J,).

    ``dist2`` (R, J) are the iterates' squared distances to w* (for the ball of G).
    """
    skipped: dict[str, str] = {}
    deterministic = _deterministic(series, f_scale)
    options = {"alpha": alpha, "alpha_c": alpha_c, "kmin": plan.kmin, "f_scale": f_scale}
    rate: Verdict | None = None
    if plan.mode == "linear":
        rate = linear_verdict(k, series, delta=delta, **options)
    elif plan.mode in ("upper", "match"):
        assert plan.shape is not None
        check = check_match if plan.mode == "match" else check_upper
        rate = check(k, series, plan.shape, delta=delta, **options)
    else:
        skipped["rate"] = plan.rate_skipped or "no rate to check"

    bound = constant = None
    problem = plan.bound_skipped or _ball_problem(plan, dist2)
    if plan.bound is None or problem:
        skipped["bound"] = problem or "no bound"
        return Checks(rate, None, None, skipped, deterministic=deterministic)
    values = plan.bound(k)
    with np.errstate(invalid="ignore"):
        usable = np.isfinite(values) & (values > 0)  # B(k) may underflow to 0 at large k
    if not usable.any():
        skipped["bound"] = "B(k) is not a finite positive number at any checkpoint"
        return Checks(rate, None, None, skipped, deterministic=deterministic)
    start, end = _window(plan, rate, k)
    if deterministic and plan.bound_kind == "upper":
        start, end = plan.kmin, float(k[-1])  # the bound decides: check it at every k
    if plan.bound_kind == "asymptotic":
        skipped["bound"] = (
            "the theorem's B(k) is its leading-order term, not a bound at each k; its "
            "constant is checked on the last decade"
        )
    elif np.count_nonzero((k >= start) & (k <= end) & usable) < 2:
        skipped["bound"] = (
            f"fewer than 2 checkpoints with a usable B(k) in [{start:g}, {end:g}]; a longer run "
            "records more"
        )
    else:
        inside = (k >= start) & (k <= end) & usable
        bound = check_bound(
            k[inside],
            series[:, inside],
            values[inside],
            alpha=alpha,
            rtol=rtol if plan.bound_kind == "exact" else 0.0,
            kmin=start,
            f_scale=f_scale,
        )
    margin = None
    if rate is not None and bound is not None and plan.mode == "upper" and plan.shape:
        margin = headroom(rate, bound, k, series, values, plan.shape.exponent)
    if plan.bound_kind in ("exact", "asymptotic"):
        constant = check_constant(
            k[usable],
            series[:, usable],
            values[usable],
            mode=plan.value_mode,
            alpha=alpha,
            rtol=rtol,
            kmin=plan.kmin,
            f_scale=f_scale,
        )
    return Checks(rate, bound, constant, skipped, margin, deterministic)


def _deterministic(series: np.ndarray, f_scale: float | None) -> bool:
    """Whether every replicate's series equals the first's up to rounding: relative
    DETERMINISTIC_RTOL, or absolute below the float floor tau = 1e3 eps f_scale (NaNs at
    the same places). A deterministic method and oracle gives such replicates; they differ
    at most by the order of a sum (a full batch drawn in another order)."""
    if series.shape[0] < 2:
        return False
    tau = FLOOR_FACTOR * float(np.finfo(np.float64).eps) * (f_scale or 1.0)
    with np.errstate(invalid="ignore"):
        return bool(
            np.allclose(series[1:], series[0], rtol=DETERMINISTIC_RTOL, atol=tau, equal_nan=True)
        )


def bound_decides(plan: Plan, checks: Checks) -> bool:
    """A deterministic run below the theorem's bound with constants at every checkpoint:
    the bound is the theorem's statement, and the local slope does not overrule it."""
    return (
        checks.deterministic
        and plan.bound_kind == "upper"
        and checks.bound is not None
        and checks.bound.outcome == "pass"
    )


def _blocking(plan: Plan, checks: Checks, name: str, verdict: Verdict) -> str:
    """The outcome ``verdict`` contributes to the combination (module docstring)."""
    if name == "bound" and plan.bound_kind == "exact" and verdict.outcome == "inconclusive":
        return "pass"
    if name == "constant" and plan.bound_kind == "asymptotic" and verdict.outcome == "fail":
        return "inconclusive"
    if name == "rate" and checks.headroom is not None and checks.headroom.blocks_fail:
        return "pass"
    if name == "rate" and verdict.label != "diverges" and bound_decides(plan, checks):
        return "pass"
    return verdict.outcome


def _open_reason(plan: Plan, checks: Checks, name: str, verdict: Verdict) -> str:
    """The reason of a check that leaves the outcome INCONCLUSIVE."""
    text = f"{name} check: {verdict.reason}"
    if verdict.outcome != "fail":
        return text
    return (
        f"{text} The theorem's constant is an asymptotic equivalent, so a finite-k "
        "disagreement is not conclusive; run longer."
    )


def value_outcome(plan: Plan, checks: Checks) -> str | None:
    """The combined outcome of the bound and constant checks (None if neither ran)."""
    effective = [
        _blocking(plan, checks, name, verdict)
        for name, verdict in (("bound", checks.bound), ("constant", checks.constant))
        if verdict is not None
    ]
    for outcome in ("fail", "inconclusive", "pass"):
        if outcome in effective:
            return outcome
    return None


def combine(plan: Plan, checks: Checks) -> Outcome:
    """One outcome from the checks (module docstring)."""
    named = [
        (name, verdict)
        for name, verdict in (
            ("rate", checks.rate),
            ("bound", checks.bound),
            ("constant", checks.constant),
        )
        if verdict is not None
    ]
    effective = [(name, verdict, _blocking(plan, checks, name, verdict)) for name, verdict in named]
    failing = [(name, v) for name, v, outcome in effective if outcome == "fail"]
    if failing:
        name, verdict = failing[0]
        reason = f"{name} check: {verdict.reason}"
        if name == "rate" and checks.headroom is not None:
            reason += f" And {checks.headroom.describe()}, so the slower rate stands as a FAIL."
        return Outcome("fail", verdict.label, reason, None, None)
    open_ = [(name, v) for name, v, outcome in effective if outcome == "inconclusive"]
    if open_:
        reasons = [_open_reason(plan, checks, name, verdict) for name, verdict in open_]
        replicates = [v.needed_replicates for _, v in open_ if v.needed_replicates]
        decades = [v.needed_decades for _, v in open_ if v.needed_decades]
        name, first = open_[0]
        label = first.label if first.outcome == "inconclusive" else "pre-asymptotic"
        return Outcome(
            "inconclusive",
            label,
            " ".join(reasons),
            max(replicates) if replicates else None,
            max(decades) if decades else None,
        )
    deciding = checks.rate or checks.constant or checks.bound
    assert deciding is not None
    label = PASS_LABELS["match"] if plan.mode == "match" else deciding.label
    reasons = [f"{name} check: {verdict.reason}" for name, verdict in named]
    if checks.rate is not None and checks.rate.outcome != "pass" and checks.headroom:
        label = "within-bound"
        reasons.append(
            f"But {checks.headroom.describe()}: the local exponent is not yet asymptotic, "
            "and the theorem's bound with its constants holds now and in any feasible "
            "rerun (WITHIN-BOUND)."
        )
    elif checks.rate is not None and checks.rate.outcome != "pass" and bound_decides(plan, checks):
        label = "within-bound"
        reasons.append(
            "The run is deterministic (every replicate identical) and its gap is below the "
            "theorem's bound with its constants at every clean checkpoint, which is what "
            "the theorem states; the local slope does not overrule it (WITHIN-BOUND)."
        )
    return Outcome("pass", label, " ".join(reasons), None, None)
