"""The linear-model finite sums: exact optima against independent methods, and constants.

ridge and least squares against scipy and the pseudo-inverse; logistic against
scipy's trust-exact solver plus its Newton decrement; hinge against SLSQP on the
primal QP plus KKT and perturbation checks; LAD against the primal LP, IRLS and its
subgradient certificate. Constants against eigenvalues and sampled gradient norms.
"""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.sparse
from scipy.optimize import linprog, minimize

from empirical.objectives import LAD, Hinge, LeastSquares, Logistic, Ridge, objective
from empirical.objectives.base import Ball
from theory.errors import InputError


def value1(obj, w: np.ndarray) -> float:
    return float(obj.value(w[None, :])[0])


def grad1(obj, w: np.ndarray) -> np.ndarray:
    return obj.full_grad(w[None, :])[0]


def sample_grad_norms(obj, W: np.ndarray) -> np.ndarray:
    """||grad f_i(w)|| for every sample i and every row w of W; shape (R, n)."""
    idx = np.broadcast_to(np.arange(obj.n)[None, :, None], (W.shape[0], obj.n, 1))
    return np.array([np.linalg.norm(obj.grad(W, idx[:, i, :]), axis=1) for i in range(obj.n)]).T


def ball_points(obj, R: int, seed: int) -> np.ndarray:
    """Points of the ball B(w*, G_radius): half inside, half on the sphere."""
    rng = np.random.default_rng(seed)
    U = rng.standard_normal((R, obj.d))
    U /= np.linalg.norm(U, axis=1, keepdims=True)
    radii = obj.constants["G_radius"] * np.where(np.arange(R) % 2, 1.0, rng.uniform(size=R))
    return obj.w_star + U * radii[:, None]


def fd_hessian(obj, w: np.ndarray, h: float = 1e-5) -> np.ndarray:
    cols = [(grad1(obj, w + h * e) - grad1(obj, w - h * e)) / (2 * h) for e in np.eye(obj.d)]
    H = np.array(cols).T
    return (H + H.T) / 2


# -- ridge and least squares -----------------------------------------------------------

RIDGES = ["ridge:n=80,d=5,lam=0.1", "ridge:n=40,d=6,lam=0", "ridge:n=10,d=20,lam=0.5"]


@pytest.mark.parametrize("spec", RIDGES)
def test_ridge_optimum_against_scipy_and_the_normal_equations(spec):
    obj = objective(spec)
    X, y, n, reg = obj.X, obj.y, obj.n, obj.reg
    normal = np.linalg.solve(X.T @ X / n + reg * np.eye(obj.d), X.T @ y / n)
    assert np.allclose(obj.w_star, normal, rtol=1e-10, atol=1e-12)
    result = minimize(
        lambda w: value1(obj, w),
        np.zeros(obj.d),
        jac=lambda w: grad1(obj, w),
        hess=lambda w: obj.hessian(),
        method="trust-exact",
        options={"gtol": 1e-13},
    )
    assert np.allclose(obj.w_star, result.x, rtol=1e-8, atol=1e-10)
    assert obj.f_star <= result.fun + 1e-15


@pytest.mark.parametrize("spec", RIDGES)
def test_ridge_constants(spec):
    obj = objective(spec)
    eig = np.linalg.eigvalsh(fd_hessian(obj, np.zeros(obj.d)))
    c = obj.constants
    assert c["lam"] == pytest.approx(eig[0], rel=1e-7)
    assert c["L"] == pytest.approx(eig[-1], rel=1e-7)
    per_sample = max(np.linalg.eigvalsh(np.outer(x, x))[-1] for x in obj.X) + obj.reg
    assert c["Lmax"] == pytest.approx(per_sample, rel=1e-12)
    at_star = sample_grad_norms(obj, obj.w_star[None, :])[0]
    assert c["sigma2_star"] == pytest.approx(np.mean(at_star**2), rel=1e-12)
    assert c["G_radius"] == c["R"] == pytest.approx(np.linalg.norm(obj.w_star), rel=1e-15)


