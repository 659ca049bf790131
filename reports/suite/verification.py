"""A verification as a check: its :class:`CheckResult` and the figure data of its curve.

:func:`verification_check` turns one :class:`VerificationResult` into the result of a
``verify`` check: the verdict and its JSON, metrics, the expected rate and one panel.
:func:`verification_curve` is that panel's curve, which custom checks draw too: the mean
of the checked quantity over the replicates with the :data:`BAND` replicate quantiles,
the headline fit over its window (its rate with the intercept that best matches the log of
the mean curve there) and the theorem's B(k) with the run's constants.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from empirical.verification.result import VerificationResult
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel, status_of

__all__ = ["BAND", "BAND_TEXT", "verification_check", "verification_curve"]

BAND = (0.1, 0.9)
"""Replicate quantiles drawn as the band around the mean."""
BAND_TEXT = f"{100 * BAND[0]:g}-{100 * BAND[1]:g}% of replicates"
"""What the band is, as a figure's legend says it."""


def _iterate_text(result: VerificationResult) -> str:
    average = result.plan.average
    return "last iterate" if average is None else f"{average.to_spec()} average"


def _y_label(result: VerificationResult) -> str:
    point = r"w_k" if result.plan.average is None else r"\bar{w}_k"
    if result.plan.quantity == "dist2":
        return rf"$E\,\|{point} - w^*\|^2$"
    return rf"$E\,[F({point}) - F^*]$"


def _fixed_factor(result: VerificationResult) -> tuple[float, float]:
    """(power, log power) of the known factor h(k) the headline fit divided out."""
    fit, shape = result.fit, result.plan.shape
    if fit is None or not fit.fixed_factor or shape is None:
        return 0.0, 0.0
    return (shape.exponent if shape.linear else 0.0), shape.log_power


def _fit_line(result: VerificationResult) -> dict[str, Any] | None:
    """The headline fit over its window: its rate with the intercept that best matches
    the log of the mean curve there (least squares with the rate held fixed)."""
    fit = result.fit
    if fit is None or fit.model == "plateau":
        return None
    k = np.asarray(result.trace.k, dtype=np.float64)
    mean = result.mean_series()
    inside = (k >= fit.window[0]) & (k <= fit.window[1])
    ks, values = k[inside], mean[inside]
    power, log_power = _fixed_factor(result)
    rate = fit.exponent.value
    with np.errstate(all="ignore"):
        shape = power * np.log(ks)
        if fit.model == "power_log" and fit.log_power is not None:
            log_power = fit.log_power.value
        if log_power:
            shape = shape + log_power * np.log(np.log(ks))
        shape = shape + (rate * ks if fit.model == "linear" else rate * np.log(ks))
        residual = np.log(values) - shape
    usable = np.isfinite(residual)
    if not usable.any():
        return None
    line = np.exp(residual[usable].mean() + shape)
    level = f"{100 * fit.exponent.level:g}%"
    low, high = fit.exponent.interval(fit.exponent.level)
    if fit.model == "linear":
        text = (
            f"fit: rho^k, rho = {np.exp(rate):.4g} ({level} CI {np.exp(low):.4g} to "
            f"{np.exp(high):.4g})"
        )
    else:
        text = f"fit: k^p, p = {rate:.3f} ({level} CI {low:.3f} to {high:.3f})"
    if fit.fixed_factor:
        text += f" x {fit.fixed_factor}"
    return {
        "k": ks[usable].tolist(),
        "value": line[usable].tolist(),
        "label": text + f", k in [{fit.window[0]}, {fit.window[1]}]",
    }


def _bound_line(result: VerificationResult) -> dict[str, Any] | None:
    """The theorem's B(k) with the run's constants, from k = max(1, valid_from)."""
    plan = result.plan
    theorem = plan.expectation.theorem
    if plan.bound is None or theorem is None:
        return None
    k = np.asarray(result.trace.k, dtype=np.float64)
    k = k[k >= max(1, theorem.valid_from)]
    values = plan.bound(k)
    word = {"upper": "bound", "exact": "exact value", "asymptotic": "leading term"}
    constants = ", ".join(f"{name}={value:.4g}" for name, value in sorted(plan.values.items()))
    return {
        "k": k.tolist(),
        "value": np.asarray(values, dtype=np.float64).tolist(),
        "label": f"theory {word.get(plan.bound_kind or '', 'bound')} B(k) of {theorem.id}"
        + (f" ({constants})" if constants else ""),
    }


def verification_curve(result: VerificationResult, label: str | None = None) -> Curve:
    """The figure data of one verification: the mean of the checked quantity over the
    replicates with the :data:`BAND` quantiles, the fitted line and the theory's B(k)."""
    series = np.asarray(result.series, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(series, BAND, axis=0)
    replicates = series.shape[0]
    return Curve(
        label=label or f"mean of R={replicates} runs ({_iterate_text(result)})",
        k=np.asarray(result.trace.k, dtype=np.float64).tolist(),
        mean=result.mean_series().tolist(),
        low=low.tolist(),
        high=high.tolist(),
        band=BAND_TEXT,
        fit=_fit_line(result),
        bound=_bound_line(result),
        style="semilogy" if result.plan.linear else "loglog",
        y_label=_y_label(result),
    )


def _expected_rate(expected: dict[str, Any]) -> str:
    rate, mode = expected.get("rate"), expected.get("mode")
    if mode == "linear":
        return "linear (rho^k, rho < 1)"
    if rate is None:
        return "the bound's values (a floor, no rate)"
    if mode == "match":
        return f"{rate} (attained)"
    return f"O({rate})"


def _metrics(result: VerificationResult) -> dict[str, Any]:
    trace, fit = result.trace, result.fit
    mean = result.mean_series()
    metrics: dict[str, Any] = {
        "replicates": trace.replicates,
        "steps": int(trace.k[-1]),
        "diverged replicates": int(np.sum(trace.diverged)),
        f"mean at k={int(trace.k[-1])}": float(mean[-1]),
    }
    if fit is not None:
        metrics["fit model"] = fit.model
        metrics["fit window"] = f"[{fit.window[0]}, {fit.window[1]}]"
        metrics["fit decades"] = round(fit.decades, 3)
    if result.plan.bound is not None:
        bound = float(result.plan.bound(np.asarray(trace.k[-1:], dtype=np.float64))[0])
        metrics[f"B(k) at k={int(trace.k[-1])}"] = bound
    return metrics


def verification_check(
    spec: CheckSpec, result: VerificationResult, *, wall_time: float = 0.0
) -> CheckResult:
    """The :class:`CheckResult` of a check decided by one verification ``result``."""
    verdict = result.to_dict()
    exponent = verdict["exponent"]
    fit = result.fit
    cfg = result.config
    title = (
        f"{cfg['objective']}, {cfg['optimizer']}, eta_k = {cfg['schedule']}, "
        f"b = {cfg['batch_size']}"
    )
    return CheckResult(
        spec=spec,
        verdict=result.outcome,  # type: ignore[arg-type]
        label=result.label,
        status=status_of(spec, result.outcome, result.label),
        reason=result.reason,
        verdicts=(verdict,),
        panels=(Panel(title=title, curves=(verification_curve(result),)),),
        metrics=_metrics(result),
        expected_rate=_expected_rate(verdict["expected"]),
        exponent=None
        if exponent["estimate"] is None
        else {
            **exponent,
            "level": fit.exponent.level if fit is not None else None,
        },
        wall_time=wall_time,
    )
