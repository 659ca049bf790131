"""The two-term minibatch model, fitted jointly across batch sizes (STATISTICS.md §3e).

    E gap_b(k) = a b^(-q) k^p + c / k,

fitted by ``curve_fit`` on log(mean gap) over every batch size b at once, with free
exponents q (on b) and p (on k): a fixed p biases q when the k-exponent is wrong. The theory
a/sqrt(b k) + c/k has q = 1/2, p = -1/2. Intervals come from a jackknife over replicates
(replicate r left out at every b at once) with t_{R-1}. An exponent is identified only if
its term dominates somewhere: choose b and K so that each term leads in part of the data.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike
from scipy.optimize import OptimizeWarning, curve_fit

from empirical.fitting.inference import Estimate, jackknife, leave_one_out_means
from empirical.fitting.inputs import checked_gaps, checked_k
from empirical.fitting.result import Interval
from empirical.fitting.window import clean_range, floor_threshold, machine_eps
from theory import validation
from theory.errors import InputError


def _log_model(data: np.ndarray, log_a: float, q: float, p: float, log_c: float) -> np.ndarray:
    log_b, log_k = data
    return np.logaddexp(log_a - q * log_b + p * log_k, log_c - log_k)


def _jacobian(data: np.ndarray, log_a: float, q: float, p: float, log_c: float) -> np.ndarray:
    log_b, log_k = data
    first = np.exp(log_a - q * log_b + p * log_k - _log_model(data, log_a, q, p, log_c))
    return np.column_stack([first, -first * log_b, first * log_k, 1.0 - first])


def _fit(data: np.ndarray, y: np.ndarray, starts: list[tuple[float, ...]]) -> np.ndarray:
    """The best least-squares solution over ``starts``; RuntimeError if none converges."""
    best, best_rss = None, np.inf
    for start in starts:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", OptimizeWarning)  # covariance not used
                warnings.simplefilter("ignore", RuntimeWarning)  # overflow on wild trial steps
                params, _ = curve_fit(_log_model, data, y, p0=start, jac=_jacobian, maxfev=5000)
        except RuntimeError:
            continue
        rss = float(np.sum((y - _log_model(data, *params)) ** 2))
        if rss < best_rss:
            best, best_rss = params, rss
    if best is None:
        raise RuntimeError("no start converged")
    return best


def _starts(data: np.ndarray, y: np.ndarray) -> list[tuple[float, ...]]:
    """Data-driven starts: the one-term OLS fit y = log a - q log b + p log k, with the c/k
    term at 1e-3, 1e-1 and 1 times the median of k * gap."""
    log_b, log_k = data
    design = np.column_stack([np.ones_like(y), -log_b, log_k])
    (log_a, q, p), *_ = np.linalg.lstsq(design, y, rcond=None)
    level = float(np.median(y + log_k))
    return [(log_a, q, p, level + shift) for shift in (np.log(1e-3), np.log(1e-1), 0.0)] + [
        (log_a, q0, p0, level - 2.3) for q0, p0 in itertools.product((0.0, 1.0), (-1.0,))
    ]


@dataclass(frozen=True)
class MinibatchFit:
    """a b^(-q) k^p + c/k fitted across batch sizes; ``windows[b]`` = (k_start, k_end)."""

    q: Estimate
    p: Estimate
    a: Interval
    c: Interval
    batch_sizes: tuple[int, ...]
    windows: dict[int, tuple[int, int]]
    n_replicates: int
    rss: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "model": "a b^-q k^p + c/k",
            "q": self.q.to_dict(),
            "p": self.p.to_dict(),
            "a": self.a.to_dict(),
            "c": self.c.to_dict(),
            "batch_sizes": list(self.batch_sizes),
            "windows": {str(b): list(w) for b, w in self.windows.items()},
            "n_replicates": self.n_replicates,
            "rss": self.rss,
        }

    def summary(self) -> str:
        """A statsmodels-like text block."""
        rule = "=" * 78 + "\n"
        pct = f"{100 * self.q.level:g}%"
        text = rule + "Minibatch fit: E gap = a b^-q k^p + c/k (jackknife over replicates)\n"
        text += rule + f"{'':<10}{'estimate':>12}{'std err':>12}{'[' + pct:>12}{'CI]':>12}\n"
        for name, est in (("q", self.q), ("p", self.p)):
            text += (
                f"{name:<10}{est.value:12.4g}{est.se:12.4g}{est.ci_low:12.4g}{est.ci_high:12.4g}\n"
            )
        for name, interval in (("a", self.a), ("c", self.c)):
            text += (
                f"{name:<10}{interval.value:12.4g}{'':>12}"
                f"{interval.ci_low:12.4g}{interval.ci_high:12.4g}\n"
            )
        windows = ", ".join(f"b={b}: [{lo}, {hi}]" for b, (lo, hi) in self.windows.items())
        return text + f"windows: {windows}\nreplicates: {self.n_replicates}\n" + rule


def fit_minibatch(
    ks: Mapping[int, ArrayLike],
    gaps: Mapping[int, ArrayLike],
    *,
    kmin: float = 10,
    f_scale: float | None = None,
    level: float = 0.95,
) -> MinibatchFit:
    """Fit a b^(-q) k^p + c/k jointly to mean gaps per batch size (module docstring).

    ``ks[b]`` (J_b,) and ``gaps[b]`` (R, J_b) for each batch size b, the same R for all b.
    Each b is cut at kmin and at its float floor (whole tails, as in ``fit_rate``).
    """
    where = "fit_minibatch"
    if not ks or set(ks) != set(gaps):
        expected = f"a non-empty dict with the batch sizes of gaps as keys, {list(gaps)}"
        raise validation.not_allowed(where, "ks.keys()", list(ks), expected)
    kmin = validation.real(where, "kmin", kmin, at_least=1.0)
    level = validation.fraction(where, "level", level, 1.0)
    if f_scale is not None:
        f_scale = validation.real(where, "f_scale", f_scale, at_least=0.0)
    batches = tuple(sorted(ks))
    if len(batches) < 2 or any(not isinstance(b, int | np.integer) or b < 1 for b in batches):
        expected = "at least 2 integer batch sizes >= 1"
        raise validation.not_allowed(where, "ks.keys()", list(batches), expected)
    columns, windows, replicates = [], {}, 0
    for b in batches:
        k_b = checked_k(ks[b], where)
        gap_b = checked_gaps(gaps[b], k_b.size, where, f"gaps[{b}]")
        if b == batches[0]:
            replicates = gap_b.shape[0]
        elif gap_b.shape[0] != replicates:
            expected = f"{replicates} replicates (rows), as gaps[{batches[0]}] has"
            raise validation.not_allowed(where, f"gaps[{b}]", gap_b, expected)
        clean = clean_range(k_b, gap_b, kmin, floor_threshold(gap_b, f_scale, machine_eps(gaps[b])))
        if clean.n_diverged or clean.size < 2:
            raise InputError(
                f"gaps[{b}]: {clean.n_diverged} diverged replicates and {clean.size} clean "
                "checkpoints; the minibatch fit needs finite gaps at >= 2 checkpoints"
            )
        sl = slice(clean.start, clean.stop)
        columns.append((np.full(clean.size, float(b)), k_b[sl], gap_b[:, sl]))
        windows[int(b)] = (int(k_b[clean.start]), int(k_b[clean.stop - 1]))
    data = np.log(
        np.vstack(
            [
                np.concatenate([col[0] for col in columns]),
                np.concatenate([col[1] for col in columns]),
            ]
        )
    )
    gap = np.concatenate([col[2] for col in columns], axis=1)
    y = np.log(gap.mean(axis=0))
    try:
        full = _fit(data, y, _starts(data, y))
        loo = np.array([_fit(data, row, [tuple(full)]) for row in np.log(leave_one_out_means(gap))])
    except RuntimeError as err:
        raise InputError(f"gaps: the minibatch model did not converge ({err})") from err
    estimates = [jackknife(full[i], loo[:, i], level) for i in range(4)]

    def exp_interval(est: Estimate) -> Interval:
        low, high = est.interval(level)
        return Interval(float(np.exp(est.value)), float(np.exp(low)), float(np.exp(high)), level)

    return MinibatchFit(
        q=estimates[1],
        p=estimates[2],
        a=exp_interval(estimates[0]),
        c=exp_interval(estimates[3]),
        batch_sizes=batches,
        windows=windows,
        n_replicates=replicates,
        rss=float(np.sum((y - _log_model(data, *full)) ** 2)),
    )