@pytest.mark.parametrize("spec", [*RIDGES, "least-squares:n=50,d=6,rank=3"])
def test_squared_loss_gradient_bound_on_the_ball(spec):
    """G bounds every per-sample gradient on B(w*, R), and is nearly attained."""
    obj = objective(spec)
    G = obj.constants["G"]
    assert sample_grad_norms(obj, ball_points(obj, 40, seed=0)).max() <= G
    residual = obj.X @ obj.w_star - obj.y
    norms = np.linalg.norm(obj.X, axis=1)
    i = int(np.argmax(norms * (np.abs(residual) + norms * obj.constants["R"])))
    far = obj.w_star + obj.constants["R"] * np.sign(residual[i]) * obj.X[i] / norms[i]
    attained = np.linalg.norm(obj.grad(far[None, :], np.array([[i]])))
    slack = 2 * obj.reg * (np.linalg.norm(obj.w_star) + obj.constants["R"])
    assert attained >= (G - slack) * (1 - 1e-12)


def test_ridge_stacked_system_has_the_square_root_condition_number():
    obj = objective("ridge:n=50,d=4,lam=0.01")
    stacked = np.vstack([obj.X / np.sqrt(obj.n), np.sqrt(obj.reg) * np.eye(obj.d)])
    assert np.linalg.cond(stacked) == pytest.approx(np.sqrt(np.linalg.cond(obj.hessian())))


def test_ridge_gap_is_the_hessian_quadratic_form():
    obj = objective("ridge:n=50,d=4,lam=0.3")
    E = np.random.default_rng(0).standard_normal((6, 4)) * 1e-7
    quadratic = 0.5 * np.einsum("rd,de,re->r", E, obj.hessian(), E)
    assert np.allclose(obj.gap(obj.w_star + E), quadratic, rtol=1e-12)


LEAST_SQUARES = [("least-squares:n=60,d=6,rank=2", 2), ("least-squares:n=5,d=10,rank=4", 4)]


@pytest.mark.parametrize(("spec", "rank"), LEAST_SQUARES)
def test_least_squares_minimum_norm_solution(spec, rank):
    obj = objective(spec)
    assert obj.rank == rank and not obj.strongly_convex and "lam" not in obj.constants
    assert np.allclose(obj.w_star, np.linalg.pinv(obj.X) @ obj.y, rtol=1e-9, atol=1e-12)
    residual = obj.y - obj.X @ np.linalg.lstsq(obj.X, obj.y, rcond=None)[0]
    assert obj.f_star == pytest.approx(residual @ residual / (2 * obj.n), rel=1e-12, abs=1e-30)
    assert obj.constants["L"] == pytest.approx(np.linalg.eigvalsh(obj.hessian())[-1], rel=1e-12)


@pytest.mark.parametrize(("spec", "rank"), LEAST_SQUARES)
def test_least_squares_gap_and_distance_to_the_set_of_minimizers(spec, rank):
    obj = objective(spec)
    null = np.linalg.svd(obj.X)[2][rank:]  # rows span null(X)
    other_minimizer = obj.w_star + 3.0 * null[0]
    assert obj.gap(other_minimizer[None, :])[0] == pytest.approx(0.0, abs=1e-14)
    assert obj.dist2(other_minimizer[None, :])[0] == pytest.approx(0.0, abs=1e-20)
    assert value1(obj, other_minimizer) == pytest.approx(obj.f_star, rel=1e-10, abs=1e-14)
    e = np.random.default_rng(1).standard_normal(obj.d)
    shifted = obj.w_star + e + null[0]
    expected = np.linalg.norm(obj.X @ e) ** 2 / (2 * obj.n)
    assert obj.gap(shifted[None, :])[0] == pytest.approx(expected, rel=1e-12)


def test_least_squares_gradient_descent_from_zero_stays_in_the_row_space():
    obj = objective("least-squares:n=40,d=6,rank=2")
    W = obj.w0[None, :]
    for _ in range(50):
        W = W - 0.5 / obj.constants["L"] * obj.full_grad(W)
        assert obj.dist2(W)[0] == pytest.approx(np.sum((W - obj.w_star) ** 2), rel=1e-9)
    assert obj.constants["R"] == pytest.approx(np.linalg.norm(obj.w_star), rel=1e-15)


def test_least_squares_with_a_full_rank_data_set_is_strongly_convex():
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 3))
    obj = LeastSquares(data=(X, X @ np.ones(3)))
    assert obj.strongly_convex and obj.rank == 3
    assert obj.constants["lam"] == pytest.approx(np.linalg.eigvalsh(X.T @ X / 30)[0], rel=1e-10)
    assert np.allclose(obj.w_star, 1.0, rtol=1e-12) and obj.f_star < 1e-28


def test_least_squares_rejects_a_zero_design():
    from theory.errors import InputError

    with pytest.raises(InputError, match="the design X is zero"):
        LeastSquares(data=(np.zeros((5, 2)), np.ones(5)))


