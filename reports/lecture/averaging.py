"""The lecture's claims about iterate averaging (claims 5 and 10).

* claim 5: averaged SGD with c/sqrt(k) is O(1/sqrt(k)) on a convex Lipschitz problem (a
  ``verify`` check).
* claim 10, :func:`averaging_boundary`: polynomial-decay averaging is O(1/k) where the
  uniform average is Theta(log k / k).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import run
from empirical.fitting.inference import mean_estimate
from empirical.runner.trace import geometric_checkpoints
from empirical.verification.verify import verify_trace
from reports.lecture.common import (
    build,
    combine,
    estimate_dict,
    exponent_of,
    part_of,
    replicate_curve,
)
from reports.suite.model import CheckResult, CheckSpec, Panel
from reports.suite.verification import verification_curve

# -- 5. convex non-smooth -----------------------------------------------------------------


CONVEX_AVERAGED = CheckSpec(
    id="c05-convex-averaged",
    title="Averaged SGD with c/sqrt(k) on a convex Lipschitz problem",
    claim=(
        "On a convex problem that is not strongly convex and whose optimum sits on a "
        "kink (a piecewise-linear finite sum over [-1, 1], optimum on the edge), SGD "
        "with eta_k = c/sqrt(k) has a uniform average with E[F] - F* = O(1/sqrt(k)), "
        "below the theorem's bound about (D^2/(2c) + c G^2)/sqrt(k) with D = 2, G = 3."
    ),
    kind="verify",
    params={
        "objective": "reddi:C=3",
        "optimizer": "sgd",
        "schedule": "2/sqrt(k)",
        "expect": "sgd-convex-uniform",
        "steps": 100_000,
        "replicates": 30,
        "seed": 0,
        "sampling": "replacement",
        "average": "uniform",
    },
    theorem="sgd-convex-uniform",
    quick={"replicates": 20},
    section="5. SGD on convex non-smooth problems",
)


# -- 10. polynomial-decay averaging -------------------------------------------------------


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


POLYDECAY_AVERAGING = CheckSpec(
    id="c10-polydecay-averaging",
    title="Polynomial-decay averaging is O(1/k) where the uniform average is not",
    claim=(
        "On a strongly convex problem whose optimum sits on the boundary (F(w) = w + "
        "w^2/2 on [0, 1], gradient noise +-4), SGD with eta_k = 1/(lam k) averaged with "
        "polynomial decay (gamma = 3) converges as O(1/k), while the uniform average is "
        "slower than 1/k (log(k)/k)."
    ),
    kind="custom",
    function=averaging_boundary,
    params={
        "objective": "boundary",
        "gamma": 3,
        "steps": 100_000,
        "replicates": 100,
        "first_checkpoint": 20,
        "seed": 0,
    },
    theorem="sgd-sc-polydecay",
    quick={"replicates": 60},
    section="10. Iterate averaging",
)


CHECKS: tuple[CheckSpec, ...] = (
    CONVEX_AVERAGED,
    POLYDECAY_AVERAGING,
)
"""The checks of this topic."""
