"""The lecture's claims about momentum and Nesterov's method (claim 11).

* :func:`momentum_variance`: momentum and Nesterov's update are moving averages of the
  minibatch gradients, so their update direction has a smaller variance than SGD's.
* :func:`acceleration`: Nesterov's method converges as O(1/k^2) where gradient descent
  converges as O(1/k) and no faster.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import optimizer as make_optimizer
from empirical import run
from empirical.fitting.inference import mean_estimate
from empirical.verification.verify import verify_trace
from reports.lecture.common import (
    build,
    combine,
    equivalent,
    estimate_dict,
    exponent_of,
    part_of,
    replicate_curve,
    rounded,
)
from reports.suite.model import CheckResult, CheckSpec, Panel
from reports.suite.verification import verification_curve


def momentum_noise_ratio(beta: float) -> float:
    """Var of the heavy-ball update over Var of SGD's, at equal effective step.

    With v_k = beta v_{k-1} + g_k and lr = eta (1 - beta), the update is
    -eta sum_j c_j g_{k-j} with c_j = (1 - beta) beta^j (sum 1); for independent gradient
    noise its variance is sum_j c_j^2 = (1 - beta)/(1 + beta) times SGD's.
    """
    return (1.0 - beta) / (1.0 + beta)


def nesterov_noise_ratio(beta: float) -> float:
    """The same for Nesterov's update in the PyTorch convention, -lr (g_k + beta v_k).

    With lr = eta (1 - beta): c_0 = (1 - beta)(1 + beta), c_j = (1 - beta) beta^(j+1) for
    j >= 1 (sum 1), so sum_j c_j^2 = (1 - beta)^2 ((1 + beta)^2 + beta^4/(1 - beta^2)).
    """
    return (1.0 - beta) ** 2 * ((1.0 + beta) ** 2 + beta**4 / (1.0 - beta**2))


def momentum_variance(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """SGD, heavy-ball momentum and Nesterov's method fed the same minibatch gradients at the
    fixed point w0 of a finite sum, at the same effective step eta (momentum and Nesterov
    use lr = eta (1 - beta)). Their update directions u_k = (w - w_k)/eta all have the mean
    grad F(w0); after ``warmup`` updates (beta^warmup negligible) each replicate's noise
    power mean_k ||u_k - grad F(w0)||^2 is divided by SGD's on the same gradients (paired).
    Parts: each ratio matches its prediction (:func:`momentum_noise_ratio`,
    :func:`nesterov_noise_ratio`) within rtol (TOST over replicates)."""
    obj = make_objective(params["objective"])
    beta, eta, rtol = float(params["beta"]), float(params["eta"]), float(params["rtol"])
    steps, warmup, replicates, b = (
        params["steps"],
        params["warmup"],
        params["replicates"],
        params["batch_size"],
    )
    rng = np.random.default_rng(params["seed"])
    n = int(obj.n)
    W = np.tile(np.asarray(obj.w0, dtype=np.float64), (replicates, 1))
    mean = obj.full_grad(W[:1])[0]
    methods = {
        "SGD": (make_optimizer("sgd"), eta),
        f"momentum (beta={beta:g})": (make_optimizer(f"momentum:beta={beta!r}"), eta * (1 - beta)),
        f"Nesterov (beta={beta:g})": (make_optimizer(f"nesterov:beta={beta!r}"), eta * (1 - beta)),
    }
    states = {name: opt.init(W) for name, (opt, _) in methods.items()}
    directions = {name: np.empty((replicates, steps, obj.d)) for name in methods}
    for j in range(steps):
        grad = obj.grad(W, rng.integers(0, n, size=(replicates, b)))
        for name, (opt, lr) in methods.items():
            moved, states[name] = opt.update(grad, states[name], W, lr)
            directions[name][:, j] = (W - moved) / eta
    power = {
        name: np.sum((u[:, warmup:] - mean) ** 2, axis=2).mean(axis=1)
        for name, u in directions.items()
    }
    predictions = {
        list(methods)[1]: momentum_noise_ratio(beta),
        list(methods)[2]: nesterov_noise_ratio(beta),
    }
    parts, metrics = (
        [],
        {"SGD update noise power (E||g_b - grad F||^2)": rounded(power["SGD"].mean())},
    )
    for name, predicted in predictions.items():
        ratio = mean_estimate(power[name] / power["SGD"])
        parts.append(
            equivalent(
                f"{name}: variance ratio to SGD = {predicted:.4g}",
                ratio,
                predicted * (1 - rtol),
                predicted * (1 + rtol),
                f"measured ratio {ratio.value:.4g} over R={replicates} replicates",
            )
        )
        metrics[f"{name}: variance / SGD's (measured)"] = estimate_dict(ratio)
        metrics[f"{name}: variance / SGD's (predicted)"] = rounded(predicted)
    verdict, label, reason = combine(parts)
    k = np.arange(1, steps + 1)
    curves = tuple(
        replicate_curve(
            f"{name}, lr = {lr:.3g}",
            k,
            directions[name][:, :, 0],
            style="linear",
            y_label="first coordinate of the update direction (w_{k-1} - w_k)/eta",
        )
        for name, (_, lr) in methods.items()
    )
    title = f"{obj.name}, b={b}, at w0: update directions over {replicates} gradient sequences"
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=[Panel(title, curves)],
        metrics=metrics,
        expected_rate="Var ratio (1 - beta)/(1 + beta) (momentum)",
    )


MOMENTUM_VARIANCE = CheckSpec(
    id="c11a-momentum-variance",
    title="Momentum and Nesterov smooth the minibatch noise",
    claim=(
        "Momentum and Nesterov's method move along a running average of the minibatch "
        "gradients: at the same effective step their update direction has (1 - beta)/"
        "(1 + beta) (momentum) of the variance of SGD's, 1/19 for beta = 0.9."
    ),
    kind="custom",
    function=momentum_variance,
    params={
        "objective": "ridge",
        "batch_size": 8,
        "beta": 0.9,
        "eta": 0.01,
        "steps": 300,
        "warmup": 200,
        "replicates": 200,
        "rtol": 0.1,
        "seed": 0,
    },
    quick={"replicates": 100},
    section="11. Momentum and Nesterov",
)


def acceleration(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """Gradient descent and Nesterov's method (Sutskever form, beta_k = (k-1)/(k+2), step
    1/L) on a noiseless quadratic whose d curvatures are spread geometrically over
    [lam, L] with the same initial error along each eigenvector: the spectral measure of
    the initial error is then ~ 1/mu, on which GD's gap falls as 1/k (for L/k >> lam) and
    Nesterov's as 1/k^2 (for k << sqrt(L/lam)), the worst-case orders of the two methods.

    Parts: GD against ``gd-smooth-convex`` (pass), Nesterov against
    ``nesterov-smooth-convex`` (pass), and GD against O(1/k^2) (fail, "slower").
    """
    d, steps = int(params["d"]), int(params["steps"])
    obj = make_objective(f"quadratic:d={d},lam={params['lam']!r},L={params['L']!r},sigma=0")
    start = np.asarray(obj.w_star) + obj.constants["R"] / np.sqrt(d)
    options = {"steps": steps, "replicates": 2, "seed": params["seed"], "w0": start}
    gd = run(obj, "sgd", "1/L", **options)
    nag = run(obj, "nesterov:beta=auto,convention=sutskever", "1/L", **options)
    gd_rate = verify_trace(gd, "gd-smooth-convex", objective=obj)
    nag_rate = verify_trace(nag, "nesterov-smooth-convex", objective=obj)
    gd_fast = verify_trace(gd, "O(1/k**2)", objective=obj)
    parts = [
        part_of("GD against gd-smooth-convex (1/k)", gd_rate),
        part_of("Nesterov against nesterov-smooth-convex (1/k^2)", nag_rate),
        part_of("GD against O(1/k^2)", gd_fast, "fail", "slower"),
    ]
    verdict, label, reason = combine(parts)
    k = np.asarray(gd.k, dtype=np.float64)
    return build(
        spec,
        verdict,
        label,
        reason,
        verdicts=[gd_rate, nag_rate, gd_fast],
        panels=[
            Panel(
                f"noiseless quadratic, d={d}, curvatures from {params['lam']:g} to "
                f"{params['L']:g}: GD and Nesterov with step 1/L",
                (
                    verification_curve(gd_rate, "gradient descent"),
                    verification_curve(nag_rate, "Nesterov, beta_k = (k-1)/(k+2)"),
                ),
            )
        ],
        metrics={
            "k f-gap at K (GD)": rounded(float(k[-1] * gd.gap[0, -1])),
            "k^2 f-gap at K (Nesterov)": rounded(float(k[-1] ** 2 * nag.gap[0, -1])),
        },
        expected_rate="O(1/k^2) (Nesterov) against O(1/k) (GD)",
        exponent=exponent_of(nag_rate),
    )


ACCELERATION = CheckSpec(
    id="c11b-acceleration",
    title="Nesterov's O(1/k^2) against gradient descent's O(1/k)",
    claim=(
        "On a smooth convex problem (a quadratic with curvatures spread over ten "
        "decades) Nesterov's accelerated gradient converges as O(1/k^2), while "
        "gradient descent converges as O(1/k) and no faster."
    ),
    kind="custom",
    function=acceleration,
    params={"d": 200, "lam": 1e-10, "L": 1.0, "steps": 3_000, "seed": 0},
    theorem="nesterov-smooth-convex",
    quick={"steps": 1_000},
    section="11. Momentum and Nesterov",
)


CHECKS: tuple[CheckSpec, ...] = (
    MOMENTUM_VARIANCE,
    ACCELERATION,
)
"""The checks of this topic."""