# -- logistic --------------------------------------------------------------------------

LOGISTICS = ["logistic:n=200,d=5,lam=0.1", "logistic:n=100,d=8,lam=0.001,noise=0"]


@pytest.mark.parametrize("spec", LOGISTICS)
def test_logistic_optimum_is_accurate_to_float_precision(spec):
    obj = objective(spec)
    norm = np.linalg.norm(obj.w_star)
    assert obj.grad_norm_at_w_star == pytest.approx(np.linalg.norm(grad1(obj, obj.w_star)))
    assert obj.grad_norm_at_w_star <= 1e-14 * max(1.0, norm)
    assert obj.w_star_error_bound <= 1e-12 * norm  # relative accuracy of w*
    S = -obj.y * (obj.X @ obj.w_star)
    curvature = 1 / (1 + np.exp(S)) / (1 + np.exp(-S))
    H = (obj.X.T * curvature) @ obj.X / obj.n + obj.reg * np.eye(obj.d)
    g = grad1(obj, obj.w_star)
    assert g @ np.linalg.solve(H, g) <= 1e-28  # squared Newton decrement


@pytest.mark.parametrize("spec", LOGISTICS)
def test_logistic_optimum_against_scipy_trust_exact(spec):
    obj = objective(spec)

    def hessian(w):
        S = -obj.y * (obj.X @ w)
        c = 1 / (1 + np.exp(S)) / (1 + np.exp(-S))
        return (obj.X.T * c) @ obj.X / obj.n + obj.reg * np.eye(obj.d)

    result = minimize(
        lambda w: value1(obj, w),
        np.zeros(obj.d),
        jac=lambda w: grad1(obj, w),
        hess=hessian,
        method="trust-exact",
        options={"gtol": 1e-12},
    )
    assert np.linalg.norm(result.x - obj.w_star) <= 1e-7 * np.linalg.norm(obj.w_star)
    assert obj.f_star <= result.fun + 1e-15


def test_logistic_constants():
    obj = objective("logistic:n=150,d=4,lam=0.05")
    c = obj.constants
    at_zero = np.linalg.eigvalsh(fd_hessian(obj, np.zeros(4)))  # sigmoid'(0) = 1/4: L exact
    assert c["L"] == pytest.approx(at_zero[-1], rel=1e-7)
    for w in np.random.default_rng(3).standard_normal((5, 4)):
        eig = np.linalg.eigvalsh(fd_hessian(obj, w))
        assert c["lam"] - 1e-7 <= eig[0] and eig[-1] <= c["L"] + 1e-7
    assert c["lam"] == 0.05
    assert c["Lmax"] == pytest.approx(np.max(np.sum(obj.X**2, axis=1)) / 4 + 0.05, rel=1e-12)
    assert sample_grad_norms(obj, ball_points(obj, 30, seed=4)).max() <= c["G"]
    at_star = sample_grad_norms(obj, obj.w_star[None, :])[0]
    assert c["sigma2_star"] == pytest.approx(np.mean(at_star**2), rel=1e-12)


def test_logistic_gap_is_accurate_where_value_minus_f_star_is_not():
    """Near w*, the Bregman form matches a 40-digit evaluation of F(w) - F(w*)."""
    mpmath = pytest.importorskip("mpmath")
    obj = objective("logistic:n=40,d=3,lam=0.1")
    mpmath.mp.dps = 40

    def exact_value(w):
        margins = [
            -float(yi)
            * mpmath.fsum(mpmath.mpf(a) * mpmath.mpf(b) for a, b in zip(x, w, strict=True))
            for x, yi in zip(obj.X, obj.y, strict=True)
        ]
        data = mpmath.fsum(mpmath.log1p(mpmath.exp(m)) for m in margins) / obj.n
        return data + mpmath.mpf(obj.reg) / 2 * mpmath.fsum(mpmath.mpf(v) ** 2 for v in w)

    f_star = exact_value(obj.w_star)
    rng = np.random.default_rng(5)
    for scale in (1e-7, 1e-4, 1e-1, 3.0):
        w = obj.w_star + scale * rng.standard_normal(3)
        truth = float(exact_value(w) - f_star)
        assert obj.gap(w[None, :])[0] == pytest.approx(truth, rel=1e-9)
    w = obj.w_star + 1e-7 * rng.standard_normal(3)
    truth = float(exact_value(w) - f_star)
    naive = value1(obj, w) - obj.f_star
    assert abs(naive - truth) > 1e-3 * truth  # the subtraction has lost its digits


