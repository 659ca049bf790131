"""Rate verdicts: ``check_upper`` (an upper bound O(g)) and ``check_match`` (TOST).

See :mod:`empirical.verdicts` for the rules.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from numpy.typing import ArrayLike

from empirical.fitting import Estimate, RateFit, fit_rate, needed_replicates
from empirical.fitting.inference import t_quantile
from empirical.fitting.rate import min_points
from empirical.fitting.window import range_problem
from empirical.verdicts.core import (
    PASS_LABELS,
    POWER,
    CheckedTrace,
    Verdict,
    checked_trace,
    diverged_verdict,
    fail_label,
    pct,
    short_window_verdict,
)
from empirical.verdicts.floor import final_stretch
from empirical.verdicts.interval_tests import one_sided, tost
from theory import validation


@dataclass(frozen=True)
class RateShape:
    """The theory's rate g(k) = k^exponent (log k)^log_power contraction^k (contraction < 1)."""

    exponent: float = 0.0
    log_power: float = 0.0
    contraction: float | None = None

    def __post_init__(self) -> None:
        validation.real("RateShape", "exponent", self.exponent)
        validation.real("RateShape", "log_power", self.log_power)
        if self.contraction is not None:
            validation.real("RateShape", "contraction", self.contraction, above=0.0, below=1.0)

    @property
    def linear(self) -> bool:
        return self.contraction is not None

    def __str__(self) -> str:
        parts = []
        if self.exponent or not (self.log_power or self.linear):
            parts.append(f"k^{self.exponent:g}")
        if self.log_power:
            parts.append(f"(log k)^{self.log_power:g}")
        if self.linear:
            parts.append(f"{self.contraction:g}^k")
        return " ".join(parts)


def _window_text(fit: RateFit) -> str:
    rule = {
        "curvature": "burn-in chosen by the curvature test",
        "last-decade": "every burn-in candidate curved, so the last decade only",
        "given": "window given",
        "clean-range": "the whole clean range",
    }[fit.window_rule]
    return f"k in [{fit.window[0]}, {fit.window[1]}] ({fit.decades:.1f} decades, {rule})"


def _needed_decades(fit: RateFit, sigma1: float, margin: float, alpha: float) -> float | None:
    """Decades D' at which the current R resolves ``margin``, if sigma_1 falls like 1/D."""
    if margin <= 0:
        return None
    t_sum = t_quantile(1 - alpha, fit.n_replicates - 1) + t_quantile(POWER, fit.n_replicates - 1)
    target = fit.decades * sigma1 * t_sum / (margin * math.sqrt(fit.n_replicates))
    return round(max(target, fit.decades), 1)


def _end_beyond_tolerance(fit: RateFit, shape: RateShape, delta: float) -> bool:
    """Is the last-decade slope slower than the expected local slope by more than delta?

    The expected local slope of k^p (log k)^q at the middle of the last decade is
    p + q/log(k_mid). A flattening that stays within the tolerance cannot turn a rate
    that passes into one that fails, so it does not block the PASS (the t-test at
    alpha_c alone blocked 10-20% of correct runs whose last decade was merely noisy).
    Linear shapes keep the t-test alone.
    """
    if shape.linear:
        return True
    log_mid = math.log(fit.window[1]) - math.log(10) / 2
    expected = shape.exponent + (shape.log_power / log_mid if shape.log_power else 0.0)
    return fit.last_decade.value - expected > delta


def _guard(fit: RateFit, mode: str, shape: RateShape, delta: float) -> str | None:
    """The guard that blocks a PASS, if any."""
    if "PRE-ASYMPTOTIC" in fit.flags and (mode == "match" or "FLATTENING" in fit.flags):
        return "pre-asymptotic"
    if "END-FLATTENING" in fit.flags and _end_beyond_tolerance(fit, shape, delta):
        return "end-flattening"
    return None


_GUARD_TEXT = {
    "pre-asymptotic": (
        "no burn-in window is free of curvature and the curve is {direction}, so the run has "
        "not reached its asymptotic regime"
    ),
    "end-flattening": (
        "the last-decade slope {last:.3g} is significantly flatter than the window slope "
        "(one-sided t-test at alpha_c = {alpha_c:g}) and slower than the expected rate by "
        "more than the tolerance, so the curve may be bending toward a slower rate or a floor"
    ),
}


def _rate_statistic(parameter: Estimate, shape: RateShape) -> Estimate:
    """b from a fitted rate parameter: exponent excess (power) or relative log-rate excess
    (linear)."""
    if shape.linear:
        scale = abs(math.log(shape.contraction))
        return parameter.affine(1 / scale, 1.0)
    return parameter.affine(1.0, -shape.exponent)


