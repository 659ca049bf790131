"""The model problems: noisy quadratic, Drori-Teboulle's Huber, Reddi's counterexample,
and the 2-D pictures (Beale, valley, saddle)."""

from __future__ import annotations

import numpy as np
import pytest

from empirical.objectives import objective

# -- noisy quadratic -------------------------------------------------------------------

QUADRATICS = [
    # (spec, curvatures)
    ("quadratic", [1.0]),
    ("quadratic:lam=0.5,sigma=3", [0.5]),
    ("quadratic:d=3,lam=1,L=100", [1.0, 10.0, 100.0]),
    ("quadratic:d=4,lam=2,L=2", [2.0, 2.0, 2.0, 2.0]),
]


@pytest.mark.parametrize(("spec", "curvatures"), QUADRATICS)
def test_quadratic_spectrum_and_constants(spec, curvatures):
    obj = objective(spec)
    assert np.allclose(obj.h, curvatures, rtol=1e-14)
    c = obj.constants
    assert (c["lam"], c["L"]) == (min(curvatures), max(curvatures))
    assert c["sigma"] == pytest.approx(obj.params["sigma"] * np.sqrt(obj.d), rel=1e-15)
    assert c["R"] == pytest.approx(np.linalg.norm(obj.w0 - obj.w_star), rel=1e-14)
    assert c["R"] == obj.params["r0"] == c["G_radius"]
    assert obj.kernel_data()["sigma"] == obj.params["sigma"]


def test_quadratic_noise_has_the_declared_variance():
    """E||g - grad F||^2 = sigma^2 / b when the runner passes batch = z / sqrt(b)."""
    obj = objective("quadratic:d=3,lam=1,L=4,sigma=2")
    b, R = 4, 200_000
    rng = np.random.default_rng(0)
    W = np.broadcast_to(obj.w0, (R, 3))
    noise = obj.grad(W, rng.standard_normal((R, 3)) / np.sqrt(b)) - obj.full_grad(W)
    variance = np.mean(np.sum(noise**2, axis=1))
    assert variance == pytest.approx(obj.constants["sigma"] ** 2 / b, rel=0.01)


def test_quadratic_gradient_bound_on_the_ball():
    """G^2 = L^2 R^2 + sigma^2 is E||g||^2 at the worst point of B(w*, R), for b = 1."""
    obj = objective("quadratic:d=2,lam=1,L=3,sigma=0.5,r0=2")
    worst = obj.w_star + np.array([0.0, 2.0])  # along the stiffest axis
    second_moment = np.sum(obj.full_grad(worst[None, :]) ** 2) + obj.constants["sigma"] ** 2
    assert obj.constants["G"] ** 2 == pytest.approx(second_moment, rel=1e-14)


def test_quadratic_seed_moves_the_optimum_and_the_start():
    a, b = objective("quadratic:d=2,seed=1"), objective("quadratic:d=2,seed=2")
    assert not np.allclose(a.w_star, b.w_star)
    assert np.linalg.norm(a.w0 - a.w_star) == pytest.approx(1.0, rel=1e-14)


# -- Drori-Teboulle --------------------------------------------------------------------


@pytest.mark.parametrize("N", [1, 10, 100])
@pytest.mark.parametrize(("L", "R"), [(1.0, 1.0), (3.0, 0.5), (0.2, 7.0)])
def test_gradient_descent_attains_the_worst_case_exactly(N, L, R):
    obj = objective(f"worst-case-gd:L={L},R={R},N={N}")
    x = obj.w0[None, :]
    for _ in range(N):
        x = x - obj.full_grad(x) / L
    assert x[0, 0] == pytest.approx(R * (N + 1) / (2 * N + 1), rel=1e-12)
    assert obj.gap(x)[0] == pytest.approx(L * R**2 / (4 * N + 2), rel=1e-12)
    assert obj.worst_case_gap() == pytest.approx(L * R**2 / (4 * N + 2), rel=1e-15)


def test_worst_case_huber_is_continuous_and_l_smooth():
    obj = objective("worst-case-gd:L=2,R=3,N=4")
    tau = obj.tau
    assert tau == pytest.approx(3 / 9)
    just = np.array([[tau * (1 - 1e-12)], [tau], [-tau]])
    assert np.allclose(obj.value(just), 2 * tau**2 / 2, rtol=1e-10)
    X = np.linspace(-3, 3, 401)[:, None]
    slopes = np.diff(obj.full_grad(X)[:, 0]) / np.diff(X[:, 0])
    assert slopes.max() <= 2 + 1e-9 and slopes.min() >= -1e-12
    assert obj.constants["G"] == pytest.approx(np.abs(obj.full_grad(X)).max(), rel=1e-15)


