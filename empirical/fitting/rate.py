"""``fit_rate``: the convergence rate of replicated gaps, with replicate-level inference.

Steps (STATISTICS.md §5): drop k < kmin; cut the tail as a whole at the float floor
(:mod:`empirical.fitting.window`); choose the burn-in by the curvature test; fit the model
to each replicate's z = log(gap / h(k)) on the window (mean of logs, MOL) and take the mean
over replicates with a t_{R-1} interval; fit the same model to log(mean gap) (LOM) with a
jackknife over replicates as the "E gap" cross-check.

Flags (:data:`empirical.fitting.result.FLAG_TEXT`):

* PRE-ASYMPTOTIC with FLATTENING (c > 0) or STEEPENING (c < 0): no window without
  material curvature (curvature that moves the local slope by more than delta).
* END-FLATTENING: the per-replicate slope of z on the last decade exceeds the slope on the
  window, by a one-sided t-test over replicates at alpha_c.
* LINEAR (STATISTICS.md §4a): in log gap = a + p log k + q k per replicate on the clean
  range, the 99% upper bound of q is < 0, and the 99% upper bound of the last-decade
  log-log slope is < -3.
* JENSEN-DRIFT: the 99% jackknife interval of (LOM - MOL) rate excludes 0.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from numpy.typing import ArrayLike

from empirical.fitting.inference import (
    Estimate,
    jackknife,
    known_factor_log,
    leave_one_out_means,
    mean_estimate,
    replicate_ols,
    replicate_slopes,
)
from empirical.fitting.inputs import checked_gaps, checked_k
from empirical.fitting.models import (
    LINEAR_MODELS,
    MODEL_NAMES,
    LinearRateModel,
    family_bic,
    fit_plateau_curve,
)
from empirical.fitting.result import DecadeSlope, Interval, RateFit
from empirical.fitting.window import (
    CleanRange,
    WindowChoice,
    clean_range,
    curvature,
    floor_threshold,
    last_decade_start,
    machine_eps,
    range_problem,
    select_window,
)
from theory import validation
from theory.errors import InputError

FLAG_ALPHA = 0.01
"""Level of the LINEAR and JENSEN-DRIFT flags."""
LINEAR_SLOPE = -3.0
"""LINEAR also needs the last-decade log-log slope's 99% upper bound below this."""


def min_points(model: str) -> int:
    """Checkpoints needed in the last decade: intercept, model columns, quadratic and cubic."""
    return LINEAR_MODELS[model].columns(np.ones(1)).shape[1] + 3 if model != "plateau" else 4


def _centered_design(columns: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(columns.shape[0]), columns - columns.mean(axis=0)])


def _fixed_factor_text(power: float, log_power: float) -> str:
    parts = [f"k^{power:g}" if power else "", f"(log k)^{log_power:g}" if log_power else ""]
    return " ".join(part for part in parts if part)


def _decade_slopes(
    k: np.ndarray, log_gap: np.ndarray, start: int, stop: int, level: float
) -> tuple[DecadeSlope, ...]:
    """Log-log slopes on [K/10, K], [K/100, K/10], ... inside the window [start, stop)."""
    out = []
    high = stop - 1
    while True:
        lo_k = k[high] / 10
        if lo_k < k[start] * (1 - 1e-9):
            break
        low = int(np.searchsorted(k, lo_k * (1 - 1e-9)))
        if high - low >= 1:
            slope = mean_estimate(
                replicate_slopes(np.log(k[low : high + 1]), log_gap[:, low : high + 1]), level
            )
            out.append(DecadeSlope(int(k[low]), int(k[high]), slope))
        high = low
    return tuple(reversed(out))


def _window_from(k: np.ndarray, window: tuple[int, int], clean: CleanRange, need: int) -> int:
    """Start index of a caller-given window, which must end at a checkpoint of the clean range."""
    try:
        k_start, k_end = (float(v) for v in window)
    except (TypeError, ValueError) as err:
        raise validation.not_allowed(
            "fit_rate", "window", window, "a pair (k_start, k_end)"
        ) from err
    start = int(np.searchsorted(k, k_start))
    stop = int(np.searchsorted(k, k_end, side="right"))
    if start < clean.start or stop != clean.stop or stop - start < need:
        expected = (
            f"a window (k_start, k_end) that starts at or after k={int(k[clean.start])}, ends "
            f"at the last clean checkpoint k={int(k[clean.stop - 1])} and holds >= {need} "
            "checkpoints"
        )
        raise validation.not_allowed("fit_rate", "window", window, expected)
    return start