def _at_the_floor(
    fit: RateFit, trace: CheckedTrace, shape: RateShape, alpha: float, delta: float
) -> tuple[bool, str] | None:
    """Whether the final stretch of a floor-cut window passes, with the sentence saying so
    (None when the run did not end at the float floor; see :mod:`empirical.verdicts.floor`)."""
    stretch = final_stretch(
        fit,
        trace.k,
        trace.gaps,
        exponent=shape.exponent,
        log_power=shape.log_power,
        linear=shape.linear,
    )
    if stretch is None:
        return None
    b = _rate_statistic(stretch.parameter, shape)
    decision = one_sided(b, delta, alpha=alpha)
    high, passes = decision.bounds[1], decision.outcome == "pass"
    text = (
        f"the gap reaches the float floor at k={fit.cut_at}, so no longer run adds a "
        f"checkpoint, and on the final stretch k in [{stretch.start}, {stretch.end}] "
        f"b = {b.value:.3f} has the {pct(1 - alpha)} upper bound {high:.3f}, "
        + ("within" if passes else "beyond")
        + f" the tolerance delta = {delta:g}"
    )
    return passes, text


def _describe_fit(fit: RateFit, shape: RateShape, level: float) -> str:
    low, high = fit.exponent.interval(level)
    spread = (
        f"({pct(level)} CI {{lo}} to {{hi}}; mean over R={fit.n_replicates} per-replicate "
        f"fits, t_{fit.n_replicates - 1})"
    )
    if shape.linear:
        text = f"the fitted per-step contraction is {math.exp(fit.exponent.value):.4g} "
        text += spread.format(lo=f"{math.exp(low):.4g}", hi=f"{math.exp(high):.4g}")
        text += f" against the theory's {shape.contraction:g}"
    else:
        divided = f" of gap/{fit.fixed_factor}" if fit.fixed_factor else ""
        text = f"the fitted exponent{divided} is {fit.exponent.value:.3f} "
        text += spread.format(lo=f"{low:.3f}", hi=f"{high:.3f}")
        text += f" against the theory's {shape.exponent:g}"
    return text + f", on {_window_text(fit)}"


def _rate_check(
    mode: str,
    k: ArrayLike,
    gaps: ArrayLike,
    shape: RateShape,
    alpha: float,
    delta: float,
    alpha_c: float,
    kmin: float,
    f_scale: float | None,
) -> Verdict:
    where = f"check_{mode}"
    if not isinstance(shape, RateShape):
        raise validation.not_allowed(where, "shape", shape, "a RateShape")
    alpha = validation.fraction(where, "alpha", alpha)
    delta = validation.real(where, "delta", delta, at_least=0.0)
    alpha_c = validation.fraction(where, "alpha_c", alpha_c)
    trace = checked_trace(k, gaps, kmin, f_scale, where)
    expected = f"O({shape})" if mode == "upper" else str(shape)
    if trace.clean.n_diverged:
        return diverged_verdict(mode, trace, expected, delta, alpha, alpha_c)
    model = "linear" if shape.linear else "power"
    problem = range_problem(trace.k, trace.clean, min_points(model))
    if problem:
        return short_window_verdict(mode, trace, problem, expected, delta, alpha)
    fit = fit_rate(
        trace.k,
        trace.gaps,
        model,
        kmin=kmin,
        f_scale=f_scale,
        level=1 - 2 * alpha,
        alpha_c=alpha_c,
        delta=delta,
        fixed_power=shape.exponent if shape.linear else 0.0,
        fixed_log_power=shape.log_power,
    )
    b = _rate_statistic(fit.exponent, shape)
    size = trace.size
    sigma1 = b.se * math.sqrt(size)
    if mode == "upper":
        decision = one_sided(b, delta, alpha=alpha)
        low, high = decision.bounds
        margin = abs(delta - b.value)
        test = (
            f"b = {b.value:.3f} has {pct(1 - alpha)} bounds [{low:.3f}, {high:.3f}] against "
            f"the tolerance delta = {delta:g}"
        )
    else:
        decision = tost(b, -delta, delta, alpha=alpha)
        (low, high), (inner_low, inner_high) = decision.bounds, decision.inner
        margin = abs(delta - abs(b.value))
        test = (
            f"b = {b.value:.3f} has the {pct(1 - 2 * alpha)} interval [{inner_low:.3f}, "
            f"{inner_high:.3f}] and the {pct(1 - alpha)} interval [{low:.3f}, {high:.3f}], "
            f"against the equivalence margin [-{delta:g}, {delta:g}]"
        )
    described = _describe_fit(fit, shape, 1 - 2 * alpha)
    notes = _notes(fit, shape)
    common = {
        "check": mode,
        "expected": expected,
        "fit": fit,
        "statistic": b,
        "tolerance": delta,
        "alpha": alpha,
        "n_replicates": size,
        "n_diverged": 0,
    }
    if decision.outcome == "fail":
        fast = decision.side == "below"
        label = "faster" if fast else fail_label(fit, alpha)
        last = fit.last_decade
        reason = (
            f"FAIL ({label}): {described}; {test}, so the rate is "
            f"{'faster' if fast else 'slower'} than {expected} beyond the tolerance. The "
            f"last-decade log-log slope is {last.value:.3f} ({pct(1 - 2 * alpha)} CI "
            f"{last.interval(1 - 2 * alpha)[0]:.3f} to {last.interval(1 - 2 * alpha)[1]:.3f})."
        )
        return Verdict(outcome="fail", label=label, reason=reason + notes, **common)
    if decision.outcome == "pass":
        guard = _guard(fit, mode, shape, delta)
        floor = (
            _at_the_floor(fit, trace, shape, alpha, delta) if guard and mode == "upper" else None
        )
        if guard is None or (floor is not None and floor[0]):
            lifted = f" A {guard} guard would block this, but {floor[1]}." if floor else ""
            reason = f"PASS ({PASS_LABELS[mode]}): {described}; {test}.{lifted}"
            return Verdict(outcome="pass", label=PASS_LABELS[mode], reason=reason + notes, **common)
        why = _GUARD_TEXT[guard].format(
            direction="flattening" if "FLATTENING" in fit.flags else "steepening",
            last=fit.last_decade.value,
            alpha_c=alpha_c,
        )
        then = f"; {floor[1]}." if floor else ". Run longer (at least one more decade)."
        reason = f"INCONCLUSIVE ({guard}): {described}; {test}, which would pass, but {why}{then}"
        return Verdict(
            outcome="inconclusive",
            label=guard,
            reason=reason + notes,
            needed_decades=None if floor else round(fit.decades + 1, 1),
            **common,
        )
    n_needed = needed_replicates(sigma1, margin, alpha, POWER)
    d_needed = _needed_decades(fit, sigma1, margin, alpha)
    reason = f"INCONCLUSIVE (imprecise): {described}; {test}, so the data cannot decide. " + (
        f"About R = {n_needed} replicates (or {d_needed} decades at R = {size}) would "
        f"resolve a true b of {b.value:.3f} with {pct(POWER)} power."
        if n_needed
        else "The estimate sits on the decision boundary."
    )
    return Verdict(
        outcome="inconclusive",
        label="imprecise",
        reason=reason + notes,
        needed_replicates=n_needed,
        needed_decades=d_needed,
        **common,
    )


