"""The lecture's claims about adaptive methods (claim 12): Reddi, Kale and Kumar's problem,
and Rprop's decoupling of the dimensions.

:func:`reddi_counterexample`: on f_t(x) = C x (t = 1 mod 3) or -x otherwise over [-1, 1],
visited in that cyclic order, RMSprop and Adam with beta1 = 0, beta2 = 1/(1 + C^2) and
alpha_k = alpha/sqrt(k) do not converge (they settle at the worst point x = +1), while
AMSGrad and SGD converge to x* = -1 (Reddi et al. 2018, Thm 1).

:func:`rprop_decoupling`: on an axis-aligned valley f(w) = (lam x^2 + L y^2)/2, Rprop
(Riedmiller & Braun 1993) moves each coordinate by the sign of its derivative only, so its
iterates are the same whatever the curvature of each coordinate, while gradient descent
with step 1/L needs k_eps = ln(eps / (lam x_0^2 / 2)) / (2 ln(1 - lam/L)) steps, about
(kappa/2) ln(lam x_0^2 / (2 eps)) with kappa = L/lam.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import optimizer as make_optimizer
from empirical import run
from empirical.verdicts import STALL_SLOPE
from empirical.verification.verify import verify_trace
from reports.lecture.common import Part, build, combine, part_of, rounded
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel
from reports.suite.verification import verification_curve


def last_decade_slope(k: np.ndarray, gap: np.ndarray) -> float:
    """OLS slope of log gap on log k over the checkpoints of the last decade."""
    inside = k >= k[-1] / 10
    return float(np.polyfit(np.log(k[inside]), np.log(gap[inside]), 1)[0])


def _deterministic_part(name: str, k: np.ndarray, gap: np.ndarray, delta: float) -> Part:
    """Convergence at O(k^-1/2) of a deterministic run, read off its last decade: PASS if
    the log-log slope is <= -1/2 + delta, FAIL "stalls" if it is >= -0.1, else FAIL
    "slower"."""
    slope = last_decade_slope(k, gap)
    shown = (
        f"the last-decade log-log slope of the gap is {slope:.4f} (deterministic run: "
        f"every replicate is the same, so the slope is read off, not tested)"
    )
    if slope <= -0.5 + delta:
        return Part(name, "pass", "within", "pass", f"{shown}; <= -1/2 + {delta:g}.")
    label = "stalls" if slope >= -STALL_SLOPE else "slower"
    return Part(name, "fail", label, "pass", f"{shown}; above -1/2 + {delta:g}.")


def reddi_counterexample(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """Each optimizer of ``params["optimizers"]`` (name -> spec, and whether it should
    converge) on ``reddi:C`` in cyclic order with the schedule alpha/sqrt(k), its suffix
    average (the last half of the iterates) recorded. A non-converging method is checked by
    the verifier against O(1/sqrt(k)) (predicted FAIL "stalls"); a converging one by the
    slope of its deterministic curve (:func:`_deterministic_part`)."""
    C, alpha = float(params["C"]), float(params["alpha"])
    obj = make_objective(f"reddi:C={C!r}")
    average = "suffix:alpha=0.5"
    schedule = f"{alpha!r}/sqrt(k)"
    parts, curves, results, metrics = [], [], [], {}
    for name, setup in params["optimizers"].items():
        trace = run(
            obj,
            setup["spec"],
            schedule,
            steps=params["steps"],
            replicates=2,
            seed=params["seed"],
            sampling="cyclic",
            average=average,
        )
        result = verify_trace(trace, "O(1/sqrt(k))", objective=obj, average=average)
        results.append(result)
        k = np.asarray(trace.k, dtype=np.float64)
        gap = np.asarray(result.series[0])
        if setup["converges"]:
            parts.append(_deterministic_part(f"{name} converges", k[k > 0], gap[k > 0], 0.05))
        else:
            parts.append(part_of(f"{name} does not converge", result, "fail", "stalls"))
        x_bar = -1.0 + 3.0 * gap[-1] / (C - 2.0)
        metrics[f"{name}: suffix-average iterate at k={int(k[-1])}"] = rounded(x_bar)
        metrics[f"{name}: last-decade log-log slope"] = rounded(
            last_decade_slope(k[k > 0], gap[k > 0])
        )
        curves.append(verification_curve(result, f"{name} ({setup['spec']})"))
    verdict, label, reason = combine(parts)
    metrics["gap of the worst point x = +1, 2(C - 2)/3"] = rounded(2.0 * (C - 2.0) / 3.0)
    title = (
        f"Reddi et al.'s problem (C={C:g}), cyclic order, alpha_k = {alpha:g}/sqrt(k): gap of "
        "the suffix average"
    )
    return build(
        spec,
        verdict,
        label,
        reason,
        verdicts=results,
        panels=[Panel(title, tuple(curves))],
        metrics=metrics,
        expected_rate="no convergence (Adam, RMSprop); O(1/sqrt(k)) (AMSGrad, SGD)",
    )


ADAPTIVE_REDDI = CheckSpec(
    id="c12-adaptive-reddi",
    title="RMSprop and Adam fail on Reddi et al.'s problem; AMSGrad and SGD converge",
    claim=(
        "On the linear problem f_t(x) = 3x (t = 1 mod 3) or -x otherwise over [-1, 1], "
        "visited in that cyclic order with beta1 = 0, beta2 = 1/(1 + C^2) = 0.1 and "
        "alpha_k = 0.5/sqrt(k), RMSprop and Adam do not converge (they settle at the "
        "worst point x = +1), while AMSGrad and SGD converge to x* = -1 at the convex "
        "rate O(1/sqrt(k))."
    ),
    kind="custom",
    function=reddi_counterexample,
    params={
        "C": 3.0,
        "alpha": 0.5,
        "optimizers": {
            "Adam": {"spec": "adam:beta1=0,beta2=0.1", "converges": False},
            "RMSprop": {"spec": "rmsprop:beta2=0.1", "converges": False},
            "AMSGrad": {"spec": "amsgrad:beta1=0,beta2=0.1", "converges": True},
            "SGD": {"spec": "sgd", "converges": True},
        },
        "steps": 30_000,
        "seed": 0,
    },
    quick={"steps": 10_000},
    section="12. Adaptive methods: Reddi et al.'s counterexample",
)


def iterates(objective: str, spec: str, lr: float, steps: int) -> np.ndarray:
    """w_0, ..., w_steps of one deterministic run, the optimizer's ``update`` called on the
    objective's exact gradient (shape (steps + 1, d))."""
    obj, opt = make_objective(objective), make_optimizer(spec)
    w = np.asarray(obj.w0, dtype=np.float64)[None, :]
    state = opt.init(w)
    path = [w[0]]
    for _ in range(steps):
        w, state = opt.update(obj.grad(w, None), state, w, lr)
        path.append(w[0])
    return np.array(path)


