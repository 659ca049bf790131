"""The lecture's claims about minibatches (claims 8 and 9).

* claim 8, :func:`minibatch_variance`: the variance of a minibatch gradient falls as 1/b
  (times (N - b)/(N - 1) without replacement).
* claim 9, :func:`minibatch_rate`: minibatch SGD's gap fitted jointly over b as
  a b^(-q) k^p + c/k, and the same runs per sample processed.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import sympy as sp

from empirical import objective as make_objective
from empirical import run
from empirical.fitting import fit_minibatch
from empirical.fitting.inference import Estimate, mean_estimate
from empirical.runner.trace import geometric_checkpoints
from reports.lecture.common import (
    ALPHA,
    Part,
    beyond,
    build,
    combine,
    equivalent,
    estimate_dict,
    line,
    replicate_curve,
    rounded,
)
from reports.suite.model import CheckResult, CheckSpec, Panel
from theory import asymptotics
from theory.catalog import get_theorem

# -- 8. variance of a minibatch gradient --------------------------------------------------


def _draws(rng: np.random.Generator, count: int, n: int, b: int, replace: bool) -> np.ndarray:
    """``count`` minibatches of b indices of 0..n-1: i.i.d. draws, or b distinct ones.

    Without replacement, each random permutation of 0..n-1 is cut into n // b disjoint
    batches: each batch is a uniform b-subset (the batches of one permutation are not
    independent of each other, which leaves their mean unbiased).
    """
    if replace:
        return rng.integers(0, n, size=(count, b))
    per = n // b
    perms = rng.permuted(np.broadcast_to(np.arange(n), (-(-count // per), n)), axis=1)
    return perms[:, : per * b].reshape(-1, b)[:count]


def _slope(x: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """OLS slope of each row of Y on x."""
    xc = x - x.mean()
    return (Y - Y.mean(axis=1, keepdims=True)) @ xc / (xc @ xc)


def minibatch_variance(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """E||g_b - grad F(w)||^2 of the minibatch gradient g_b at the start w0 of a finite sum
    of N samples, for several b, drawn with and without replacement.

    ``groups`` independent groups of ``samples // b`` minibatches each (the same number of
    sampled gradients at every b, so every v(b) is about equally precise) give per-group
    estimates v_g(b) (the mean of ||g_b - grad F||^2, the mean gradient being known).
    Parts: the slope of log v(b) on log b with replacement matches -1 (TOST, +-delta);
    with and without replacement, v(b) / V(b) matches 1 within rtol at every b, where V(b) is
    ``theory.asymptotics.minibatch_variance(sigma^2, b[, N])`` and sigma^2 the per-sample
    variance (1/N) sum_i ||grad f_i(w0) - grad F(w0)||^2.
    """
    obj = make_objective(params["objective"])
    n = int(obj.n)
    batches = np.array(sorted(params["batch_sizes"]), dtype=np.int64)
    groups, samples = int(params["groups"]), int(params["samples"])
    delta, rtol = float(params["delta"]), float(params["rtol"])
    rng = np.random.default_rng(params["seed"])
    w = np.asarray(obj.w0, dtype=np.float64)
    per_sample = obj.sample_grads(w)
    mean = per_sample.mean(axis=0)
    sigma2 = float(np.mean(np.sum((per_sample - mean) ** 2, axis=1)))
    measured: dict[str, np.ndarray] = {}
    for name, replace in (("with replacement", True), ("without replacement", False)):
        values = np.empty((groups, batches.size))
        for j, b in enumerate(batches):
            draws = samples // int(b)
            idx = _draws(rng, groups * draws, n, int(b), replace)
            noise = obj.grad(np.broadcast_to(w, (groups * draws, obj.d)), idx) - mean
            values[:, j] = np.sum(noise**2, axis=1).reshape(groups, draws).mean(axis=1)
        measured[name] = values
    theory = {
        "with replacement": np.array(
            [float(asymptotics.minibatch_variance(sp.Float(sigma2), int(b))) for b in batches]
        ),
        "without replacement": np.array(
            [float(asymptotics.minibatch_variance(sp.Float(sigma2), int(b), n)) for b in batches]
        ),
    }
    slope = mean_estimate(_slope(np.log(batches), np.log(measured["with replacement"])))
    parts = [
        equivalent(
            "slope of log Var on log b (with replacement) = -1",
            slope,
            -1.0 - delta,
            -1.0 + delta,
            f"slope {slope.value:.4f} over R={groups} groups of {samples} sampled gradients",
        )
    ]
    metrics: dict[str, Any] = {
        "per-sample variance sigma^2": rounded(sigma2),
        "N": n,
        "slope of log Var on log b (with replacement)": estimate_dict(slope),
    }
    for name, values in measured.items():
        ratios = [mean_estimate(values[:, j] / theory[name][j]) for j in range(batches.size)]
        worst = max(ratios, key=lambda est: abs(est.value - 1.0) + est.se)
        parts.append(_all_equivalent(f"Var / theory at every b ({name})", ratios, batches, rtol))
        metrics[f"Var / theory, worst b ({name})"] = estimate_dict(worst)
    ignored = measured["without replacement"][:, -1].mean() / theory["with replacement"][-1]
    metrics[f"without replacement at b={batches[-1]}: Var / (sigma^2/b)"] = rounded(ignored)
    metrics[f"(N - b)/(N - 1) at b={batches[-1]}"] = rounded((n - batches[-1]) / (n - 1))
    verdict, label, reason = combine(parts)
    curves = tuple(
        replicate_curve(
            f"measured, {name} ({groups} groups x {samples}/b draws)",
            batches,
            values,
            bound=line(
                batches,
                theory[name],
                "theory: sigma^2/b" + (" (N - b)/(N - 1)" if "without" in name else ""),
            ),
            x_label="batch size b",
            y_label="E||g_b - grad F(w0)||^2",
        )
        for name, values in measured.items()
    )
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=[
            Panel(f"{obj.name} (N={n}, d={obj.d}): variance of a minibatch gradient at w0", curves)
        ],
        metrics=metrics,
        expected_rate="Var = sigma^2/b (slope -1 in b)",
        exponent={**estimate_dict(slope), "parameter": "slope of log Var on log b"},
    )


def _all_equivalent(name: str, ratios: list[Estimate], batches: np.ndarray, rtol: float) -> Part:
    """Every ratio matches 1 within rtol (TOST each): FAIL if one is decisively off."""
    each = [
        equivalent(f"b={int(b)}", est, 1.0 - rtol, 1.0 + rtol, f"ratio {est.value:.4f}")
        for b, est in zip(batches, ratios, strict=True)
    ]
    verdict, label, reason = combine(each)
    return Part(name, verdict, "matches" if verdict == "pass" else label, "pass", reason)


MINIBATCH_VARIANCE = CheckSpec(
    id="c08-minibatch-variance",
    title="The variance of a minibatch gradient falls as 1/b",
    claim=(
        "The minibatch gradient of b samples drawn with replacement has variance "
        "sigma^2/b, sigma^2 the per-sample variance; drawn without replacement from N "
        "samples, sigma^2/b (N - b)/(N - 1)."
    ),
    kind="custom",
    function=minibatch_variance,
    params={
        "objective": "ridge:n=128,d=10",
        "batch_sizes": [1, 2, 4, 8, 16, 32, 64],
        "groups": 20,
        "samples": 32_000,
        "delta": 0.05,
        "rtol": 0.1,
        "seed": 0,
    },
    quick={"samples": 16_000},
    section="8. Minibatches: variance",
)


# -- 9. minibatch SGD's rate --------------------------------------------------------------


def minibatch_rate(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """Minibatch SGD with the batch-scaled step eta_k = c sqrt(b/k) for several b; the mean
    gaps fitted jointly as a b^(-q) k^p + c/k (``fit_minibatch``, jackknife over replicates).

    The theory's O(1/sqrt(bk) + 1/k) (``minibatch-sgd-smooth-convex``) is an upper bound:
    parts test q >= 1/2 - delta and p <= -1/2 + delta one-sided at level alpha (a larger
    batch may help more, the gap may fall faster). The per-sample view (gap against b k)
    is drawn beside, with the ratios of ``theory.asymptotics.batch_scaling`` in the
    metrics: per iteration a batch of b divides the noise term by sqrt(b); per sample
    processed it costs a factor b on the 1/k term (and sqrt(b) on a non-smooth bound).
    """
    obj = make_objective(params["objective"])
    steps, replicates, seed = params["steps"], params["replicates"], params["seed"]
    c, delta = float(params["c"]), float(params["delta"])
    batches = sorted(int(b) for b in params["batch_sizes"])
    ks, gaps = {}, {}
    for b in batches:
        checkpoints = np.union1d(geometric_checkpoints(steps), [steps // b])
        trace = run(
            obj,
            "sgd",
            f"{c!r}*sqrt({b})/sqrt(k)",
            steps=steps,
            replicates=replicates,
            seed=seed,
            batch_size=b,
            checkpoints=checkpoints,
        )
        ks[b], gaps[b] = np.asarray(trace.k), np.asarray(trace.gap)
    fit = fit_minibatch(ks, gaps, kmin=params["kmin"], level=1 - 2 * ALPHA)
    q_low, p_high = fit.q.lower_bound(ALPHA), fit.p.upper_bound(ALPHA)
    parts = [
        beyond("b-exponent q >= 1/2 - delta", fit.q, 0.5 - delta, above=True),
        beyond("k-exponent p <= -1/2 + delta", fit.p, -0.5 + delta, above=False),
    ]
    verdict, label, reason = combine(parts)
    reason += f" Fit: q >= {q_low:.3f} and p <= {p_high:.3f} at {100 * (1 - ALPHA):g}%."
    scaling = asymptotics.batch_scaling(
        get_theorem("minibatch-sgd-smooth-convex").bound,
        get_theorem("minibatch-sgd-convex-uniform").bound,
    )
    metrics: dict[str, Any] = {
        "q (b-exponent)": estimate_dict(fit.q),
        "p (k-exponent)": estimate_dict(fit.p),
        "a": rounded(fit.a.value),
        "c": rounded(fit.c.value),
        "theory per iteration (noise term, b=1 / b)": str(scaling.stochastic_per_iteration),
        "theory per sample (1/k term, b / b=1)": str(scaling.deterministic_per_sample),
        "theory per sample (non-smooth bound, b / b=1)": str(scaling.nonsmooth_per_sample),
    }
    last = {b: gaps[b][:, -1].mean() for b in batches}
    for b in batches[1:]:
        per_sample = gaps[b][:, ks[b] == steps // b].mean() / last[1]
        metrics[f"b={b}: gap(b=1)/gap(b) at k={steps} (sqrt b = {np.sqrt(b):.3g})"] = rounded(
            last[1] / last[b]
        )
        metrics[f"b={b}: gap(b)/gap(b=1) at {steps} samples"] = rounded(per_sample)
    per_iteration = Panel(
        f"{obj.name} (d={obj.d}), minibatch SGD, eta_k = {c:g} sqrt(b/k), per update",
        tuple(
            replicate_curve(
                f"b = {b}",
                ks[b],
                gaps[b],
                fit=line(
                    ks[b][ks[b] >= fit.windows[b][0]],
                    _model(fit, b, ks[b][ks[b] >= fit.windows[b][0]]),
                    f"joint fit a b^-q k^p + c/k, q = {fit.q.value:.3f}, p = {fit.p.value:.3f}",
                ),
            )
            for b in batches
        ),
    )
    per_sample_panel = Panel(
        "the same runs per sample processed (b k)",
        tuple(
            replicate_curve(f"b = {b}", ks[b] * b, gaps[b], x_label="samples processed b k")
            for b in batches
        ),
    )
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=[per_iteration, per_sample_panel],
        metrics=metrics,
        expected_rate="O(1/sqrt(b k) + 1/k)",
        exponent={**fit.p.to_dict(), "parameter": "k-exponent p of the joint fit"},
    )


def _model(fit: Any, b: int, k: np.ndarray) -> np.ndarray:
    """a b^-q k^p + c/k at the fitted values."""
    return fit.a.value * b ** (-fit.q.value) * k**fit.p.value + fit.c.value / k


MINIBATCH_RATE = CheckSpec(
    id="c09-minibatch-rate",
    title="Minibatch SGD: O(1/sqrt(bk) + 1/k), and per sample",
    claim=(
        "Minibatch SGD with batches of b (step tuned to the batch, eta_k = c sqrt(b/k)) "
        "converges as O(1/sqrt(b k) + 1/k) in its k updates: fitted jointly over b, the "
        "gap falls at least as fast as b^(-1/2) k^(-1/2), so a batch of b divides the "
        "noise term by sqrt(b) per update; per sample processed (b k) it buys nothing."
    ),
    kind="custom",
    function=minibatch_rate,
    params={
        "objective": "quadratic:d=10",
        "c": 0.2,
        "batch_sizes": [1, 4, 16, 64],
        "steps": 10_000,
        "replicates": 40,
        "kmin": 100,
        "delta": 0.05,
        "seed": 0,
    },
    theorem="minibatch-sgd-smooth-convex",
    quick={"replicates": 30},
    section="9. Minibatches: rate",
)


CHECKS: tuple[CheckSpec, ...] = (
    MINIBATCH_VARIANCE,
    MINIBATCH_RATE,
)
"""The checks of this topic."""
