"""The objective added for the lecture suite: the boundary optimum of THEORY.md §2.4."""

from __future__ import annotations

import numpy as np
import pytest

from empirical import run
from empirical.objectives import OBJECTIVES, BoundaryOptimum, Box, objective
from theory.errors import InputError

CASES = [
    # (spec, s, w0)
    ("boundary", 4.0, 1.0),
    ("boundary:s=2,w0=0.25", 2.0, 0.25),
    ("boundary:s=0,w0=0", 0.0, 0.0),
]


def test_registered():
    assert OBJECTIVES["boundary"] is BoundaryOptimum


@pytest.mark.parametrize(("spec", "s", "w0"), CASES)
def test_constants_and_optimum(spec, s, w0):
    obj = objective(spec)
    assert (obj.n, obj.d, obj.oracle, obj.family) == (2, 1, "finite-sum", "linear-ls")
    assert isinstance(obj.domain, Box)
    assert obj.w_star.tolist() == [0.0] and obj.w0.tolist() == [w0]
    assert obj.f_star == pytest.approx(0.5 * (1 + s * s), rel=1e-15)
    c = obj.constants
    assert (c["lam"], c["L"], c["D"], c["R"]) == (1.0, 1.0, 1.0, w0)
    assert c["G"] ** 2 == pytest.approx(4 + s * s, rel=1e-14)
    assert c["sigma2_star"] == pytest.approx(1 + s * s, rel=1e-14)


@pytest.mark.parametrize(("spec", "s", "w0"), CASES)
def test_gap_value_and_gradients(spec, s, w0):
    obj = objective(spec)
    W = np.linspace(0.0, 1.0, 11)[:, None]
    w = W[:, 0]
    assert np.allclose(obj.gap(W), w + w * w / 2, rtol=0, atol=0)
    assert np.allclose(obj.value(W) - obj.f_star, obj.gap(W), rtol=1e-12, atol=1e-12)
    assert np.allclose(obj.full_grad(W)[:, 0], 1 + w, rtol=1e-14)
    plus = obj.grad(W, np.zeros((11, 1), dtype=np.int64))[:, 0]
    minus = obj.grad(W, np.ones((11, 1), dtype=np.int64))[:, 0]
    assert np.allclose(plus, 1 + w + s, rtol=1e-14) and np.allclose(minus, 1 + w - s, rtol=1e-14)


def test_second_moment_bound_is_attained_at_the_far_edge():
    """E g^2 = (1 + w)^2 + s^2 on [0, 1]: at most 4 + s^2 = G^2, reached at w = 1."""
    obj = objective("boundary:s=3")
    W = np.array([[0.0], [0.5], [1.0]])
    both = np.stack([obj.grad(W, np.full((3, 1), i))[:, 0] for i in (0, 1)])
    second = np.mean(both**2, axis=0)
    assert np.allclose(second, (1 + W[:, 0]) ** 2 + 9, rtol=1e-14)
    assert second[-1] == pytest.approx(obj.constants["G"] ** 2, rel=1e-14)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("boundary:w0=1.5", r"w0 = 1\.5 is not allowed; expected a number in \[0, 1\]"),
        ("boundary:w0=-0.1", r"w0 = -0\.1 is not allowed; expected a number in \[0, 1\]"),
        ("boundary:s=-1", "s = -1 is not allowed; expected a finite number >= 0"),
    ],
)
def test_bad_parameters(spec, message):
    with pytest.raises(InputError, match=message):
        objective(spec)


def test_compiled_kernel_matches_the_numpy_path():
    """Projected SGD on the box: the linear-ls kernel with the box domain, bit for bit."""
    options = {"steps": 300, "replicates": 4, "seed": 3, "sampling": "replacement"}
    fast = run("boundary", "sgd", "1/(lam*k)", kernel="compiled", **options)
    slow = run("boundary", "sgd", "1/(lam*k)", kernel="numpy", **options)
    assert np.array_equal(fast.gap, slow.gap)
    assert np.all(fast.gap >= 0) and np.all(np.sqrt(fast.dist2) <= 1.0)