# -- hinge -----------------------------------------------------------------------------

HINGES = [
    "hinge:n=30,d=3,lam=0.1",
    "hinge:n=200,d=6,lam=0.01",
    "hinge:n=20,d=40,lam=0.5",
    "hinge:n=200,d=5,lam=1e-8",
]


@pytest.mark.parametrize("spec", HINGES)
def test_hinge_kkt_conditions(spec):
    obj = objective(spec)
    assert obj.kkt_residual <= 1e-12
    assert np.all((obj.alpha >= 0) & (obj.alpha <= 1))
    margins = obj.y * (obj.X @ obj.w_star)
    assert np.all(obj.alpha[margins < 1 - 1e-9] == 1) and np.all(obj.alpha[margins > 1 + 1e-9] == 0)
    stationarity = obj.reg * obj.w_star - obj.X.T @ (obj.alpha * obj.y) / obj.n
    assert np.max(np.abs(stationarity)) <= 1e-13 * np.linalg.norm(obj.X, axis=1).max()


@pytest.mark.parametrize("spec", HINGES)
def test_hinge_optimum_survives_perturbations(spec):
    """F(w* + e) - F* >= (reg/2)||e||^2 (strong convexity), computed without the gap formula."""
    obj = objective(spec)
    rng = np.random.default_rng(6)
    for scale in (1e-6, 1e-3, 1e-1, 1.0):
        E = scale * rng.standard_normal((100, obj.d))
        rise = obj.value(obj.w_star + E) - obj.f_star
        floor = 0.5 * obj.reg * np.sum(E * E, axis=1)
        assert np.all(rise >= floor * (1 - 1e-6) - 1e-15)


def awkward_designs():
    """Duplicated rows, integer features (ties), and a large scale."""
    rng = np.random.default_rng(12)
    dup = np.repeat(rng.standard_normal((40, 3)), 3, axis=0)
    ints = rng.integers(-2, 3, (150, 3)).astype(float)
    big = rng.standard_normal((100, 4)) * 1e5
    return {"duplicates": dup, "integers": ints, "scaled": big}


@pytest.mark.parametrize("case", ["duplicates", "integers", "scaled"])
def test_hinge_on_awkward_data(case):
    X = awkward_designs()[case]
    rng = np.random.default_rng(13)
    y = np.where(
        X @ np.arange(1.0, X.shape[1] + 1) + X.std() * rng.standard_normal(len(X)) > 0, 1.0, -1.0
    )
    obj = Hinge(data=(X, y), lam=0.05)
    assert obj.kkt_residual <= 1e-12
    E = 1e-3 * X.std() ** -1 * rng.standard_normal((50, X.shape[1]))
    assert np.all(obj.value(obj.w_star + E) - obj.f_star >= -1e-15)


@pytest.mark.parametrize("case", ["duplicates", "integers", "scaled"])
def test_lad_on_awkward_data(case):
    X = awkward_designs()[case]
    y = X @ np.arange(1.0, X.shape[1] + 1) + np.random.default_rng(14).integers(-1, 2, len(X))
    obj = LAD(data=(X, y))
    assert obj.certificate_residual <= 1e-12
    assert np.all(np.abs(obj.sign) <= 1)
    result = linprog(
        np.concatenate([np.zeros(X.shape[1]), np.full(2 * len(X), 1 / len(X))]),
        A_eq=np.hstack([X, np.eye(len(X)), -np.eye(len(X))]),
        b_eq=y,
        bounds=[(None, None)] * X.shape[1] + [(0, None)] * (2 * len(X)),
        method="highs-ds",
    )
    assert obj.f_star == pytest.approx(result.fun, rel=1e-9, abs=1e-12)


def test_hinge_optimum_against_slsqp_on_the_primal_qp():
    obj = objective("hinge:n=30,d=3,lam=0.1")
    n, d, Z = obj.n, obj.d, obj.X * obj.y[:, None]

    def primal(v):  # v = (w, xi)
        return v[d:].mean() + 0.5 * obj.reg * v[:d] @ v[:d]

    constraints = [
        {
            "type": "ineq",
            "fun": lambda v: Z @ v[:d] + v[d:] - 1,
            "jac": lambda v: np.hstack([Z, np.eye(n)]),
        },
        {
            "type": "ineq",
            "fun": lambda v: v[d:],
            "jac": lambda v: np.hstack([np.zeros((n, d)), np.eye(n)]),
        },
    ]
    jac = lambda v: np.concatenate([obj.reg * v[:d], np.full(n, 1 / n)])  # noqa: E731
    result = minimize(
        primal,
        np.concatenate([np.zeros(d), np.ones(n)]),
        jac=jac,
        method="SLSQP",
        constraints=constraints,
        options={"ftol": 1e-15, "maxiter": 500},
    )
    assert result.success
    assert np.allclose(result.x[:d], obj.w_star, atol=1e-6)
    assert obj.f_star <= value1(obj, result.x[:d]) + 1e-15