def _jensen_drift(
    design: np.ndarray, z: np.ndarray, lom_z: np.ndarray, loo_z: np.ndarray, level: float
) -> tuple[Estimate, bool]:
    """LOM rate with its jackknife, and whether the 99% interval of LOM - MOL excludes 0."""
    mol = replicate_ols(design, z)[:, 1]
    lom_full = replicate_ols(design, lom_z[None, :])[0, 1]
    lom_loo = replicate_ols(design, loo_z)[:, 1]
    size = mol.size
    mol_loo = (mol.sum() - mol) / (size - 1)
    lom = jackknife(lom_full, lom_loo, level)
    diff = jackknife(lom_full - mol.mean(), lom_loo - mol_loo)
    low, high = diff.interval(1 - FLAG_ALPHA)
    return lom, bool(low > 0 or high < 0)


def _linear_flag(k: np.ndarray, log_gap: np.ndarray, last_decade: Estimate) -> bool:
    """STATISTICS.md §4a: q < 0 in a + p log k + q k, and a last-decade slope < -3 (99%)."""
    design = np.column_stack([np.ones(k.size), np.log(k), k / k[-1]])
    q = mean_estimate(replicate_ols(design, log_gap)[:, 2])
    return q.upper_bound(FLAG_ALPHA) < 0 and last_decade.upper_bound(FLAG_ALPHA) < LINEAR_SLOPE


def _end_flattening(x: np.ndarray, z: np.ndarray, last: int, alpha_c: float) -> bool:
    """One-sided t-test at alpha_c that the last-decade slope (from index ``last``) is larger."""
    if last == 0:
        return False
    diff = mean_estimate(replicate_slopes(x[last:], z[:, last:]) - replicate_slopes(x, z))
    return diff.lower_bound(alpha_c) > 0


def fit_rate(
    k: ArrayLike,
    gaps: ArrayLike,
    model: str = "power",
    *,
    kmin: float = 10,
    f_scale: float | None = None,
    level: float = 0.95,
    alpha_c: float = 0.2,
    delta: float = 0.05,
    fixed_power: float = 0.0,
    fixed_log_power: float = 0.0,
    window: tuple[int, int] | None = None,
) -> RateFit:
    """Fit ``model`` (power, power_log, linear, plateau) to gaps (R, J) at checkpoints k (J,).

    The model is fitted to gap / h(k), h(k) = k^fixed_power (log k)^fixed_log_power (a
    known factor: ``fixed_power`` for the linear model, e.g. the k of k rho^k;
    ``fixed_log_power`` for the power and linear models). The tail is cut at the float
    floor tau = 1e3 eps f_scale (default f_scale = max(1, largest gap)); ``window``
    = (k_start, k_end) replaces the burn-in rule, whose curvature test ignores curvature
    that moves the local slope by less than ``delta`` across the window (relative to
    |log rho| for the linear model; :func:`empirical.fitting.window.select_window`).
    Raises :class:`InputError` if less than one decade of clean checkpoints remains.
    """
    where = "fit_rate"
    k_arr = checked_k(k, where)
    eps = machine_eps(gaps)
    gap = checked_gaps(gaps, k_arr.size, where)
    model = validation.choice(where, "model", model, MODEL_NAMES)
    kmin = validation.real(where, "kmin", kmin, at_least=1.0)
    level = validation.fraction(where, "level", level, 1.0)
    alpha_c = validation.fraction(where, "alpha_c", alpha_c)
    delta = validation.real(where, "delta", delta, at_least=0.0)
    fixed_power = validation.real(where, "fixed_power", fixed_power)
    fixed_log_power = validation.real(where, "fixed_log_power", fixed_log_power)
    if f_scale is not None:
        f_scale = validation.real(where, "f_scale", f_scale, at_least=0.0)
    if fixed_power and model != "linear":
        expected = f"0 with model = {model!r} (a known factor k^p is for the linear model)"
        raise validation.not_allowed(where, "fixed_power", fixed_power, expected)
    if fixed_log_power and model not in ("power", "linear"):
        expected = (
            f"0 with model = {model!r} (a known (log k)^q is for the power and linear models)"
        )
        raise validation.not_allowed(where, "fixed_log_power", fixed_log_power, expected)

    clean = clean_range(k_arr, gap, kmin, floor_threshold(gap, f_scale, eps))
    need = min_points(model)
    problem = range_problem(k_arr, clean, need)
    if problem:
        raise InputError(f"gaps: {problem}")
    needs_log_log = bool(fixed_log_power) or model == "power_log"
    if needs_log_log and k_arr[clean.start] < 2:
        raise validation.not_allowed(
            where,
            "kmin",
            kmin,
            "a kmin that leaves the first fitted checkpoint >= 2 (a log k factor needs k >= 2)",
        )

    ks = k_arr[clean.start : clean.stop]
    log_gap = np.log(gap[:, clean.start : clean.stop])
    offset = known_factor_log(ks, fixed_power, fixed_log_power)
    z = log_gap - offset
    size = gap.shape[0]

    last = last_decade_start(ks, 0, ks.size)
    last_decade = mean_estimate(replicate_slopes(np.log(ks[last:]), log_gap[:, last:]), level)
    linear_flag = _linear_flag(ks, log_gap, last_decade)
    bic = family_bic(ks, np.exp(log_gap).mean(axis=0))
    common = {
        "model": model,
        "fixed_factor": _fixed_factor_text(fixed_power, fixed_log_power),
        "level": level,
        "n_replicates": size,
        "n_diverged": clean.n_diverged,
        "tau": clean.tau,
        "cut_at": clean.cut_at,
        "cut_cause": clean.cut_cause,
        "last_decade": last_decade,
        "family": min(bic, key=bic.__getitem__),
        "family_bic": bic,
    }
    if model == "plateau":
        start = 0 if window is None else _window_from(k_arr, window, clean, need) - clean.start
        rule = "clean-range" if window is None else "given"
        return _fit_plateau(ks, gap[:, clean.start : clean.stop], start, rule, linear_flag, common)

    spec = LINEAR_MODELS[model]
    x = spec.regressor(ks)
    if window is None:
        relative = spec.name == "linear"
        choice = select_window(ks, x, z, spec.columns, alpha_c, need, delta, relative)
    else:
        start = _window_from(k_arr, window, clean, need) - clean.start
        est, _ = curvature(x[start:], z[:, start:], spec.columns)
        choice = WindowChoice(start, ks.size, est, "given")
    return _fit_linear_model(spec, ks, x, z, log_gap, offset, choice, linear_flag, alpha_c, common)


