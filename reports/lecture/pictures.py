"""The lecture's pictures: trajectories of five optimizers on three 2-D functions (claim 14).

:func:`trajectories`: SGD, momentum, Nesterov, RMSprop and Adam from the same start on
Beale's function, a long narrow valley and a saddle, drawn over the function's level sets
(after Alec Radford's animations shown in the lecture). A picture, not a test.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from empirical import objective as make_objective
from empirical import optimizer as make_optimizer
from empirical.objectives.base import Objective
from empirical.optimizers.base import Optimizer
from reports.lecture.common import build, rounded
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel

GRID = 80
"""Points per axis of the level-set grid."""
LEVEL_FLOOR = 1e-3
"""The level sets are those of log10(F - F* + LEVEL_FLOOR)."""
ESCAPE = 1e3
"""A path stops once a coordinate leaves [-ESCAPE, ESCAPE] or is not finite."""


def trajectory(obj: Objective, opt: Optimizer, lr: float, steps: int) -> np.ndarray:
    """The iterates w_0, w_1, ..., w_K (rows) of ``opt`` with the constant step ``lr``
    on the exact gradient of a deterministic objective; cut before a non-finite or
    escaping iterate."""
    W = np.asarray(obj.w0, dtype=np.float64)[None, :].copy()
    state = opt.init(W)
    path = [W[0].copy()]
    for _ in range(steps):
        grad = obj.grad(opt.lookahead(state, W), None)
        W, state = opt.update(grad, state, W, lr)
        if not (np.all(np.isfinite(W)) and np.max(np.abs(W)) <= ESCAPE):
            break
        path.append(W[0].copy())
    return np.array(path)


def level_sets(obj: Objective) -> dict[str, Any]:
    """``{"x", "y", "z", "z_label"}``: log10(F - F* + LEVEL_FLOOR) on a GRID x GRID grid
    over the objective's ``contour_box``; z[i][j] is the value at (x[j], y[i])."""
    xmin, xmax, ymin, ymax = obj.contour_box  # type: ignore[attr-defined]
    x, y = np.linspace(xmin, xmax, GRID), np.linspace(ymin, ymax, GRID)
    X, Y = np.meshgrid(x, y)
    gap = obj.gap(np.column_stack([X.ravel(), Y.ravel()])).reshape(GRID, GRID)
    return {
        "x": x.tolist(),
        "y": y.tolist(),
        "z": np.log10(gap + LEVEL_FLOOR).tolist(),
        "z_label": f"log10(F - F* + {LEVEL_FLOOR:g})",
    }


def trajectories(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """One panel per function of ``params["functions"]`` (objective spec -> ``steps`` and
    ``optimizers``: optimizer spec -> constant step): each optimizer's path from the
    objective's start (``style="path"``: x in ``k``, y in ``mean``) over the level sets;
    the final gap of each path in the metrics."""
    panels, metrics = [], {}
    for name, setup in params["functions"].items():
        obj = make_objective(name)
        curves = []
        for opt_spec, lr in setup["optimizers"].items():
            path = trajectory(obj, make_optimizer(opt_spec), float(lr), int(setup["steps"]))
            final = float(obj.gap(path[-1:])[0])
            metrics[f"{name}: {opt_spec} (lr={lr:g}), F - F* after {len(path) - 1} steps"] = (
                rounded(final)
            )
            curves.append(
                Curve(
                    label=f"{opt_spec}, lr={lr:g}",
                    k=path[:, 0].tolist(),
                    mean=path[:, 1].tolist(),
                    style="path",
                    x_label="w[0]",
                    y_label="w[1]",
                )
            )
        panels.append(
            Panel(
                f"{name}: {setup['steps']} steps from w0 = {np.round(obj.w0, 3).tolist()}, "
                f"minimum at {np.round(obj.w_star, 3).tolist()}",
                tuple(curves),
                contour=level_sets(obj),
            )
        )
    return build(
        spec,
        "picture",
        None,
        "Trajectories only: no rate is claimed, so there is no verdict.",
        panels=panels,
        metrics=metrics,
    )


TRAJECTORIES = CheckSpec(
    id="c14-trajectories",
    title="Trajectories on Beale's function, a long valley and a saddle",
    claim=(
        "Pictures, no verdict: the paths of SGD, momentum, Nesterov, RMSprop and Adam "
        "from the same start on three 2-D functions."
    ),
    kind="custom",
    function=trajectories,
    params={
        "functions": {
            "beale": {
                "steps": 500,
                "optimizers": {
                    "sgd": 0.005,
                    "momentum:beta=0.9": 0.001,
                    "nesterov:beta=0.9": 0.001,
                    "rmsprop:beta2=0.99": 0.01,
                    "adam": 0.05,
                },
            },
            "valley": {
                "steps": 60,
                "optimizers": {
                    "sgd": 1.8,
                    "momentum:beta=0.9": 0.1,
                    "nesterov:beta=0.9": 0.1,
                    "rmsprop:beta2=0.99": 0.1,
                    "adam": 0.3,
                },
            },
            "saddle": {
                "steps": 80,
                "optimizers": {
                    "sgd": 0.1,
                    "momentum:beta=0.9": 0.02,
                    "nesterov:beta=0.9": 0.02,
                    "rmsprop:beta2=0.99": 0.02,
                    "adam": 0.05,
                },
            },
        }
    },
    expect="picture",
    section="14. Trajectories",
)


CHECKS: tuple[CheckSpec, ...] = (TRAJECTORIES,)
"""The checks of this topic."""