def test_hinge_gradient_bound_on_the_ball():
    obj = objective("hinge:n=60,d=4")
    assert sample_grad_norms(obj, ball_points(obj, 30, seed=7)).max() <= obj.constants["G"]


# -- least absolute deviations ---------------------------------------------------------

LADS = ["lad:n=60,d=3", "lad:n=300,d=8,noise=2", "lad:n=11,d=10"]


@pytest.mark.parametrize("spec", LADS)
def test_lad_certificate(spec):
    obj = objective(spec)
    assert obj.certificate_residual <= 1e-12 and obj.unique
    residual = obj.X @ obj.w_star - obj.y
    zero = np.abs(residual) < 1e-9
    assert zero.sum() >= obj.d
    assert np.all(obj.sign[~zero] == np.sign(residual[~zero]))
    assert np.all(np.abs(obj.sign) <= 1)
    assert np.allclose(obj.sign @ obj.X / obj.n, 0.0, atol=1e-12)


@pytest.mark.parametrize("spec", LADS)
def test_lad_optimum_against_the_primal_lp(spec):
    obj = objective(spec)
    n, d = obj.n, obj.d
    eye = scipy.sparse.identity(n)
    A = scipy.sparse.hstack([scipy.sparse.csr_matrix(obj.X), eye, -eye])
    cost = np.concatenate([np.zeros(d), np.full(2 * n, 1 / n)])
    bounds = [(None, None)] * d + [(0, None)] * (2 * n)
    result = linprog(cost, A_eq=A, b_eq=obj.y, bounds=bounds, method="highs-ds")
    assert obj.f_star == pytest.approx(result.fun, rel=1e-12)
    assert np.allclose(result.x[:d], obj.w_star, atol=1e-9)


def test_lad_optimum_against_irls_and_perturbations():
    obj = objective("lad:n=80,d=3,noise=1")
    w = np.linalg.lstsq(obj.X, obj.y, rcond=None)[0]
    for _ in range(300):  # iteratively reweighted least squares, weights 1/max(|r|, 1e-10)
        weights = 1 / np.maximum(np.abs(obj.X @ w - obj.y), 1e-10)
        w = np.linalg.solve((obj.X.T * weights) @ obj.X, (obj.X.T * weights) @ obj.y)
    assert 0 <= value1(obj, w) - obj.f_star <= 1e-7  # IRLS converges slowly; LP is exact
    assert np.allclose(w, obj.w_star, atol=1e-4)
    rng = np.random.default_rng(8)
    for scale in (1e-8, 1e-4, 1e-1):
        rise = obj.value(obj.w_star + scale * rng.standard_normal((100, 3))) - obj.f_star
        assert np.all(rise >= -1e-15)


def test_lad_interpolation_recovers_the_planted_weights():
    rng = np.random.default_rng(9)
    X = rng.standard_normal((40, 3))
    w_true = np.array([1.0, -2.0, 0.5])
    obj = LAD(data=(X, X @ w_true))
    assert np.allclose(obj.w_star, w_true, rtol=1e-13) and obj.f_star < 1e-15 and obj.unique


def test_lad_gradient_bound():
    obj = objective("lad:n=50,d=4")
    W = np.random.default_rng(10).standard_normal((20, 4)) * 10
    assert obj.constants["G"] == pytest.approx(np.linalg.norm(obj.X, axis=1).max())
    assert sample_grad_norms(obj, W).max() <= obj.constants["G"] * (1 + 1e-15)


# -- user data -------------------------------------------------------------------------

CLASSES = [Ridge, LeastSquares, Logistic, Hinge, LAD]


