"""Custom checks of the lecture's claims about SGD's step size and iterate averaging.

* ``constant-step-floors``: a constant step stalls at a floor proportional to the step.
* ``robbins-monro``: a schedule that violates the Robbins-Monro conditions, run and decided.
* ``averaging-boundary``: polynomial-decay averaging is O(1/k) where the uniform average
  is Theta(log k / k).
* ``plateau-schedule``: keeping the step until the loss plateaus, then dividing it by 10,
  ends lower than the constant step it starts from.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import run
from empirical.fitting import Estimate
from empirical.fitting.inference import mean_estimate
from empirical.runner.trace import geometric_checkpoints
from empirical.verification.verify import verify, verify_trace
from reports.suite.lecture_common import (
    ALPHA,
    below_zero,
    build,
    combine,
    estimate_dict,
    exp_estimate,
    exponent_of,
    part_of,
    replicate_curve,
    rounded,
)
from reports.suite.model import CheckResult, CheckSpec, Panel, custom_check
from reports.suite.verification import verification_curve
from theory.model_problems import get_derivation
from theory.robbins_monro import robbins_monro

CONSTANT_STEP = "minibatch-sgd-quadratic-constant-step"


def _stationary(values: dict[str, float]) -> float:
    """V = eta sigma^2 / (b lam (2 - eta lam)), the model problem's exact floor of
    E||w_k - w*||^2 (theory.model_problems constant_step, result 'stationary')."""
    expr = get_derivation("constant_step").result("stationary").rhs
    return float(expr.subs({s: values[s.name] for s in expr.free_symbols}))


def _floor(series: np.ndarray, k: np.ndarray, start: float) -> np.ndarray:
    """Per-replicate mean of the series over the checkpoints k >= start."""
    return series[:, k >= start].mean(axis=1)


@custom_check("constant-step-floors")
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
    ratio = Estimate(  # log of the ratio; delta method over two independent runs
        math.log(floors[0].value / floors[1].value),
        math.hypot(floors[0].se / floors[0].value, floors[1].se / floors[1].value),
        min(floors[0].dof, floors[1].dof),
    )
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


@custom_check("robbins-monro")
def robbins_monro_run(
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
        decision = robbins_monro(text)
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


@custom_check("averaging-boundary")
def averaging_boundary(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """SGD with eta_k = 1/(lam k) on the boundary-optimum instance (THEORY.md §2.4): the
    polynomial-decay average against its O(1/k) theorem (pass), the uniform average against
    O(1/k) (fail, "slower") and against its log(k)/k theorem (pass); the last iterate is
    drawn alongside with k E[F(w_k) - F*] in the metrics.

    Checkpoints start at ``first_checkpoint``: before it every iterate of a replicate can
    sit exactly on the optimum (the projection clips to it), so an average is exactly 0,
    which the float-floor rule would take for the floor of float64.
    """
    obj = make_objective(params["objective"])
    steps, replicates, seed = params["steps"], params["replicates"], params["seed"]
    polydecay = f"polydecay:gamma={params['gamma']}"
    checkpoints = geometric_checkpoints(steps)
    checkpoints = checkpoints[checkpoints >= params["first_checkpoint"]]
    trace = run(
        obj,
        "sgd",
        "1/(lam*k)",
        steps=steps,
        replicates=replicates,
        seed=seed,
        sampling="replacement",
        average=["uniform", polydecay],
        checkpoints=checkpoints,
    )
    decaying = verify_trace(trace, "sgd-sc-polydecay", objective=obj, average=polydecay)
    uniform_fast = verify_trace(trace, "O(1/k)", objective=obj, average="uniform")
    uniform_log = verify_trace(trace, "sgd-sc-uniform", objective=obj, average="uniform")
    parts = [
        part_of(f"{polydecay} average against sgd-sc-polydecay", decaying),
        part_of("uniform average against O(1/k)", uniform_fast, "fail", "slower"),
        part_of("uniform average against sgd-sc-uniform (log(k)/k)", uniform_log),
    ]
    verdict, label, reason = combine(parts)
    k = np.asarray(trace.k, dtype=np.float64)
    last_decade = k >= k[-1] / 10
    metrics: dict[str, Any] = {}
    for name, series in (
        (polydecay, trace.avg_gap[decaying.plan.average.label]),
        ("uniform", trace.avg_gap["uniform"]),
        ("last iterate", trace.gap),
    ):
        scaled = mean_estimate((series[:, last_decade] * k[last_decade]).mean(axis=1))
        first = mean_estimate((series[:, ~last_decade] * k[~last_decade]).mean(axis=1))
        metrics[f"{name}: k E gap, last decade"] = estimate_dict(scaled)
        metrics[f"{name}: k E gap, earlier decades"] = estimate_dict(first)
    curves = (
        verification_curve(decaying, f"{polydecay} average"),
        verification_curve(uniform_log, "uniform average"),
        replicate_curve("last iterate (drawn alongside, not tested)", k, trace.gap),
    )
    title = f"{obj.name}: F(w) = w + w^2/2 on [0, 1], SGD with eta_k = 1/(lam k), three iterates"
    return build(
        spec,
        verdict,
        label,
        reason,
        verdicts=[decaying, uniform_fast, uniform_log],
        panels=[Panel(title, curves)],
        metrics=metrics,
        expected_rate="O(1/k) (polydecay); log(k)/k (uniform)",
        exponent=exponent_of(decaying),
    )


@custom_check("plateau-schedule")
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
    log_ratio = mean_estimate(np.log(final["plateau"] / final["constant"]))
    part = below_zero(
        "plateau rule below the constant step",
        log_ratio,
        f"mean log(gap with the plateau rule / gap with eta0 = {eta0:g}) over the last "
        f"decade = {log_ratio.value:.3f} (R={constant.replicates}, paired)",
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
            "plateau / constant (last decade)": estimate_dict(exp_estimate(log_ratio)),
        },
        expected_rate="a lower final gap than the constant step",
    )
