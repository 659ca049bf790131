"""Custom checks of the lecture's claims about batches: full-batch GD and minibatches.

* ``gd-worst-case``: gradient descent on Drori and Teboulle's worst function attains
  L R^2/(4N + 2) at every horizon N, hence the order 1/N.
* ``minibatch-variance``: the variance of a minibatch gradient falls as 1/b (times
  (N - b)/(N - 1) without replacement).
* ``minibatch-rate``: minibatch SGD's gap fitted jointly over b as a b^(-q) k^p + c/k, and
  the same runs per sample processed.
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
from empirical.verdicts import RateShape, check_constant, check_upper
from empirical.verification.binding import bound_curve
from reports.suite.lecture_common import (
    ALPHA,
    Part,
    build,
    combine,
    equivalent,
    estimate_dict,
    line,
    replicate_curve,
    rounded,
)
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel, custom_check
from theory.asymptotics import batch_scaling, minibatch_variance
from theory.catalog import get_theorem

# -- gradient descent on the worst function ------------------------------------------------


@custom_check("gd-worst-case")
def gd_worst_case(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """For each horizon N (``per_decade`` geometric values up to ``largest``): gradient
    descent with step 1/L for N steps on ``worst-case-gd:L,R,N``. Parts: the gaps
    f(x_N) - f* equal L R^2/(4N + 2) (theorem ``gd-smooth-convex-tight``) to a relative
    1e-9 at every N, and in ``check_constant``'s match mode (rtol 1e-6) on the last
    decade; their order in N is within O(1/N) (``check_upper``). The runs are
    deterministic: two identical replicates make the spread zero."""
    L, R = float(params["L"]), float(params["R"])
    horizons = geometric_checkpoints(int(params["largest"]), per_decade=int(params["per_decade"]))
    gaps = np.empty((2, horizons.size))
    for j, N in enumerate(horizons):
        obj = make_objective(f"worst-case-gd:L={L!r},R={R!r},N={int(N)}")
        trace = run(obj, "sgd", "1/L", steps=int(N), replicates=2, seed=0, checkpoints=[int(N)])
        gaps[:, j] = trace.gap[:, -1]
    tight = bound_curve(get_theorem("gd-smooth-convex-tight").bound, {"L": L, "R": R})
    loose = bound_curve(get_theorem("gd-smooth-convex").bound, {"L": L, "R": R})
    assert tight is not None and loose is not None
    exact = tight(horizons)
    constant = check_constant(horizons, gaps, exact, mode="match", rtol=1e-6, kmin=1)
    order = check_upper(horizons, gaps, RateShape(-1.0), kmin=10)
    error = float(np.max(np.abs(gaps[0] / exact - 1.0)))
    parts = [
        Part(
            "gap = L R^2/(4N + 2) at every horizon",
            "pass" if error <= 1e-9 else "fail",
            "matches" if error <= 1e-9 else "off",
            "pass",
            f"the largest relative deviation over {horizons.size} horizons is {error:.2g} "
            "(tolerance 1e-9).",
        ),
        Part(
            "gap = L R^2/(4N + 2) at every N",
            constant.outcome,
            constant.label,
            "pass",
            constant.reason,
        ),
        Part("order O(1/N) across horizons", order.outcome, order.label, "pass", order.reason),
    ]
    verdict, label, reason = combine(parts)
    fit = order.fit
    curve = replicate_curve(
        "GD, eta = 1/L: f(x_N) - f* at its horizon N",
        horizons,
        gaps[:1],
        bound=line(horizons, exact, "theory: L R^2/(4N + 2) (gd-smooth-convex-tight), tight"),
        x_label="horizon N (updates)",
        y_label="f(x_N) - f*",
    )
    reference = Curve(
        label="theory: L R^2/(2N) (gd-smooth-convex), loose",
        k=horizons.astype(float).tolist(),
        mean=loose(horizons).tolist(),
        x_label="horizon N (updates)",
        y_label="f(x_N) - f*",
    )
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=[
            Panel(
                f"Drori-Teboulle worst case (L={L:g}, R={R:g}), one instance per N",
                (curve, reference),
            )
        ],
        metrics={
            "max |gap / (L R^2/(4N+2)) - 1|": error,
            "horizons N": horizons.tolist(),
            "fitted exponent in N": None if fit is None else rounded(fit.exponent.value, 6),
        },
        expected_rate="L R^2/(4N + 2) exactly (order 1/N)",
        exponent=None if fit is None else {**fit.exponent.to_dict(), "parameter": "exponent"},
    )


# -- variance of a minibatch gradient ------------------------------------------------------


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


@custom_check("minibatch-variance")
def minibatch_variance_check(
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
            [float(minibatch_variance(sp.Float(sigma2), int(b))) for b in batches]
        ),
        "without replacement": np.array(
            [float(minibatch_variance(sp.Float(sigma2), int(b), n)) for b in batches]
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


# -- minibatch SGD's rate ---------------------------------------------------------------


@custom_check("minibatch-rate")
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
        _one_sided("b-exponent q >= 1/2 - delta", fit.q, 0.5 - delta, above=True),
        _one_sided("k-exponent p <= -1/2 + delta", fit.p, -0.5 + delta, above=False),
    ]
    verdict, label, reason = combine(parts)
    reason += f" Fit: q >= {q_low:.3f} and p <= {p_high:.3f} at {100 * (1 - ALPHA):g}%."
    scaling = batch_scaling(
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


def _one_sided(name: str, estimate: Estimate, threshold: float, *, above: bool) -> Part:
    """PASS if the estimate is beyond ``threshold`` on the allowed side at 1 - alpha,
    FAIL if it is beyond it on the other side, else INCONCLUSIVE."""
    low, high = estimate.lower_bound(ALPHA), estimate.upper_bound(ALPHA)
    shown = f"estimate {estimate.value:.3f}, {100 * (1 - ALPHA):g}% bounds [{low:.3f}, {high:.3f}]"
    good, bad = (
        (low >= threshold, high < threshold) if above else (high <= threshold, low > threshold)
    )
    if good:
        return Part(name, "pass", "within", "pass", shown + ".")
    if bad:
        return Part(name, "fail", "slower", "pass", shown + ".")
    return Part(name, "inconclusive", "imprecise", "pass", shown + ".")