def _fit_linear_model(
    spec: LinearRateModel,
    ks: np.ndarray,
    x: np.ndarray,
    z: np.ndarray,
    log_gap: np.ndarray,
    offset: np.ndarray,
    choice: WindowChoice,
    linear_flag: bool,
    alpha_c: float,
    common: dict,
) -> RateFit:
    level = common["level"]
    sl = slice(choice.start, choice.stop)
    design = _centered_design(spec.columns(x[sl]))
    coef = replicate_ols(design, z[:, sl])
    exponent = mean_estimate(coef[:, 1], level)
    log_power = mean_estimate(coef[:, 2], level) if spec.name == "power_log" else None
    gap = np.exp(log_gap[:, sl])
    lom_z = np.log(gap.mean(axis=0)) - offset[sl]
    loo_z = np.log(leave_one_out_means(gap)) - offset[sl]
    lom, drift = _jensen_drift(design, z[:, sl], lom_z, loo_z, level)

    flags = []
    if choice.pre_asymptotic:
        flags += ["PRE-ASYMPTOTIC", "FLATTENING" if choice.curvature.value > 0 else "STEEPENING"]
    last = last_decade_start(ks, choice.start, choice.stop) - choice.start
    if _end_flattening(x[sl], z[:, sl], last, alpha_c):
        flags.append("END-FLATTENING")
    if linear_flag:
        flags.append("LINEAR")
    if drift:
        flags.append("JENSEN-DRIFT")
    contraction = None
    if spec.name == "linear":
        low, high = exponent.interval(level)
        contraction = Interval(
            float(np.exp(exponent.value)), float(np.exp(low)), float(np.exp(high)), level
        )
    return RateFit(
        formula=spec.formula,
        exponent=exponent,
        log_power=log_power,
        contraction=contraction,
        floor=None,
        lom=lom,
        window=(int(ks[choice.start]), int(ks[choice.stop - 1])),
        window_rule=choice.rule,
        n_checkpoints=choice.stop - choice.start,
        curvature=replace(choice.curvature, level=level),
        decade_slopes=_decade_slopes(ks, log_gap, choice.start, choice.stop, level),
        flags=tuple(flags),
        **common,
    )


def _fit_plateau(
    ks: np.ndarray, gap: np.ndarray, start: int, rule: str, linear_flag: bool, common: dict
) -> RateFit:
    """log(mean gap) = log(A k^p + F) by curve_fit, jackknife over replicates for p and F."""
    level = common["level"]
    kw, gw = ks[start:], gap[:, start:]
    try:
        full, _ = fit_plateau_curve(kw, np.log(gw.mean(axis=0)))
        loo = np.array(
            [fit_plateau_curve(kw, row, full)[0] for row in np.log(leave_one_out_means(gw))]
        )
    except RuntimeError as err:
        raise InputError(f"gaps: the plateau model A k^p + F did not converge ({err})") from err
    exponent = jackknife(full[1], loo[:, 1], level)
    log_floor = jackknife(full[2], loo[:, 2], level)
    low, high = log_floor.interval(level)
    floor = Interval(float(np.exp(full[2])), float(np.exp(low)), float(np.exp(high)), level)
    return RateFit(
        formula="A k^p + F",
        exponent=exponent,
        log_power=None,
        contraction=None,
        floor=floor,
        lom=None,
        window=(int(kw[0]), int(kw[-1])),
        window_rule=rule,
        n_checkpoints=kw.size,
        curvature=None,
        decade_slopes=_decade_slopes(ks, np.log(gap), start, ks.size, level),
        flags=("LINEAR",) if linear_flag else (),
        **common,
    )
