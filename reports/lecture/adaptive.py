"""The lecture's claim about adaptive methods: Reddi, Kale and Kumar's problem (claim 12).

:func:`reddi_counterexample`: on f_t(x) = C x (t = 1 mod 3) or -x otherwise over [-1, 1],
visited in that cyclic order, RMSprop and Adam with beta1 = 0, beta2 = 1/(1 + C^2) and
alpha_k = alpha/sqrt(k) do not converge (they settle at the worst point x = +1), while
AMSGrad and SGD converge to x* = -1 (Reddi et al. 2018, Thm 1; THEORY.md §8.3).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import run
from empirical.verdicts import STALL_SLOPE
from empirical.verification.verify import verify_trace
from reports.lecture.common import Part, build, combine, part_of, rounded
from reports.suite.model import CheckResult, CheckSpec, Panel
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


CHECKS: tuple[CheckSpec, ...] = (ADAPTIVE_REDDI,)
"""The checks of this topic."""
