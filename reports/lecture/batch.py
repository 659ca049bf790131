"""The lecture's claims about batch gradient descent (claim 6).

* gradient descent with step 1/L converges linearly on a strongly convex smooth problem (a
  ``verify`` check).
* :func:`gd_worst_case`: gradient descent on Drori and Teboulle's worst function attains
  L R^2/(4N + 2) at every horizon N, hence the order 1/N.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import run
from empirical.runner.trace import geometric_checkpoints
from empirical.verdicts import RateShape, check_constant, check_upper
from empirical.verification.binding import bound_curve
from reports.lecture.common import Part, build, combine, line, replicate_curve, rounded
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel
from theory.catalog import get_theorem

GD_LINEAR = CheckSpec(
    id="c06a-gd-linear",
    title="Batch GD converges linearly on a strongly convex smooth problem",
    claim=(
        "Gradient descent with exact gradients and step 1/L on a lam-strongly convex, "
        "L-smooth problem (a quadratic with curvatures lam = 0.1 and L = 1) converges "
        "linearly: F(w_k) - F* <= (L R^2/2)(1 - lam/L)^k."
    ),
    kind="verify",
    params={
        "objective": "quadratic:d=2,lam=0.1,L=1,sigma=0",
        "optimizer": "sgd",
        "schedule": "1/L",
        "expect": "gd-sc-smooth",
        "steps": 1_000,
        "replicates": 2,
        "seed": 0,
    },
    theorem="gd-sc-smooth",
    quick={"steps": 1_000},
    section="6. Batch gradient descent",
)


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


GD_WORST_CASE = CheckSpec(
    id="c06b-gd-worst-case",
    title="Batch GD on smooth convex problems: O(1/k), tight",
    claim=(
        "Gradient descent with step 1/L on an L-smooth convex function is O(1/k), and "
        "the constant is tight: on Drori and Teboulle's worst function for horizon N it "
        "ends at exactly L R^2/(4N + 2)."
    ),
    kind="custom",
    function=gd_worst_case,
    params={"L": 1.0, "R": 1.0, "largest": 3000, "per_decade": 5},
    theorem="gd-smooth-convex-tight",
    quick={"largest": 1000},
    section="6. Batch gradient descent",
)


CHECKS: tuple[CheckSpec, ...] = (
    GD_LINEAR,
    GD_WORST_CASE,
)
"""The checks of this topic."""