# -- Reddi et al. ----------------------------------------------------------------------


@pytest.mark.parametrize("C", [3.0, 10.0])
def test_reddi_instance(C):
    obj = objective(f"reddi:C={C}")
    x = np.array([[-1.0], [0.0], [0.5], [1.0]])
    assert np.allclose(obj.value(x)[:, None], (C - 2) / 3 * x, rtol=1e-15)
    assert np.allclose(obj.gap(x)[:, None], (C - 2) / 3 * (x + 1), rtol=1e-15)
    assert obj.f_star == pytest.approx(-(C - 2) / 3, rel=1e-15)
    singles = [obj.grad(x, np.full((4, 1), i))[0, 0] for i in range(3)]
    assert singles == [C, -1.0, -1.0]
    cycle = np.broadcast_to([0, 1, 2], (4, 3))
    assert np.allclose(obj.grad(x, cycle), (C - 2) / 3)
    assert dict(obj.constants) == {"G": C, "D": 2.0, "R": 1.0}
    assert obj.kernel_data() == {"C": C}


def test_reddi_projected_sgd_reaches_the_optimum_with_cyclic_samples():
    obj = objective("reddi:C=3")
    x = obj.w0[None, :]
    for k in range(1, 3001):
        x = obj.domain.project(x - 0.5 / np.sqrt(k) * obj.grad(x, np.array([[(k - 1) % 3]])))
    assert obj.gap(x)[0] < 0.05


# -- the 2-D pictures ------------------------------------------------------------------


def gradient_descent(obj, eta: float, steps: int) -> np.ndarray:
    path = [obj.w0[None, :]]
    for _ in range(steps):
        path.append(path[-1] - eta * obj.full_grad(path[-1]))
    return np.concatenate(path)


@pytest.mark.parametrize("name", ["beale", "valley", "saddle"])
def test_pictures_frame_the_start_and_the_minimizer(name):
    obj = objective(name)
    xmin, xmax, ymin, ymax = obj.contour_box
    for w in (obj.w0, obj.w_star):
        assert xmin < w[0] < xmax and ymin < w[1] < ymax
    assert obj.d == 2 and obj.oracle == "deterministic"


def test_beale_minimum_and_descent_from_the_default_start():
    obj = objective("beale")
    assert obj.value(np.array([[3.0, 0.5]]))[0] == 0.0
    assert np.allclose(obj.full_grad(obj.w_star[None, :]), 0.0)
    path = gradient_descent(obj, eta=0.01, steps=5000)
    assert obj.dist2(path[-1:])[0] < 1e-12


def test_valley_is_the_rotated_quadratic():
    obj = objective("valley:lam=0.1,L=2,angle=45")
    A = obj.rotation @ np.diag([0.1, 2.0]) @ obj.rotation.T
    W = np.random.default_rng(1).standard_normal((5, 2))
    assert np.allclose(obj.value(W), 0.5 * np.einsum("rd,de,re->r", W, A, W), rtol=1e-14)
    assert np.allclose(np.linalg.eigvalsh(A), [0.1, 2.0], rtol=1e-14)
    assert np.allclose(obj.rotation[:, 0], [np.sqrt(0.5), np.sqrt(0.5)])  # the floor's direction
    assert obj.constants["R"] == pytest.approx(np.sqrt(17), rel=1e-14)
    path = gradient_descent(objective("valley"), eta=1.0, steps=1000)
    assert objective("valley").gap(path[-1:])[0] < 1e-15


def test_saddle_minima_gap_and_escape():
    obj = objective("saddle")
    minima = np.array([[0.0, 1.0], [0.0, -1.0]])
    assert np.allclose(obj.value(minima), -0.25) and np.all(obj.gap(minima) == 0)
    assert np.allclose(obj.dist2(np.array([[0.0, -1.0], [0.3, -1.4]])), [0.0, 0.09 + 0.16])
    assert np.allclose(obj.full_grad(np.zeros((1, 2))), 0.0)  # the saddle is stationary
    path = gradient_descent(obj, eta=0.1, steps=400)
    closest = np.min(np.linalg.norm(path, axis=1))
    assert closest < 0.2  # it heads for the saddle first ...
    assert obj.dist2(path[-1:])[0] < 1e-12  # ... and escapes to (0, 1)
