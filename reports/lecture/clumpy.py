"""The lecture's claim about clumpy data (claim 7).

:func:`clumpy_data`: at equal numbers of gradient evaluations SGD is far ahead of batch
gradient descent on clumped data, and still ahead (by less) on diverse data.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from empirical import run
from empirical.fitting.inference import mean_estimate
from empirical.objectives import Logistic
from empirical.runner.trace import geometric_checkpoints
from empirical.verdicts import difference, exp_of
from reports.lecture.common import below_zero, build, combine, estimate_dict, replicate_curve
from reports.suite.model import CheckResult, CheckSpec, Panel


def clumped_classification(
    spread: float, n: int, d: int, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """x_i = e_1 + spread z_i (z_i ~ N(0, I_d)), labels y_i = sign(x_i.u) with u_1 = 1 and
    the rest of u ~ N(0, 1): a small spread clumps the data (and their gradients) tightly
    around one point."""
    rng = np.random.default_rng(seed)
    center = np.zeros(d)
    center[0] = 1.0
    X = center + spread * rng.standard_normal((n, d))
    u = rng.standard_normal(d)
    u[0] = 1.0
    return X, np.where(X @ u >= 0.0, 1.0, -1.0)


def clumpy_data(
    spec: CheckSpec, params: dict[str, Any], *, progress: bool | None = None
) -> CheckResult:
    """Batch GD (step 1/L, one update per n gradient evaluations) against SGD (constant
    step 1/Lmax, one update per evaluation) on L2-regularized logistic regression, at equal
    budgets of e epochs (e n evaluations), on clumped and on diverse data.

    Parts, at the first budget (one epoch): SGD's gap is below GD's on clumped data and on
    diverse data (one-sided t-tests over SGD replicates of log(SGD gap / GD gap); GD is
    deterministic), and the advantage is larger on clumped data (Welch-type test on the
    difference of the mean log ratios).
    """
    n, d, epochs = params["n"], params["d"], params["epochs"]
    replicates, seed = params["replicates"], params["seed"]
    budgets = [e for e in params["budgets"] if e <= epochs]
    logs: dict[str, np.ndarray] = {}
    panels, metrics = [], {}
    for name, spread in (("clumped", params["clumped"]), ("diverse", params["diverse"])):
        X, y = clumped_classification(spread, n, d, params["data_seed"])
        obj = Logistic(lam=params["lam"], data=(X, y))
        gd = run(
            obj,
            "sgd",
            "1/L",
            steps=epochs,
            replicates=2,
            seed=seed,
            batch_size=n,
            checkpoints=range(epochs + 1),
        )
        step = 1.0 / obj.constants["Lmax"]
        sgd = run(
            obj,
            "sgd",
            step,
            steps=epochs * n,
            replicates=replicates,
            seed=seed,
            checkpoints=np.union1d(geometric_checkpoints(epochs * n), n * np.arange(epochs + 1)),
        )
        at_budget = [int(np.flatnonzero(sgd.k == e * n)[0]) for e in budgets]
        ratio = np.log(sgd.gap[:, at_budget] / gd.gap[0, budgets])
        logs[name] = ratio[:, 0]
        for j, e in enumerate(budgets):
            metrics[f"{name}: SGD gap / GD gap after {e} epoch(s)"] = estimate_dict(
                exp_of(mean_estimate(ratio[:, j]))
            )
        evaluations = np.arange(epochs + 1, dtype=np.float64) * n
        panels.append(
            Panel(
                f"{name} data (spread {spread:g}, n={n}, d={d}): gap against gradient evaluations",
                (
                    replicate_curve(
                        "batch GD, eta = 1/L (one update per epoch)",
                        evaluations[1:],
                        gd.gap[:1, 1:],
                        x_label="gradient evaluations",
                    ),
                    replicate_curve(
                        f"SGD, eta = 1/Lmax = {step:.3g} (R={replicates})",
                        sgd.k[1:],
                        sgd.gap[:, 1:],
                        x_label="gradient evaluations",
                    ),
                ),
            )
        )
    first = budgets[0]
    parts = [
        below_zero(
            f"clumped data: SGD ahead of GD after {first} epoch(s)",
            mean_estimate(logs["clumped"]),
            f"mean log(SGD gap / GD gap) = {logs['clumped'].mean():.3f}",
        ),
        below_zero(
            f"diverse data: SGD still ahead of GD after {first} epoch(s)",
            mean_estimate(logs["diverse"]),
            f"mean log(SGD gap / GD gap) = {logs['diverse'].mean():.3f}",
        ),
        below_zero(
            "the advantage is larger on clumped data",
            difference(mean_estimate(logs["clumped"]), mean_estimate(logs["diverse"])),
            "difference of the mean log ratios, clumped - diverse = "
            f"{logs['clumped'].mean() - logs['diverse'].mean():.3f}",
        ),
    ]
    verdict, label, reason = combine(parts)
    return build(
        spec,
        verdict,
        label,
        reason,
        panels=panels,
        metrics=metrics,
        expected_rate="SGD gap / GD gap < 1 after one epoch, smaller on clumped data",
    )


CLUMPY_DATA = CheckSpec(
    id="c07-clumpy-data",
    title="SGD against batch GD at equal gradient evaluations",
    claim=(
        "For the same number of gradient evaluations SGD makes n updates where batch "
        "GD makes one: when the data are tightly clumped (their gradients nearly agree) "
        "SGD is far ahead after one epoch; on diverse data it is still ahead, by less."
    ),
    kind="custom",
    function=clumpy_data,
    params={
        "n": 1000,
        "d": 10,
        "lam": 0.01,
        "clumped": 0.05,
        "diverse": 1.0,
        "epochs": 20,
        "budgets": [1, 2, 5, 10, 20],
        "replicates": 20,
        "seed": 0,
        "data_seed": 0,
    },
    quick={"epochs": 5, "replicates": 10},
    section="7. Clumpy data: SGD against batch GD",
)


CHECKS: tuple[CheckSpec, ...] = (CLUMPY_DATA,)
"""The checks of this topic."""
