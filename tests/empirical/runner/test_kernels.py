"""The compiled kernel implements the documented updates: it agrees with the numpy path.

The numpy path calls each objective's ``grad`` and each optimizer's ``update`` (both
tested against hand-written references in their own test files); the kernel re-implements
them in numba. Same seed, same draws: the two must agree to ~1e-12 relative for every
(family, optimizer) pair, with projections, averages and divergence included.
"""

from __future__ import annotations

from functools import cache

import numba
import numpy as np
import pytest

from empirical.objectives import OBJECTIVES, objective
from empirical.objectives.base import Ball, Objective
from empirical.optimizers import OPTIMIZERS, optimizer
from empirical.optimizers.base import Optimizer
from empirical.runner import kernels
from empirical.runner.loop import run
from empirical.runner.trace import Trace
from theory.errors import InputError

# spec, schedule, batch size, sampling
FAMILIES = {
    "linear-ls": ("ridge:n=40,d=3,lam=0.1", "0.3/(L*sqrt(k))", 1, "shuffle"),
    "linear-ls (rank-deficient)": ("least-squares:n=40,d=4,rank=2", "0.5/L", 3, "replacement"),
    "linear-ls (box, optimum on its edge)": ("boundary", "1/(lam*k)", 1, "replacement"),
    "logistic": ("logistic:n=40,d=3,lam=0.1", "1/(L*sqrt(k))", 2, "shuffle"),
    "hinge": ("hinge:n=40,d=3,lam=0.1", "1/(lam*k + 10)", 1, "shuffle"),
    "lad": ("lad:n=40,d=3", "0.3/sqrt(k)", 4, "cyclic"),
    "lad (ball)": ("lad:n=40,d=3,radius=1.5", "3/sqrt(k)", 1, "replacement"),
    "hinge (ball)": ("hinge:n=40,d=3,lam=0.1,radius=4.5", "1/(lam*k)", 1, "shuffle"),
    "quadratic": ("quadratic:d=3,lam=0.5,L=2,sigma=0.3", "1/(L*sqrt(k))", 5, "shuffle"),
    "huber": ("worst-case-gd:L=2,R=1,N=50", "1/L", 1, "shuffle"),
    "reddi": ("reddi:C=3", "0.5/sqrt(k)", 1, "cyclic"),
}

OPTIMIZER_SPECS = [
    "sgd",
    "momentum:beta=0.5",
    "nesterov",
    "nesterov:beta=auto",
    "nesterov:convention=sutskever,beta=0.7",
    "nesterov:convention=sutskever,beta=auto",
    "adagrad",
    "rmsprop",
    "adadelta",
    "adam",
    "adam:bias_correction=false,beta1=0.5",
    "adamax",
    "amsgrad",
    "amsgrad:bias_correction=true",
    "rprop",
    "rprop:eta_minus=0.3,eta_plus=1.5,step_min=0.01,step_max=0.2",
]

AVERAGES = ["uniform", "suffix:alpha=0.3", "polydecay:gamma=2"]


@cache
def _objective(spec: str) -> Objective:
    return objective(spec)


def _both(obj: Objective, opt: str | Optimizer, schedule: str, **kw: object) -> tuple[Trace, Trace]:
    common = {"steps": 300, "replicates": 3, "seed": 5, "average": AVERAGES, **kw}
    compiled = run(obj, opt, schedule, kernel="compiled", **common)
    numpy = run(obj, opt, schedule, kernel="numpy", **common)
    assert (compiled.config["kernel"], numpy.config["kernel"]) == ("compiled", "numpy")
    return compiled, numpy


def _assert_agree(compiled: Trace, numpy: Trace, rtol: float = 1e-12) -> None:
    np.testing.assert_array_equal(compiled.diverged_at, numpy.diverged_at)
    np.testing.assert_allclose(compiled.gap, numpy.gap, rtol=rtol, atol=1e-300)
    np.testing.assert_allclose(compiled.dist2, numpy.dist2, rtol=rtol, atol=1e-300)
    for label in compiled.averages:
        np.testing.assert_allclose(compiled.avg_gap[label], numpy.avg_gap[label], rtol=rtol)
        np.testing.assert_allclose(compiled.avg_dist2[label], numpy.avg_dist2[label], rtol=rtol)


@pytest.mark.parametrize("opt", OPTIMIZER_SPECS)
@pytest.mark.parametrize("family", FAMILIES)
def test_compiled_agrees_with_numpy(family: str, opt: str) -> None:
    spec, schedule, b, sampling = FAMILIES[family]
    obj = _objective(spec)
    compiled, numpy = _both(obj, opt, schedule, batch_size=b, sampling=sampling)
    assert not compiled.diverged.any()
    _assert_agree(compiled, numpy)
    moved = compiled.dist2[:, -1] != obj.dist2(obj.w0[None, :])[0]
    assert moved.all()  # the check compares iterates that actually moved


def test_every_builtin_optimizer_and_family_has_a_kernel() -> None:
    assert set(kernels.OPTIMIZER_SLOTS) == set(OPTIMIZERS)
    families = {cls.family for cls in OBJECTIVES.values()}
    assert families - set(kernels.FAMILY_CODES) == {"beale", "valley", "saddle"}
    assert {spec[0].split(":")[0] for spec in FAMILIES.values()} >= {
        name for name, cls in OBJECTIVES.items() if cls.family in kernels.FAMILY_CODES
    }


