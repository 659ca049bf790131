"""Value verdicts: ``check_bound`` (the mean gap against explicit values B(k)) and
``check_constant`` (the asymptotic constant, gap/C(k) over the last decade).

See :mod:`empirical.verdicts` for the rules.
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from empirical.fitting import Estimate, needed_replicates
from empirical.fitting.inference import mean_estimate, t_quantile
from empirical.fitting.inputs import checked_curve
from empirical.fitting.window import last_decade_start, machine_eps, range_problem
from empirical.verdicts.core import (
    ALPHA_C,
    PASS_LABELS,
    POWER,
    Verdict,
    checked_trace,
    context_fit,
    diverged_verdict,
    fail_label,
    pct,
    short_window_verdict,
)
from empirical.verdicts.interval_tests import one_sided, tost
from theory import validation

ROUNDING_ULPS = 8
"""Units of rounding (eps times the compared magnitude) a bound check allows."""


def check_bound(
    k: ArrayLike,
    gaps: ArrayLike,
    bound_values: ArrayLike,
    *,
    alpha: float = 0.01,
    rtol: float = 0.0,
    kmin: float = 1,
    f_scale: float | None = None,
) -> Verdict:
    """Is the mean gap below the explicit bound B(k) (``bound_values``, (J,)) everywhere?

    At each of the n clean checkpoints, with m_j the mean gap and s_j its sd over replicates:
    PASS if m_j + t_{R-1, 1-alpha} s_j/sqrt(R) <= B'_j at every j; FAIL "bound-violated"
    if m_j - t_{R-1, 1-alpha/n} s_j/sqrt(R) > B'_j at some j (Bonferroni over
    checkpoints); else INCONCLUSIVE "imprecise". The limit B'_j = B_j (1 + rtol) +
    ROUNDING_ULPS eps max(B_j, f_scale) allows for rounding: a gap F(w) - F* carries an
    error of a few eps |F*| (f_scale, as for the float floor) and B_j one of a few ulps, so
    a gap equal to a tight bound up to rounding is not a violation. A tight bound (exact
    constant) cannot PASS with rtol = 0 on a stochastic run; use ``check_constant`` or
    rtol > 0.
    """
    where = "check_bound"
    alpha = validation.fraction(where, "alpha", alpha)
    rtol = validation.real(where, "rtol", rtol, at_least=0.0)
    trace = checked_trace(k, gaps, kmin, f_scale, where)
    bound = checked_curve(bound_values, trace.k.size, where, "bound_values")
    expected = "B(k)" + (f" (1 + {rtol:g})" if rtol else "")
    if trace.clean.n_diverged:
        return diverged_verdict("bound", trace, expected, rtol, alpha, ALPHA_C)
    clean = trace.clean
    if clean.size < 1:
        problem = "no clean checkpoint remains after the kmin and float-floor cuts"
        return short_window_verdict("bound", trace, problem, expected, rtol, alpha)
    sl = slice(clean.start, clean.stop)
    size, count = trace.size, clean.size
    scale = np.maximum(bound[sl], trace.f_scale or 0.0)
    rounding = ROUNDING_ULPS * machine_eps(trace.gaps) * scale
    ks, limit = trace.k[sl], bound[sl] * (1 + rtol) + rounding
    mean = trace.gaps[:, sl].mean(axis=0)
    se = trace.gaps[:, sl].std(axis=0, ddof=1) / math.sqrt(size)
    upper = mean + t_quantile(1 - alpha, size - 1) * se
    lower = mean - t_quantile(1 - alpha / count, size - 1) * se
    worst = int(np.argmax(upper / limit))
    ratio = Estimate(float(mean[worst] / limit[worst]), float(se[worst] / limit[worst]), size - 1)
    checked_at = (
        f"{count} clean checkpoints k in [{int(ks[0])}, {int(ks[-1])}] (R = {size}, t_{size - 1})"
    )
    common = {
        "check": "bound",
        "expected": expected,
        "fit": context_fit(trace, ALPHA_C),
        "statistic": ratio,
        "tolerance": rtol,
        "alpha": alpha,
        "n_replicates": size,
        "n_diverged": 0,
    }
    violated = np.flatnonzero(lower > limit)
    if violated.size:
        j = int(violated[np.argmax((lower / limit)[violated])])
        reason = (
            f"FAIL (bound-violated): at k={int(ks[j])} the mean gap {mean[j]:.4g} has the "
            f"{pct(1 - alpha / count)} lower bound {lower[j]:.4g} (Bonferroni over {checked_at}) "
            f"above the bound {limit[j]:.4g}; the bound is violated at {violated.size} "
            f"checkpoint(s)."
        )
        return Verdict(outcome="fail", label="bound-violated", reason=reason, **common)
    if np.all(upper <= limit):
        reason = (
            f"PASS (within): the {pct(1 - alpha)} upper confidence limit of the mean gap is "
            f"below the bound at all {checked_at}; the closest is k={int(ks[worst])} with "
            f"mean/bound {ratio.value:.3g} (upper limit/bound {upper[worst] / limit[worst]:.3g})."
        )
        return Verdict(outcome="pass", label=PASS_LABELS["upper"], reason=reason, **common)
    sigma = se[worst] * math.sqrt(size)
    n_needed = needed_replicates(sigma, float(limit[worst] - mean[worst]), alpha, POWER)
    reason = (
        f"INCONCLUSIVE (imprecise): at k={int(ks[worst])} the mean gap {mean[worst]:.4g} is "
        f"{ratio.value:.3g} times the bound but its {pct(1 - alpha)} upper limit "
        f"{upper[worst]:.4g} exceeds it; no checkpoint is significantly above the bound "
        f"({checked_at}). "
        + (
            f"About R = {n_needed} replicates would resolve it."
            if n_needed
            else "The mean sits at or above the bound: the bound may be tight here."
        )
    )
    return Verdict(
        outcome="inconclusive",
        label="imprecise",
        reason=reason,
        needed_replicates=n_needed,
        **common,
    )


def check_constant(
    k: ArrayLike,
    gaps: ArrayLike,
    constant_values: ArrayLike,
    *,
    mode: str = "upper",
    alpha: float = 0.01,
    rtol: float = 0.05,
    kmin: float = 10,
    f_scale: float | None = None,
) -> Verdict:
    """Test the asymptotic constant: m_r = mean over the last decade of gap_r / C(k).

    ``constant_values`` (J,) is the theory's asymptotic gap C(k) (e.g. sigma^2/(2 lam k)).
    ``mode="upper"`` (C bounds the gap): FAIL if m_bar - t_{1-alpha} se > 1 + rtol, PASS if
    m_bar + t_{1-alpha} se <= 1 + rtol. ``mode="match"`` (C is exact): TOST on
    [1 - rtol, 1 + rtol] as in ``check_match``. A FAIL above is labelled "diverges" or
    "stalls" from the last-decade slope, else "bound-violated"; below, "faster".
    """
    where = "check_constant"
    mode = validation.choice(where, "mode", mode, ("upper", "match"))
    alpha = validation.fraction(where, "alpha", alpha)
    rtol = validation.real(where, "rtol", rtol, at_least=0.0)
    trace = checked_trace(k, gaps, kmin, f_scale, where)
    constant = checked_curve(constant_values, trace.k.size, where, "constant_values")
    check = f"constant-{mode}"
    expected = "gap / C(k) " + ("<= 1" if mode == "upper" else "= 1") + f" within {rtol:g}"
    if trace.clean.n_diverged:
        return diverged_verdict(check, trace, expected, rtol, alpha, ALPHA_C)
    problem = range_problem(trace.k, trace.clean, 2)
    if problem:
        return short_window_verdict(check, trace, problem, expected, rtol, alpha)
    clean = trace.clean
    last = last_decade_start(trace.k, clean.start, clean.stop)
    sl = slice(last, clean.stop)
    ratio = mean_estimate((trace.gaps[:, sl] / constant[sl]).mean(axis=1))
    size = trace.size
    fit = context_fit(trace, ALPHA_C)
    described = (
        f"the mean over the last decade k in [{int(trace.k[last])}, "
        f"{int(trace.k[clean.stop - 1])}] of gap/C(k) is {ratio.value:.4g} "
        f"(mean over R={size} replicates, t_{size - 1})"
    )
    if mode == "upper":
        decision = one_sided(ratio, 1 + rtol, alpha=alpha)
        low, high = decision.bounds
        test = f"its {pct(1 - alpha)} bounds are [{low:.4g}, {high:.4g}] against 1 + {rtol:g}"
    else:
        decision = tost(ratio, 1 - rtol, 1 + rtol, alpha=alpha)
        (low, high), (inner_low, inner_high) = decision.bounds, decision.inner
        test = (
            f"its {pct(1 - 2 * alpha)} interval is [{inner_low:.4g}, {inner_high:.4g}] and its "
            f"{pct(1 - alpha)} interval [{low:.4g}, {high:.4g}], against "
            f"[{1 - rtol:g}, {1 + rtol:g}]"
        )
    common = {
        "check": check,
        "expected": expected,
        "fit": fit,
        "statistic": ratio,
        "tolerance": rtol,
        "alpha": alpha,
        "n_replicates": size,
        "n_diverged": 0,
    }
    if decision.outcome == "fail":
        side = decision.side
        label = "bound-violated" if side == "above" else "faster"
        if side == "above" and fit is not None and fail_label(fit, alpha) != "slower":
            label = fail_label(fit, alpha)
        reason = f"FAIL ({label}): {described}; {test}, so the gap is {side} the theory's constant."
        return Verdict(outcome="fail", label=label, reason=reason, **common)
    if decision.outcome == "pass":
        label = PASS_LABELS[mode]
        return Verdict(
            outcome="pass", label=label, reason=f"PASS ({label}): {described}; {test}.", **common
        )
    plausible, margin, power = constant_design(decision.bounds, mode, rtol)
    n_needed = needed_replicates(
        sigma_upper(ratio.se * math.sqrt(size), size), margin, alpha, power
    )
    reason = f"INCONCLUSIVE (imprecise): {described}; {test}, so the data cannot decide." + (
        f" About R = {n_needed} replicates would resolve it with {pct(POWER)} power if the "
        f"true ratio is {plausible:.4g}, the value in the interval closest to the theory's 1."
        if n_needed
        else ""
    )
    return Verdict(
        outcome="inconclusive",
        label="imprecise",
        reason=reason,
        needed_replicates=n_needed,
        **common,
    )


SIGMA_CONFIDENCE = 0.9
"""Confidence of the upper limit of sigma at which an inconclusive constant check is sized."""


def sigma_upper(sigma: float, size: int) -> float:
    """The one-sided SIGMA_CONFIDENCE upper limit sigma sqrt((R-1) / chi2_{1-c, R-1}).

    Sizing a study from a pilot's sample sd undershoots the power it is sized for, most so
    for a skewed statistic such as gap / C(k), whose sample sd is usually below sigma; the
    upper limit is the remedy of Browne (1995), Statistics in Medicine 14, 1933-1940.
    """
    dof = size - 1
    return sigma * math.sqrt(dof / stats.chi2.ppf(1 - SIGMA_CONFIDENCE, dof))


def constant_design(
    bounds: tuple[float, float], mode: str, rtol: float
) -> tuple[float, float, float]:
    """The ratio, margin and per-side power at which an inconclusive constant check is sized.

    The ratio is the theory's value 1 clipped into the 1-alpha interval ``bounds`` (the
    value the data allow that is closest to the theory): sizing at the point estimate
    instead overstates R about 2x, because an INCONCLUSIVE stage selects estimates that
    sit near a boundary. The margin is that ratio's distance to the boundary, 1 + rtol
    (``"upper"``) or the nearer of 1 -/+ rtol (``"match"``). A TOST at ratio 1 must clear
    both boundaries, so each side is sized at power (1 + POWER) / 2.
    """
    low, high = bounds
    plausible = min(max(1.0, low), high)
    if mode == "upper":
        return plausible, 1 + rtol - plausible, POWER
    both_sides = plausible == 1.0
    return plausible, rtol - abs(plausible - 1), (1 + POWER) / 2 if both_sides else POWER