def steps_to(gaps: np.ndarray, eps: float) -> int | None:
    """The first k with gap_k <= eps (None if there is none)."""
    reached = np.flatnonzero(gaps <= eps)
    return int(reached[0]) if reached.size else None


def rprop_decoupling(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """Rprop (``params["rprop"]``) and gradient descent (step 1/L) on
    ``valley:lam=L/kappa,L=1,angle=0`` for each kappa of ``params["kappas"]``:
    (1) Rprop's iterates are identical for every kappa; (2) GD's steps to a gap <= eps
    equal the exact k_eps of the module docstring at the largest kappa; (3) there, Rprop
    reaches eps at least ``params["speedup"]`` times sooner. Deterministic: every part is
    read off, not tested."""
    steps, eps, lr = int(params["steps"]), float(params["eps"]), float(params["lr"])
    kappas = [float(kappa) for kappa in params["kappas"]]
    paths, gaps = {}, {}
    for kappa in kappas:
        objective = f"valley:lam={1 / kappa!r},L=1,angle=0"
        obj = make_objective(objective)
        for method, optimizer_spec, step in (("Rprop", params["rprop"], lr), ("GD", "sgd", 1.0)):
            path = iterates(objective, optimizer_spec, step, steps)
            paths[method, kappa] = path
            gaps[method, kappa] = np.asarray(obj.gap(path))
    worst = kappas[-1]
    lam, x0 = 1 / worst, float(paths["GD", worst][0, 0])  # the start, w_0
    exact = math.ceil(math.log(eps / (lam * x0**2 / 2)) / (2 * math.log(1 - lam)))
    spread = max(
        float(np.max(np.abs(paths["Rprop", k] - paths["Rprop", kappas[0]]))) for k in kappas
    )
    gd, fast = steps_to(gaps["GD", worst], eps), steps_to(gaps["Rprop", worst], eps)
    sooner = fast is not None and gd is not None and gd >= float(params["speedup"]) * fast
    parts = [
        Part(
            "Rprop's iterates do not depend on the curvature",
            "pass" if spread == 0 else "fail",
            "within" if spread == 0 else "coupled",
            "pass",
            f"the largest difference between Rprop's iterates over kappa = "
            f"{', '.join(f'{k:g}' for k in kappas)} is {spread:g}.",
        ),
        Part(
            f"GD needs the exact k_eps at kappa = {worst:g}",
            "pass" if gd == exact else "fail",
            "within" if gd == exact else "off-recursion",
            "pass",
            f"GD reached gap <= {eps:g} at k = {gd}; the recursion's k_eps is {exact}.",
        ),
        Part(
            f"Rprop is at least {params['speedup']:g}x sooner at kappa = {worst:g}",
            "pass" if sooner else "fail",
            "within" if sooner else "slower",
            "pass",
            f"Rprop reached gap <= {eps:g} at k = {fast}, GD at k = {gd}.",
        ),
    ]
    verdict, label, reason = combine(parts)
    k = np.arange(1, steps + 1, dtype=np.float64)
    shown = np.unique(np.geomspace(1, steps, 200).astype(int))
    curves, exact_zero = [], []
    for method in ("GD", "Rprop"):
        for index, (axis, curvature) in enumerate((("x", lam), ("y", 1.0))):
            distance = np.abs(paths[method, worst][shown, index])
            name = f"{method}, {axis} (curvature {curvature:g})"
            drawn = distance > 0  # a log axis cannot show an exact 0: the curve ends there
            if not drawn.all():
                exact_zero.append(f"{method}'s {axis} is 0 from k = {int(shown[~drawn][0])}")
            if drawn.any():
                curves.append(
                    Curve(
                        name,
                        k[shown[drawn] - 1].tolist(),
                        distance[drawn].tolist(),
                        y_label="|w_k,i - w*_i|",
                    )
                )
    title = f"valley, kappa = {worst:g}: |w_k,i - w*_i| of GD (step 1/L) and Rprop"
    if exact_zero:
        title += f" ({'; '.join(exact_zero)})"
    metrics = {
        f"GD steps to gap <= {eps:g} at kappa = {worst:g}": gd,
        f"exact k_eps of GD at kappa = {worst:g}": exact,
        f"Rprop steps to gap <= {eps:g} at kappa = {worst:g}": fast,
        "largest difference of Rprop's iterates across kappa": spread,
    }
    for kappa in kappas[:-1]:
        metrics[f"GD steps to gap <= {eps:g} at kappa = {kappa:g}"] = steps_to(
            gaps["GD", kappa], eps
        )
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=[Panel(title, tuple(curves))],
        metrics=metrics,
        expected_rate="Rprop independent of kappa; GD in (kappa/2) ln(1/eps) steps",
    )