@pytest.mark.parametrize("cls", CLASSES)
def test_data_files_and_arrays_give_the_same_objective(cls, tmp_path):
    rng = np.random.default_rng(11)
    X = rng.standard_normal((25, 3))
    y = np.where(X @ [1.0, -1.0, 0.5] + 0.3 * rng.standard_normal(25) > 0, 1.0, -1.0)
    np.savez(tmp_path / "d.npz", X=X, y=y)
    np.savetxt(
        tmp_path / "d.csv", np.column_stack([X, y]), delimiter=",", header="a,b,c,y", comments=""
    )
    from_arrays = cls(data=(X, y))
    for path in ("d.npz", "d.csv"):
        from_file = objective(f"{cls.name}:data={tmp_path / path}")
        assert np.array_equal(from_file.X, X) and np.array_equal(from_file.y, y)
        assert np.array_equal(from_file.w_star, from_arrays.w_star)
        assert from_file.params["data"] == str(tmp_path / path)


@pytest.mark.parametrize("cls", [Logistic, Hinge])
def test_classification_labels_must_be_plus_or_minus_one(cls, tmp_path):
    X = np.ones((4, 2))
    np.savez(tmp_path / "labels.npz", X=X, y=np.array([0.0, 1.0, 1.0, 0.0]))
    with pytest.raises(
        Exception, match=r"labels\.npz': y\[0\] is not allowed; expected a class label, -1 or \+1$"
    ):
        cls(data=str(tmp_path / "labels.npz"))
    with pytest.raises(
        Exception,
        match=r"^objective '\w+': data arrays: y\[0\] = 0\.0 is not allowed; expected a class",
    ):
        cls(data=(X, np.array([0.0, 1.0, 1.0, 0.0])))


@pytest.mark.parametrize("cls", CLASSES)
def test_bad_data_is_an_input_error_naming_the_file(cls, tmp_path):
    from theory.errors import InputError

    X = np.ones((4, 2))
    X[2, 1] = np.nan
    np.savez(tmp_path / "nan.npz", X=X, y=np.ones(4))
    with pytest.raises(InputError, match=r"nan\.npz': X\[2, 1\] = nan is not allowed"):
        cls(data=str(tmp_path / "nan.npz"))
    with pytest.raises(InputError, match=r"missing\.csv.*no such file"):
        cls(data=str(tmp_path / "missing.csv"))
    with pytest.raises(InputError, match="data = 3 is not allowed; expected a path"):
        cls(data=3)


# -- projected variants: the ball ||w|| <= radius -----------------------------------------


@pytest.mark.parametrize("spec", ["lad:n=60,d=3", "hinge:n=60,d=4"])
def test_a_radius_makes_the_domain_a_ball_around_the_start(spec):
    free = objective(spec)
    radius = 2.0 * float(np.linalg.norm(free.w_star))
    ball = objective(f"{spec},radius={radius}")
    assert free.domain is None
    assert isinstance(ball.domain, Ball) and ball.domain.radius == radius
    assert np.array_equal(ball.domain.center, np.zeros(ball.d))
    assert np.array_equal(ball.w_star, free.w_star) and ball.f_star == free.f_star
    assert ball.params["radius"] == radius


def test_the_hinge_gradient_bound_holds_on_the_whole_ball():
    radius = 3.0
    obj = objective(f"hinge:n=60,d=4,radius={radius}")
    assert "G_radius" not in obj.constants
    assert obj.constants["G"] == pytest.approx(obj._max_norm + obj.reg * radius)
    W = np.random.default_rng(11).standard_normal((200, 4))
    W *= radius / np.linalg.norm(W, axis=1, keepdims=True)  # on the sphere, the worst case
    assert sample_grad_norms(obj, W).max() <= obj.constants["G"] * (1 + 1e-15)


def test_the_pegasos_ball_always_holds_the_hinge_optimum():
    for seed in range(5):
        obj = objective(f"hinge:n=80,d=5,lam=0.05,seed={seed}")
        assert np.linalg.norm(obj.w_star) <= np.sqrt(2 / obj.reg)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("lad:n=60,d=3,radius=0.01", "radius = 0.01 is not allowed; expected a ball ||w|| <= "),
        ("hinge:n=60,d=4,radius=0.01", "contains the minimizer (||w*|| = "),
        ("hinge:n=60,d=4,radius=0.01", "take radius >= "),
        ("lad:n=60,d=3,radius=0", "radius = 0 is not allowed; expected a finite number > 0"),
        (
            "hinge:n=60,d=4,radius=true",
            "radius = True is not allowed; expected a finite number > 0",
        ),
    ],
)
def test_a_ball_without_the_optimum_is_refused(spec, message):
    with pytest.raises(InputError, match=re.escape(message)):
        objective(spec)