def test_projection_onto_a_ball() -> None:
    obj = objective("ridge:n=40,d=3,lam=0.1,seed=3")
    radius = 0.4 * float(np.linalg.norm(obj.w_star))
    obj.domain = Ball(center=np.zeros(3), radius=radius)  # w0 = 0 inside, w* outside
    compiled, numpy = _both(obj, "sgd", "1/L")
    _assert_agree(compiled, numpy)
    floor = (float(np.linalg.norm(obj.w_star)) - radius) ** 2
    assert np.all(compiled.dist2 >= floor * (1 - 1e-12))  # unprojected, SGD would pass it


def test_divergence_is_recorded_identically() -> None:
    obj = _objective("ridge:n=40,d=3,lam=0.1")
    compiled, numpy = _both(obj, "sgd", "30/L", checkpoints=range(301))
    _assert_agree(compiled, numpy)
    assert compiled.diverged.all()
    for r, at in enumerate(compiled.diverged_at):
        assert np.all(np.isnan(compiled.gap[r, at:])) and np.all(np.isfinite(compiled.gap[r, :at]))
        assert np.all(np.isnan(compiled.avg_gap["uniform"][r, at:]))


# starts (d = 4) that a negligible step leaves in place: ||w|| against the limit 1e100
# (the kernel forms ||w|| only when some |w_i| > 1e100 / sqrt(4) = 0.5e100)
LIMIT_CASES = [
    ([0.45e100, 0.45e100, 0.45e100, 0.45e100], False),  # ||w|| = 0.9e100
    ([0.6e100, 0.1e100, 0.0, 0.0], False),  # |w_1| > 0.5e100, ||w|| = 0.61e100
    ([0.6e100, 0.6e100, 0.6e100, 0.6e100], True),  # each |w_i| < 1e100, ||w|| = 1.2e100
    ([0.99e100, 0.0, 0.0, 0.0], False),
    ([1.01e100, 0.0, 0.0, 0.0], True),
]


@pytest.mark.parametrize(("start", "diverges"), LIMIT_CASES)
def test_divergence_is_the_norm_exceeding_the_limit(start: list[float], diverges: bool) -> None:
    obj = _objective("ridge:n=40,d=4,lam=0.1")
    compiled, numpy = _both(obj, "sgd", "1e-300", w0=start, steps=3, replicates=2)
    np.testing.assert_array_equal(compiled.diverged_at, numpy.diverged_at)
    np.testing.assert_array_equal(compiled.diverged_at, [1, 1] if diverges else [-1, -1])


def test_user_optimizer_runs_the_numpy_path() -> None:
    builtin = optimizer("sgd")
    user = Optimizer(builtin.init, builtin.update, name="sgd", builtin=False)
    assert kernels.pack_optimizer(user) is None
    obj = _objective("ridge:n=40,d=3,lam=0.1")
    trace = run(obj, user, "0.1", steps=50, replicates=2, seed=0)
    assert trace.config["kernel"] == "numpy" and trace.config["optimizer"]["builtin"] is False
    reference = run(obj, "sgd", "0.1", steps=50, replicates=2, seed=0)
    np.testing.assert_allclose(trace.gap, reference.gap, rtol=1e-12)


def test_parallel_equals_serial_bit_for_bit() -> None:
    obj = _objective("logistic:n=40,d=3,lam=0.1")
    kw = {"steps": 500, "replicates": 7, "seed": 1, "batch_size": 2, "average": AVERAGES}
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        serial = run(obj, "adam", "0.1/sqrt(k)", **kw)
    finally:
        numba.set_num_threads(threads)
    parallel = run(obj, "adam", "0.1/sqrt(k)", **kw)
    np.testing.assert_array_equal(serial.gap, parallel.gap)
    np.testing.assert_array_equal(
        serial.avg_dist2["suffix(alpha=0.3)"], parallel.avg_dist2["suffix(alpha=0.3)"]
    )


def test_readonly_objective_data_are_copied_for_the_kernel() -> None:
    obj = _objective("ridge:n=40,d=3,lam=0.1")
    packed = kernels.pack_objective(obj)
    assert packed is not None
    assert packed.X.flags.writeable and packed.X.flags.c_contiguous
    np.testing.assert_array_equal(packed.X, obj.X)


def test_inconsistent_family_data_are_refused() -> None:
    obj = objective("ridge:n=40,d=3,lam=0.1")
    obj.kernel_data = lambda: {"X": obj.X[:, :2], "y": obj.y, "reg": obj.reg}
    with pytest.raises(
        InputError, match=r"kernel_data\['X'\] has shape \(40, 2\), expected \(40, 3\)"
    ):
        run(obj, "sgd", 0.1, steps=5, replicates=2, seed=0)
    assert (
        run(obj, "sgd", 0.1, steps=5, replicates=2, seed=0, kernel="numpy").config["kernel"]
        == "numpy"
    )
    obj.oracle = "gaussian"
    with pytest.raises(InputError, match="family 'linear-ls' needs oracle 'finite-sum'"):
        kernels.pack_objective(obj)


@pytest.mark.parametrize("family", ["lad (ball)", "hinge (ball)"])
def test_the_projected_families_touch_their_ball(family: str) -> None:
    spec, schedule, b, sampling = FAMILIES[family]
    ball = _objective(spec)
    free = objective(spec.rsplit(",radius=", 1)[0])
    options = {"steps": 300, "replicates": 3, "seed": 5, "batch_size": b, "sampling": sampling}
    projected, unprojected = (
        run(ball, "sgd", schedule, **options),
        run(free, "sgd", schedule, **options),
    )
    assert not np.allclose(projected.dist2, unprojected.dist2)  # the projection acted
    reach = ball.domain.radius + float(np.linalg.norm(ball.w_star))
    assert np.all(np.sqrt(projected.dist2) <= reach * (1 + 1e-12))
    assert np.sqrt(unprojected.dist2).max() > reach