RPROP_DECOUPLING = CheckSpec(
    id="c12b-rprop-decoupling",
    title="Rprop decouples the dimensions: its iterates ignore each coordinate's curvature",
    claim=(
        "On the axis-aligned valley f(w) = (lam x^2 + L y^2)/2 with L = 1, Rprop moves each "
        "coordinate by the sign of its derivative only, so its iterates are the same for "
        "condition numbers kappa = L/lam of 1, 10 and 1000; gradient descent with step 1/L "
        "needs exactly k_eps = ln(eps/(lam x0^2/2)) / (2 ln(1 - lam)) steps to reach a gap "
        "of eps = 1e-10, about 9100 at kappa = 1000, and Rprop gets there at least 20 times "
        "sooner."
    ),
    kind="custom",
    function=rprop_decoupling,
    params={
        "rprop": "rprop",
        "kappas": [1.0, 10.0, 1000.0],
        "steps": 12_000,
        "eps": 1e-10,
        "lr": 0.1,
        "speedup": 20.0,
    },
    quick={"steps": 10_000},
    section="12. Adaptive methods: Rprop decouples the dimensions",
)


CHECKS: tuple[CheckSpec, ...] = (ADAPTIVE_REDDI, RPROP_DECOUPLING)
"""The checks of this topic."""
