"""Every built-in objective against the protocol of empirical.objectives.base.

Shapes, exact gradients (central finite differences), minibatch means, gap >= 0 and
gap(w*) = 0, agreement of gap with value - f*, and the registry's spec handling.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from empirical.objectives import OBJECTIVES, Ball, Box, Objective, objective, objective_keys
from theory.errors import InputError, UnknownNameError

SMALL = {
    "ridge": "ridge:n=60,d=4",
    "least-squares": "least-squares:n=60,d=5,rank=2",
    "logistic": "logistic:n=60,d=4",
    "hinge": "hinge:n=60,d=4",
    "lad": "lad:n=60,d=4",
    "quadratic": "quadratic:d=3,lam=0.5,L=8,sigma=2",
    "worst-case-gd": "worst-case-gd:N=3",
    "reddi": "reddi:C=5",
    "boundary": "boundary:s=2,w0=0.5",
    "beale": "beale",
    "valley": "valley",
    "saddle": "saddle",
}
NON_SMOOTH = {"hinge", "lad"}
"""Their per-sample losses have kinks; finite differences are taken away from them."""


def test_table_covers_every_objective():
    assert set(SMALL) == set(OBJECTIVES)


@pytest.fixture(scope="module", params=sorted(SMALL))
def obj(request) -> Objective:
    return objective(SMALL[request.param])


def points(obj: Objective, R: int, seed: int, scale: float = 0.5) -> np.ndarray:
    """R random points around w* (inside the domain, if any)."""
    rng = np.random.default_rng(seed)
    W = obj.w_star + scale * rng.standard_normal((R, obj.d))
    return W if obj.domain is None else obj.domain.project(W)


def test_declared_attributes(obj):
    assert obj.name in OBJECTIVES and OBJECTIVES[obj.name] is type(obj)
    assert obj.oracle in ("finite-sum", "gaussian", "deterministic")
    assert (obj.n is not None) == (obj.oracle == "finite-sum")
    assert obj.w_star.shape == obj.w0.shape == (obj.d,)
    assert isinstance(obj.f_star, float)
    assert not obj.w_star.flags.writeable
    assert all(isinstance(v, float) and np.isfinite(v) for v in obj.constants.values())
    assert obj.constants["R"] == pytest.approx(np.sqrt(obj.dist2(obj.w0[None, :])[0]), rel=1e-12)
    if obj.strongly_convex:
        assert obj.convex and obj.constants["lam"] > 0
    if obj.smooth and obj.name != "reddi":
        assert obj.constants["L"] > 0
    json.dumps(obj.describe())


def test_shapes(obj):
    W = points(obj, 5, seed=0)
    assert obj.value(W).shape == obj.gap(W).shape == obj.dist2(W).shape == (5,)
    assert obj.full_grad(W).shape == (5, obj.d)


def test_gap_and_dist_vanish_at_the_optimum(obj):
    at = obj.w_star[None, :]
    assert obj.gap(at)[0] == pytest.approx(0.0, abs=1e-14)
    assert obj.dist2(at)[0] == 0.0
    assert obj.value(at)[0] == pytest.approx(obj.f_star, rel=1e-14, abs=1e-15)


@pytest.mark.parametrize("scale", [1e-3, 0.3, 3.0])
def test_gap_is_nonnegative_and_equals_value_minus_f_star(obj, scale):
    W = points(obj, 20, seed=1, scale=scale)
    gap = obj.gap(W)
    assert np.all(gap >= 0)
    direct = obj.value(W) - obj.f_star
    assert np.allclose(gap, direct, rtol=1e-9, atol=1e-14 * (1 + abs(obj.f_star)))


def test_full_gradient_matches_central_differences(obj):
    W = points(obj, 4, seed=2)
    h = 1e-6
    fd = np.empty_like(W)
    for j in range(obj.d):
        step = np.zeros(obj.d)
        step[j] = h
        fd[:, j] = (obj.value(W + step) - obj.value(W - step)) / (2 * h)
    if obj.name in NON_SMOOTH:  # both have their kinks at x_i.w = y_i: none within h
        assert np.min(np.abs(obj.X @ W.T - obj.y[:, None])) > 1e-4
    assert np.allclose(obj.full_grad(W), fd, rtol=1e-6, atol=1e-7)


def test_minibatch_gradients(obj):
    """Finite sums: the mean over singleton batches and the full batch give full_grad."""
    W = points(obj, 3, seed=3)
    full = obj.full_grad(W)
    if obj.oracle == "finite-sum":
        singles = [obj.grad(W, np.full((3, 1), i)) for i in range(obj.n)]
        assert np.allclose(np.mean(singles, axis=0), full, rtol=1e-12, atol=1e-13)
        everything = np.broadcast_to(np.arange(obj.n), (3, obj.n))
        assert np.allclose(obj.grad(W, everything), full, rtol=1e-12, atol=1e-13)
        mixed = np.array([[0, 1], [1, 1], [2, 0]]) % obj.n
        expected = [
            (
                obj.grad(W[r : r + 1], mixed[r : r + 1, :1])
                + obj.grad(W[r : r + 1], mixed[r : r + 1, 1:])
            )
            / 2
            for r in range(3)
        ]
        assert np.allclose(obj.grad(W, mixed), np.concatenate(expected), rtol=1e-12)
    elif obj.oracle == "gaussian":
        batch = np.random.default_rng(4).standard_normal(W.shape)
        assert np.allclose(obj.grad(W, batch), full + obj.sigma * batch, rtol=1e-14)
    else:
        assert np.array_equal(obj.grad(W, None), full)


@pytest.mark.parametrize("name", sorted(set(SMALL) - NON_SMOOTH - {"reddi", "boundary"}))
def test_gradient_vanishes_at_the_optimum(name):
    """Smooth unconstrained problems (Reddi's optimum sits on the box's edge)."""
    obj = objective(SMALL[name])
    assert np.allclose(obj.full_grad(obj.w_star[None, :]), 0.0, atol=1e-12)


# -- domains ---------------------------------------------------------------------------

PROJECTIONS = [
    # (domain, point, projection)
    (Box(np.array([-1.0, 0.0]), np.array([1.0, 2.0])), [3.0, -1.0], [1.0, 0.0]),
    (Box(np.array([-1.0, 0.0]), np.array([1.0, 2.0])), [0.5, 1.0], [0.5, 1.0]),
    (Ball(np.array([1.0, 1.0]), 2.0), [4.0, 5.0], [1.0 + 1.2, 1.0 + 1.6]),
    (Ball(np.array([1.0, 1.0]), 2.0), [1.5, 0.5], [1.5, 0.5]),
    (Ball(np.array([0.0, 0.0]), 1.0), [0.0, 0.0], [0.0, 0.0]),
]


@pytest.mark.parametrize(("domain", "point", "expected"), PROJECTIONS)
def test_projection(domain, point, expected):
    W = np.array([point, point])
    assert np.allclose(domain.project(W), [expected, expected], rtol=1e-15)


def test_reddi_lives_on_its_box():
    obj = objective("reddi")
    assert isinstance(obj.domain, Box)
    assert np.array_equal(obj.domain.project(np.array([[-3.0], [0.2], [7.0]]))[:, 0], [-1, 0.2, 1])


# -- the registry ----------------------------------------------------------------------


def test_spec_values_reach_the_objective():
    obj = objective("ridge:n=30,d=3,lam=0.5,noise=0,seed=7")
    assert (obj.n, obj.d, obj.reg) == (30, 3, 0.5)
    assert obj.params == {"n": 30, "d": 3, "noise": 0.0, "seed": 7, "lam": 0.5}
    assert objective(obj) is obj


def test_same_seed_same_data_other_seed_other_data():
    a, b, c = (objective(f"logistic:n=20,d=3,seed={s}") for s in (1, 1, 2))
    assert np.array_equal(a.X, b.X) and not np.array_equal(a.X, c.X)


@pytest.mark.parametrize("name", sorted(SMALL))
def test_keys_are_the_constructor_parameters(name):
    keys = objective_keys(name)
    allowed = f"one of {', '.join(keys)}$" if keys else "no keys$"
    pattern = f"^objective '{name}': key = 'bogus' is not allowed; expected {allowed}"
    with pytest.raises(UnknownNameError, match=pattern):
        objective(f"{name}:bogus=1")


BAD_SPECS = [
    # (spec, error type, message pattern)
    (
        "ridgee",
        UnknownNameError,
        "^objective: name = 'ridgee' is not allowed; expected one of ridge, least-squares, "
        ".*did you mean 'ridge'",
    ),
    ("nothing-like-it", UnknownNameError, "expected one of ridge, least-squares, logistic"),
    ("", InputError, "^objective: spec = '' is not allowed; expected 'NAME"),
    ("ridge:n", InputError, "key=value"),
    (
        "ridge:n=0",
        InputError,
        "^objective 'ridge': n = 0 is not allowed; expected an integer >= 1$",
    ),
    ("ridge:n=2.5", InputError, r"n = 2\.5 is not allowed; expected an integer >= 1"),
    ("ridge:n=true", InputError, "n = True is not allowed; expected an integer >= 1"),
    ("ridge:lam=-1", InputError, "lam = -1 is not allowed; expected a finite number >= 0"),
    ("ridge:lam=abc", InputError, "lam = 'abc' is not allowed; expected a finite number >= 0"),
    ("ridge:noise=inf", InputError, "noise = inf is not allowed; expected a finite number >= 0"),
    ("ridge:seed=-3", InputError, "seed = -3 is not allowed; expected an integer >= 0"),
    ("ridge:lam=0,n=3,d=5", InputError, "lam = 0 is not allowed; .*singular or nearly so"),
    ("logistic:lam=0", InputError, "lam = 0 is not allowed; expected a finite number > 0"),
    ("hinge:lam=-0.1", InputError, "lam = -0.1 is not allowed; expected a finite number > 0"),
    ("least-squares:d=4,rank=4", InputError, r"rank = 4 is not allowed; .*\[1, d - 1\] = \[1, 3\]"),
    ("least-squares:d=1", InputError, "d = 1 is not allowed; expected an integer >= 2"),
    ("lad:n=3,d=3", InputError, "n > d"),
    ("quadratic:L=2", InputError, "L = 2 is not allowed; expected L = lam = 1 when d = 1"),
    ("quadratic:d=3,lam=2,L=1", InputError, "L = 1 is not allowed; expected a finite number >= 2"),
    ("quadratic:sigma=-1", InputError, "sigma = -1 is not allowed; expected a finite number >= 0"),
    ("worst-case-gd:N=0", InputError, "N = 0 is not allowed; expected an integer >= 1"),
    ("worst-case-gd:L=0", InputError, "L = 0 is not allowed; expected a finite number > 0"),
    ("reddi:C=2", InputError, "C = 2 is not allowed; expected a finite number > 2$"),
    ("valley:L=0.01", InputError, "L = 0.01 is not allowed; expected a finite number >= 0.05"),
    ("ridge:data=x.npz,n=5", InputError, "n = 5 is not allowed; expected no value when 'data'"),
    (
        "least-squares:data=x.npz,rank=2",
        InputError,
        "rank = 2 is not allowed; expected no value when 'data'",
    ),
]


@pytest.mark.parametrize(("spec", "error", "pattern"), BAD_SPECS)
def test_bad_specs(spec, error, pattern):
    with pytest.raises(error, match=pattern):
        objective(spec)


def test_non_string_spec():
    with pytest.raises(
        InputError, match=r"^objective: spec = 3 is not allowed; expected a spec 'NAME"
    ):
        objective(3)  # type: ignore[arg-type]


@pytest.mark.parametrize("name", ["ridge", "logistic", "hinge", "lad"])
def test_blockwise_evaluation_matches_one_pass(name):
    """n = 3000 rows and R = 50 replicates span several row blocks."""
    obj = objective(f"{name}:n=3000,d=3")
    W = points(obj, 50, seed=5)
    losses = obj._loss(obj.X @ W.T, obj.y[:, None])
    regularizer = 0.5 * obj.reg * np.sum(W * W, axis=1)
    assert np.allclose(obj.value(W), losses.mean(axis=0) + regularizer, rtol=1e-13)
    grads = obj._dloss(obj.X @ W.T, obj.y[:, None]).T @ obj.X / obj.n + obj.reg * W
    assert np.allclose(obj.full_grad(W), grads, rtol=1e-12, atol=1e-14)
    assert np.allclose(obj.gap(W), obj.value(W) - obj.f_star, rtol=1e-10)
