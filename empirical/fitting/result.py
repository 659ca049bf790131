"""The result of a rate fit: :class:`RateFit`, with ``summary()`` and ``to_dict()``."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from empirical.fitting.inference import Estimate


@dataclass(frozen=True)
class Interval:
    """A point value with a confidence interval (for transformed estimates, e.g. exp)."""

    value: float
    ci_low: float
    ci_high: float
    level: float

    def to_dict(self) -> dict[str, float]:
        return {
            "estimate": float(self.value),
            "ci_low": float(self.ci_low),
            "ci_high": float(self.ci_high),
            "level": float(self.level),
        }


@dataclass(frozen=True)
class DecadeSlope:
    """Mean over replicates of the log-log slope of the gap on [k_start, k_end]."""

    k_start: int
    k_end: int
    slope: Estimate

    def to_dict(self) -> dict[str, Any]:
        return {"k_start": self.k_start, "k_end": self.k_end, **self.slope.to_dict()}


FLAG_TEXT = {
    "PRE-ASYMPTOTIC": "every burn-in candidate is curved; fitted on the last decade only",
    "FLATTENING": "the curve is flattening (positive curvature)",
    "STEEPENING": "the curve is steepening (negative curvature)",
    "END-FLATTENING": "the last-decade slope exceeds the window slope",
    "LINEAR": "log gap falls linearly in k (faster than any power law)",
    "JENSEN-DRIFT": "log-of-mean and mean-of-log slopes differ: the gap law still changes shape",
}
"""What each flag of :attr:`RateFit.flags` means."""


_PARAMETER_ROW = {
    "power": "exponent p (MOL)",
    "power_log": "exponent p (MOL)",
    "linear": "log-rate log(rho) (MOL)",
    "plateau": "exponent p (jackknife)",
}


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.4g}"


def _row(name: str, est: Estimate | Interval | None) -> str:
    if est is None:
        return ""
    se = f"{est.se:10.4g}" if isinstance(est, Estimate) else f"{'':>10}"
    return f"{name:<26}{est.value:10.4g}{se}{est.ci_low:11.4g}{est.ci_high:11.4g}\n"


@dataclass(frozen=True)
class RateFit:
    """A rate fit of replicated gaps at checkpoints (``empirical.fitting.fit_rate``).

    ``exponent`` is the rate parameter of ``model``: the exponent p (power, power_log,
    plateau) or the per-step log-rate log(rho) (linear), from per-replicate OLS (mean of
    logs, MOL) with t_{R-1} intervals at ``level``. ``lom`` is the same parameter fitted to
    the log of the mean gap, with a jackknife-over-replicates interval (the "E gap"
    cross-check). ``fixed_factor`` is the known factor h(k) divided out before fitting.
    ``last_decade`` and ``decade_slopes`` are log-log slopes of the raw gap.
    """

    model: str
    formula: str
    fixed_factor: str
    level: float
    exponent: Estimate
    log_power: Estimate | None
    contraction: Interval | None
    floor: Interval | None
    lom: Estimate | None
    window: tuple[int, int]
    window_rule: str
    n_checkpoints: int
    n_replicates: int
    n_diverged: int
    tau: float
    cut_at: int | None
    cut_cause: str | None
    curvature: Estimate | None
    last_decade: Estimate
    decade_slopes: tuple[DecadeSlope, ...]
    flags: tuple[str, ...]
    family: str
    family_bic: dict[str, float]

    @property
    def decades(self) -> float:
        """log10 of k_end / k_start of the window."""
        return math.log10(self.window[1] / self.window[0])

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: floats, ints, strings, lists and dicts only."""
        return {
            "model": self.model,
            "formula": self.formula,
            "fixed_factor": self.fixed_factor,
            "level": self.level,
            "exponent": self.exponent.to_dict(),
            "log_power": self.log_power.to_dict() if self.log_power else None,
            "contraction": self.contraction.to_dict() if self.contraction else None,
            "floor": self.floor.to_dict() if self.floor else None,
            "lom": self.lom.to_dict() if self.lom else None,
            "window": list(self.window),
            "window_rule": self.window_rule,
            "decades": self.decades,
            "n_checkpoints": self.n_checkpoints,
            "n_replicates": self.n_replicates,
            "n_diverged": self.n_diverged,
            "tau": self.tau,
            "cut_at": self.cut_at,
            "cut_cause": self.cut_cause,
            "curvature": self.curvature.to_dict() if self.curvature else None,
            "last_decade": self.last_decade.to_dict(),
            "decade_slopes": [d.to_dict() for d in self.decade_slopes],
            "flags": list(self.flags),
            "family": self.family,
            "family_bic": dict(self.family_bic),
        }

    def summary(self) -> str:
        """A statsmodels-like text block."""
        rule = "=" * 78 + "\n"
        thin = "-" * 78 + "\n"
        divided = f" / {self.fixed_factor}" if self.fixed_factor else ""
        cut = f"at k={self.cut_at} ({self.cut_cause})" if self.cut_at is not None else "none"
        pct = f"{100 * self.level:g}%"
        text = rule + f"Rate fit: gap{divided} ~ {self.formula}".center(78) + "\n" + rule
        text += (
            f"model:      {self.model:<22}replicates: {self.n_replicates} "
            f"({self.n_diverged} diverged)\n"
            f"window:     k in [{self.window[0]}, {self.window[1]}] ({self.decades:.2f} decades, "
            f"{self.n_checkpoints} checkpoints, burn-in: {self.window_rule})\n"
            f"floor cut:  {cut}; tau = {self.tau:.3g}\n"
            f"family:     {self.family} (lowest BIC among "
            + ", ".join(f"{k}={v:.1f}" for k, v in self.family_bic.items())
            + ")\n"
        )
        text += thin + f"{'':<26}{'estimate':>10}{'std err':>10}{'[' + pct:>11}{'CI]':>11}\n"
        text += thin
        text += _row(_PARAMETER_ROW[self.model], self.exponent)
        text += _row("log power q", self.log_power)
        text += _row("contraction rho", self.contraction)
        text += _row("floor F", self.floor)
        text += _row("LOM (E gap) jackknife", self.lom)
        text += _row("curvature c", self.curvature)
        text += _row("last-decade log-log slope", self.last_decade)
        text += thin + "per-decade log-log slopes (mean over replicates, se):\n"
        for dec in self.decade_slopes:
            text += (
                f"  k in [{dec.k_start}, {dec.k_end}]: {dec.slope.value:.4g} "
                f"({_fmt(dec.slope.se)})\n"
            )
        text += thin + "flags: " + (", ".join(self.flags) or "none") + "\n"
        for flag in self.flags:
            text += f"  {flag}: {FLAG_TEXT[flag]}\n"
        return text + rule
