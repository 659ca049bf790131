"""The lecture's claims about SGD's step size (claims 1, 2, 3 and 13).

* claim 1: SGD with eta_k = 1/(lam k) is O(1/k) on strongly convex problems, with the exact
  constant on the noisy quadratic (``verify`` checks).
* claim 2, :func:`constant_step_floors`: a constant step stalls at a floor proportional
  to the step.
* claim 3, :func:`robbins_monro`: a schedule that violates the Robbins-Monro conditions,
  run and decided.
* claim 13, :func:`plateau_schedule`: keeping the step until the loss plateaus, then
  dividing it by 10, ends lower than the constant step it starts from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import run
from empirical.fitting.inference import mean_estimate
from empirical.verdicts import exp_of, log_ratio
from empirical.verification.verify import verify, verify_trace
from reports.lecture.common import (
    ALPHA,
    below_zero,
    build,
    combine,
    estimate_dict,
    exponent_of,
    part_of,
    replicate_curve,
    rounded,
)
from reports.suite.model import CheckResult, CheckSpec, Panel
from reports.suite.verification import verification_curve
from theory.model_problems import get_derivation
from theory.robbins_monro import robbins_monro as robbins_monro_decision

# -- 1. SGD with eta_k = 1/(lam k) --------------------------------------------------------


SGD_RIDGE = CheckSpec(
    id="c01a-sgd-ridge",
    title="SGD with 1/(lam k) on ridge regression",
    claim=(
        "On ridge regression with regularization 1 (a smooth, lam-strongly convex "
        "finite sum) SGD with eta_k = 1/(lam k), each epoch a fresh shuffle of the data, "
        "has E[F(w_k)] - F* = O(1/k) (an upper bound: reshuffling may do better)."
    ),
    kind="verify",
    params={
        "objective": "ridge:lam=1",
        "optimizer": "sgd",
        "schedule": "1/(lam*k)",
        "expect": "sgd-sc-smooth-last",
        "steps": 100_000,
        "replicates": 30,
        "seed": 0,
    },
    theorem="sgd-sc-smooth-last",
    quick={"steps": 30_000},
    section="1. SGD on strongly convex problems",
)


SGD_LOGISTIC = CheckSpec(
    id="c01b-sgd-logistic",
    title="SGD with 1/(lam k) on logistic regression",
    claim=(
        "On L2-regularized logistic regression SGD with eta_k = 1/(lam k) (lam the "
        "regularization), each epoch a fresh shuffle of the data, has "
        "E[F(w_k)] - F* = O(1/k)."
    ),
    kind="verify",
    params={
        "objective": "logistic",
        "optimizer": "sgd",
        "schedule": "1/(lam*k)",
        "expect": "sgd-sc-smooth-last",
        "steps": 100_000,
        "replicates": 30,
        "seed": 0,
    },
    theorem="sgd-sc-smooth-last",
    quick={"steps": 30_000},
    section="1. SGD on strongly convex problems",
)


SGD_QUADRATIC_EXACT = CheckSpec(
    id="c01c-sgd-quadratic-exact",
    title="SGD with 1/(lam k) on the noisy quadratic: the exact constant",
    claim=(
        "On the noisy quadratic (lam/2)||w - w*||^2 with additive gradient noise of "
        "variance sigma^2, SGD with eta_k = 1/(lam k) has E[F(w_k)] - F* = "
        "sigma^2/(2 b lam k) exactly: the rate 1/k and its constant are attained."
    ),
    kind="verify",
    params={
        "objective": "quadratic:d=10",
        "optimizer": "sgd",
        "schedule": "1/(lam*k)",
        "expect": "minibatch-sgd-quadratic-exact",
        "steps": 10_000,
        "replicates": 200,
        "seed": 0,
    },
    theorem="minibatch-sgd-quadratic-exact",
    section="1. SGD on strongly convex problems",
)


# -- 2. the step must shrink --------------------------------------------------------------

CONSTANT_STEP = "minibatch-sgd-quadratic-constant-step"


def _stationary(values: dict[str, float]) -> float:
    """V = eta sigma^2 / (b lam (2 - eta lam)), the model problem's exact floor of
    E||w_k - w*||^2 (theory.model_problems constant_step, result 'stationary')."""
    expr = get_derivation("constant_step").result("stationary").rhs
    return float(expr.subs({s: values[s.name] for s in expr.free_symbols}))


def _floor(series: np.ndarray, k: np.ndarray, start: float) -> np.ndarray:
    """Per-replicate mean of the series over the checkpoints k >= start."""
    return series[:, k >= start].mean(axis=1)


def constant_step_floors(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """Two constant steps eta_1 > eta_2 on the noisy quadratic, each checked against the
    exact second moment e_k = (R^2 - V)(1 - eta lam)^(2k) + V (match), and eta_1 against
    O(1/k), which must fail as "stalls". The floors (per-replicate means of
    ||w_k - w*||^2 over the last decade) are compared with V and with each other."""
    obj = make_objective(params["objective"])
    steps, replicates, seed = params["steps"], params["replicates"], params["seed"]
    etas = [float(eta) for eta in params["etas"]]
    results = [
        verify(obj, "sgd", eta, expect=CONSTANT_STEP, steps=steps, replicates=replicates, seed=seed)
        for eta in etas
    ]
    stall = verify_trace(results[0].trace, "O(1/k)", objective=obj)
    metrics: dict[str, Any] = {}
    floors, exact = [], []
    for eta, result in zip(etas, results, strict=True):
        k = np.asarray(result.trace.k, dtype=np.float64)
        floor = mean_estimate(_floor(result.series, k, k[-1] / 10))
        V = _stationary(result.plan.values)
        floors.append(floor)
        exact.append(V)
        low, high = floor.interval(1 - 2 * ALPHA)
        metrics[f"floor at eta={eta:g} (measured, 98% CI)"] = (
            f"{floor.value:.4g} [{low:.4g}, {high:.4g}]"
        )
        metrics[f"floor at eta={eta:g} (exact V)"] = rounded(V)
    ratio = log_ratio(floors[0], floors[1])  # two independent runs
    low, high = ratio.interval(1 - 2 * ALPHA)
    metrics["floor ratio (measured, 98% CI)"] = (
        f"{math.exp(ratio.value):.4g} [{math.exp(low):.4g}, {math.exp(high):.4g}]"
    )
    metrics["floor ratio (exact V ratio)"] = rounded(exact[0] / exact[1])
    metrics["step ratio"] = rounded(etas[0] / etas[1])
    parts = [
        part_of(f"floor at eta={etas[0]:g} vs exact V", results[0]),
        part_of(f"floor at eta={etas[1]:g} vs exact V", results[1]),
        part_of(f"eta={etas[0]:g} against O(1/k)", stall, "fail", "stalls"),
    ]
    verdict, label, reason = combine(parts)
    curves = tuple(
        verification_curve(result, f"eta = {eta:g} (R={replicates})")
        for eta, result in zip(etas, results, strict=True)
    )
    title = f"{obj.name} (d={obj.d}), SGD with constant steps: E||w_k - w*||^2 and its floor V"
    return build(
        spec,
        verdict,
        label,
        reason,
        verdicts=[*results, stall],
        panels=[Panel(title, curves)],
        metrics=metrics,
        expected_rate="a floor V = eta sigma^2/(b lam (2 - eta lam)), no rate",
        exponent=exponent_of(stall),
    )


CONSTANT_STEP_FLOOR = CheckSpec(
    id="c02-constant-step-floor",
    title="A constant step stalls at a floor proportional to the step",
    claim=(
        "With a constant step eta, SGD on the noisy quadratic does not converge: "
        "E||w_k - w*||^2 settles at V = eta sigma^2/(b lam (2 - eta lam)), so a step ten "
        "times smaller gives a floor about ten times lower, and the gap stalls instead "
        "of falling as 1/k."
    ),
    kind="custom",
    function=constant_step_floors,
    params={
        "objective": "quadratic:d=10",
        "etas": [0.1, 0.01],
        "steps": 10_000,
        "replicates": 64,
        "seed": 0,
    },
    theorem="minibatch-sgd-quadratic-constant-step",
    section="2. The step must shrink",
)


# -- 3. Robbins-Monro ---------------------------------------------------------------------


def robbins_monro(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """SGD with ``schedule`` checked against ``expect`` (the verdict of the check), beside
    the reference schedule that satisfies the conditions, with both Robbins-Monro
    decisions (``theory.robbins_monro``) in the metrics."""
    obj = make_objective(params["objective"])
    options = {
        "expect": params["expect"],
        "steps": params["steps"],
        "replicates": params["replicates"],
        "seed": params["seed"],
    }
    schedule, reference = params["schedule"], params["reference"]
    result = verify(obj, "sgd", schedule, **options)
    baseline = verify(obj, "sgd", reference, **options)
    metrics: dict[str, Any] = {}
    decisions = []
    for name, text in (("schedule", schedule), ("reference", reference)):
        decision = robbins_monro_decision(text)
        decisions.append(decision)
        metrics[f"{name} eta_k = {text}: sum eta_k = oo"] = decision.sum_diverges
        metrics[f"{name} eta_k = {text}: sum eta_k^2 < oo"] = decision.square_summable
        metrics[f"{name} eta_k = {text}: Robbins-Monro satisfied"] = decision.satisfied
    metrics["reference verdict"] = f"{baseline.outcome} ({baseline.label})"
    reason = (
        f"eta_k = {schedule}: {result.reason} Robbins-Monro: {decisions[0].reason}. "
        f"Reference eta_k = {reference} ({decisions[1].reason}): {baseline.outcome} "
        f"({baseline.label})."
    )
    curves = (
        verification_curve(result, f"eta_k = {schedule}"),
        verification_curve(baseline, f"reference eta_k = {reference}"),
    )
    title = f"{obj.name} (d={obj.d}), SGD: eta_k = {schedule} against eta_k = {reference}"
    expected = result.to_dict()["expected"]
    return build(
        spec,
        result.outcome,
        result.label,
        reason,
        verdicts=[result, baseline],
        panels=[Panel(title, curves)],
        metrics=metrics,
        expected_rate=f"O({expected['rate']})",
        exponent=exponent_of(result),
    )


SUMMABLE_STEPS = CheckSpec(
    id="c03a-summable-steps",
    title="Steps whose sum converges stop short of the optimum",
    claim=(
        "With eta_k = 0.5/k^2 the steps sum to a finite total (the first Robbins-Monro "
        "condition fails), so SGD cannot travel to the optimum: the gap stalls."
    ),
    kind="custom",
    function=robbins_monro,
    params={
        "objective": "quadratic:d=10",
        "schedule": "0.5/k**2",
        "reference": "1/(lam*k)",
        "expect": "O(1/k)",
        "steps": 10_000,
        "replicates": 30,
        "seed": 0,
    },
    expect="fail",
    expect_label="stalls",
    quick={"steps": 3_000},
    section="3. Robbins-Monro step conditions",
)


SQRT_STEPS = CheckSpec(
    id="c03b-sqrt-steps",
    title="Steps that are not square-summable converge slower than 1/k",
    claim=(
        "With eta_k = 0.5/sqrt(k) the squared steps do not sum (the second Robbins-Monro "
        "condition fails): on a strongly convex problem the last iterate still "
        "converges, but slower than 1/k (as k^(-1/2))."
    ),
    kind="custom",
    function=robbins_monro,
    params={
        "objective": "quadratic:d=10",
        "schedule": "0.5/sqrt(k)",
        "reference": "1/(lam*k)",
        "expect": "O(1/k)",
        "steps": 10_000,
        "replicates": 30,
        "seed": 0,
    },
    expect="fail",
    expect_label="slower",
    quick={"steps": 3_000},
    section="3. Robbins-Monro step conditions",
)


# -- 13. the practical schedule -----------------------------------------------------------


def plateau_schedule(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """SGD with the constant step eta0, and with the ``plateau:`` rule that starts from eta0
    and divides the step by ``factor`` once the objective has not improved for
    ``patience`` evaluations (every ``every`` updates). Both runs use the same seed, so
    replicate r sees the same minibatches in both (a paired comparison). Part: the mean
    over replicates of log(gap_plateau / gap_constant), each gap averaged over the last
    decade, is below 0 (one-sided at alpha)."""
    obj = make_objective(params["objective"])
    eta0 = float(params["eta0"])
    rule = (
        f"plateau:eta0={eta0!r},factor={float(params['factor'])!r},"
        f"patience={int(params['patience'])},every={int(params['every'])}"
    )
    options = {"steps": params["steps"], "replicates": params["replicates"], "seed": params["seed"]}
    constant = run(obj, "sgd", eta0, **options)
    plateau = run(obj, "sgd", rule, **options)
    k = np.asarray(constant.k, dtype=np.float64)
    last = k >= k[-1] / 10
    final = {
        name: trace.gap[:, last].mean(axis=1)
        for name, trace in (("constant", constant), ("plateau", plateau))
    }
    paired = mean_estimate(np.log(final["plateau"] / final["constant"]))
    part = below_zero(
        "plateau rule below the constant step",
        paired,
        f"mean log(gap with the plateau rule / gap with eta0 = {eta0:g}) over the last "
        f"decade = {paired.value:.3f} (R={constant.replicates}, paired)",
    )
    verdict, label, reason = combine([part])
    curves = (
        replicate_curve(f"constant step eta0 = {eta0:g}", k, constant.gap),
        replicate_curve(f"plateau rule: {rule}", k, plateau.gap),
    )
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=[Panel(f"{obj.name}: SGD, constant step against the plateau rule", curves)],
        metrics={
            "last-decade mean gap, constant step": rounded(float(final["constant"].mean())),
            "last-decade mean gap, plateau rule": rounded(float(final["plateau"].mean())),
            "plateau / constant (last decade)": estimate_dict(exp_of(paired)),
        },
        expected_rate="a lower final gap than the constant step",
    )


PLATEAU_SCHEDULE = CheckSpec(
    id="c13-plateau-schedule",
    title="Divide the step by 10 when the loss plateaus",
    claim=(
        "Keeping the step until the loss stops improving, then dividing it by 10, "
        "reaches a lower gap than the constant step it starts from."
    ),
    kind="custom",
    function=plateau_schedule,
    params={
        "objective": "ridge",
        "eta0": 0.05,
        "factor": 10.0,
        "patience": 3,
        "every": 200,
        "steps": 20_000,
        "replicates": 20,
        "seed": 0,
    },
    quick={"steps": 10_000},
    section="13. The practical schedule",
)


CHECKS: tuple[CheckSpec, ...] = (
    SGD_RIDGE,
    SGD_LOGISTIC,
    SGD_QUADRATIC_EXACT,
    CONSTANT_STEP_FLOOR,
    SUMMABLE_STEPS,
    SQRT_STEPS,
    PLATEAU_SCHEDULE,
)
"""The checks of this topic."""