def _notes(fit: RateFit, shape: RateShape) -> str:
    notes = []
    if shape.linear:
        notes.append(
            "The contraction is the almost-sure rate (mean of log gaps); under multiplicative "
            "noise it is faster than the rate in expectation (Jensen), so for a theorem stated "
            "in expectation this check is optimistic."
        )
    elif "LINEAR" in fit.flags:
        notes.append("The gap falls linearly in k (LINEAR flag), faster than any power law.")
    if "JENSEN-DRIFT" in fit.flags and not shape.linear:
        notes.append(
            f"The log-of-mean (E gap) exponent {fit.lom.value:.3f} differs from the mean-of-log "
            "one: the law of the gap is still changing shape (pre-asymptotic)."
        )
    return "".join(" " + note for note in notes)


def check_upper(
    k: ArrayLike,
    gaps: ArrayLike,
    shape: RateShape,
    *,
    alpha: float = 0.01,
    delta: float = 0.05,
    alpha_c: float = 0.2,
    kmin: float = 10,
    f_scale: float | None = None,
) -> Verdict:
    """Is the rate of gaps (R, J) at checkpoints k (J,) within the upper bound O(shape)?

    One-sided test on b (module docstring): FAIL if b - t_{1-alpha} se > delta, PASS if
    b + t_{1-alpha} se <= delta (unless a guard fires), else INCONCLUSIVE.
    """
    return _rate_check("upper", k, gaps, shape, alpha, delta, alpha_c, kmin, f_scale)


def check_match(
    k: ArrayLike,
    gaps: ArrayLike,
    shape: RateShape,
    *,
    alpha: float = 0.01,
    delta: float = 0.05,
    alpha_c: float = 0.2,
    kmin: float = 10,
    f_scale: float | None = None,
) -> Verdict:
    """Does the rate match ``shape`` within delta (TOST)? For instances that attain a bound.

    PASS if the 1-2 alpha interval of b lies in [-delta, delta] (unless a guard fires);
    FAIL if the 1-alpha interval lies outside; else INCONCLUSIVE.
    """
    return _rate_check("match", k, gaps, shape, alpha, delta, alpha_c, kmin, f_scale)
