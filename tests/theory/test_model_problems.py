"""Exact model-problem derivations against direct numerical iteration and Monte Carlo.

Three kinds of checks: (1) each derived formula equals the formula stated in THEORY.md
(random numeric points); (2) each closed form equals a float64 iteration of the
recursion it solves; (3) for stochastic models, a seeded Monte Carlo of the actual
SGD iterates agrees with the exact second moment within 4 standard errors.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable

import numpy as np
import pytest
import sympy as sp

from theory.errors import UnknownNameError
from theory.model_problems import DERIVATIONS, Derivation, get_derivation
from theory.model_problems.model_symbols import Sigma, a, d, e0, e0_i, i, lam_i, s, s_eps, t, x
from theory.symbols import G, L, alpha, b, c, eta, gamma, k, kappa, lam, mu, sigma

R = 20_000  # Monte Carlo replicates
Z = 4.0  # agreement within Z standard errors


def rhs(derivation_id: str, name: str) -> sp.Basic:
    """Right-hand side of a named result (the set itself for a set result)."""
    value = get_derivation(derivation_id).result(name)
    return value.rhs if isinstance(value, sp.Equality | sp.Le) else value


def as_function(expr: sp.Basic, values: dict, args=(k,), modules="numpy") -> Callable:
    """Substitute the constants, then lambdify in ``args``."""
    return sp.lambdify(args, expr.subs(values), modules)


def assert_mc_agrees(squares: np.ndarray, exact: np.ndarray, what: str) -> None:
    """Mean over replicates (axis 0) within Z standard errors of ``exact``."""
    mean = squares.mean(axis=0)
    se = squares.std(axis=0, ddof=1) / math.sqrt(squares.shape[0])
    z = np.abs(mean - exact) / se
    assert np.all(z <= Z), f"{what}: MC {mean} vs exact {exact}, z = {z}"


def noise(rng: np.random.Generator, shape: tuple[int, ...], kind: str) -> np.ndarray:
    """Unit-variance noise: Gaussian or Rademacher (the formulas are distribution-free)."""
    if kind == "gauss":
        return rng.standard_normal(shape)
    return rng.integers(0, 2, size=shape) * 2.0 - 1.0


def sgd_1d(steps, lam_, sigma_, batch, w0, seed, kind="gauss") -> np.ndarray:
    """u_k = w_k - w* for k = 1..K of SGD on lam/2 w^2 with minibatch noise; shape (R, K)."""
    rng = np.random.default_rng(seed)
    u = np.full(R, float(w0))
    out = np.empty((R, len(steps)))
    for index, step in enumerate(steps):
        xi = sigma_ * noise(rng, (R, batch), kind).mean(axis=1)
        u = u - step * (lam_ * u + xi)
        out[:, index] = u
    return out


# ----------------------------------------------------------------------------- registry


def test_every_registered_derivation_is_complete_and_serializable():
    for name in DERIVATIONS:
        derivation = get_derivation(name)
        assert isinstance(derivation, Derivation)
        assert derivation.id == name
        assert derivation.steps and derivation.conditions and derivation.variables
        assert any(step.startswith("check:") for step in derivation.steps)
        data = json.loads(json.dumps(derivation.to_dict()))
        assert set(data["results"]) == set(derivation.results)
        assert derivation.id in derivation.summary()


@pytest.mark.parametrize("bad", ["sgd", "", None, 3])
def test_unknown_derivation_lists_the_known_ones(bad):
    with pytest.raises(UnknownNameError, match="sgd_inverse_k"):
        get_derivation(bad)


def test_unknown_result_name_lists_the_available_ones():
    with pytest.raises(UnknownNameError, match="second_moment"):
        get_derivation("sgd_inverse_k").result("variance")


def test_derivation_is_frozen():
    derivation = get_derivation("gd_quadratic")
    with pytest.raises(AttributeError):
        derivation.id = "other"
    with pytest.raises(TypeError):
        derivation.results["iterate"] = sp.Integer(0)


# ------------------------------------------------------- derived = stated in THEORY.md

rho_ = 1 - eta * lam
THEORY_FORMULAS = [
    ("sgd_inverse_k", "second_moment", sigma**2 / (b * lam**2 * k)),
    ("sgd_inverse_k", "gap", sigma**2 / (2 * b * lam * k)),
    ("sgd_inverse_k", "second_moment_paper_index", sigma**2 / (b * lam**2 * (t - 1))),
    ("sgd_c_over_k", "limit_a_above_half", c**2 * sigma**2 / (b * (2 * a - 1))),
    ("sgd_c_over_k", "limit_a_half", c**2 * sigma**2 / b),
    ("sgd_c_over_k", "optimal_limit", sigma**2 / (b * lam**2)),
    ("sgd_c_over_k", "bias_factor", sp.gamma(k + 1 - a) / (sp.gamma(1 - a) * sp.gamma(k + 1))),
    ("constant_step", "stationary", eta * sigma**2 / (b * lam * (2 - eta * lam))),
    ("constant_step", "plateau_gap", eta * sigma**2 / (2 * b * (2 - eta * lam))),
    ("constant_step", "plateau_gap_slope", sigma**2 / (4 * b)),
    ("constant_step", "ls_stationary", eta * d * s_eps**2 / (2 - eta * (d + 2))),
    ("gd_quadratic", "optimal_step", 2 / (mu + L)),
    ("gd_quadratic", "contraction", (kappa - 1) / (kappa + 1)),
    ("rakhlin_lemma", "bound", 4 * G**2 / (lam**2 * (k + 1))),
    ("rakhlin_lemma", "bound_paper_index", 4 * G**2 / (lam**2 * t)),
    ("rakhlin_lemma", "step_margin", (3 * k + 7) / (k**2 * (k + 1))),
    ("rakhlin_lemma", "least_constant", sp.Integer(2)),
    (
        "polydecay_weights",
        "weight",
        (gamma + 1) * sp.gamma(s + gamma) * sp.gamma(k) / (sp.gamma(s) * sp.gamma(k + gamma + 1)),
    ),
    ("polydecay_weights", "weight_linear", 2 * s / (k * (k + 1))),
    ("polydecay_weights", "weight_density", (gamma + 1) * x**gamma),
    ("polydecay_weights", "constant_polydecay", 2 * (gamma + 1) / (2 * gamma + 1)),
    ("polydecay_weights", "constant_uniform", sp.Integer(2)),
    (
        "polydecay_weights",
        "constant_suffix",
        2 * (1 - (1 - alpha) + (1 - alpha) * sp.log(1 - alpha)) / alpha**2,
    ),
    (
        "polyak_ruppert_constant_step",
        "exact",
        e0 * (rho_ * (1 - rho_**k) / (k * eta * lam)) ** 2  # THEORY's e_0^2 is our e_0
        + sigma**2
        / (b * lam**2 * k**2)
        * (
            k
            - 2 * rho_ * (1 - rho_**k) / (1 - rho_)
            + rho_**2 * (1 - rho_ ** (2 * k)) / (1 - rho_**2)
        ),
    ),
    ("polyak_ruppert_constant_step", "limit", sp.Integer(1)),
]


@pytest.mark.parametrize(("derivation_id", "name", "stated"), THEORY_FORMULAS)
def test_derived_formula_equals_the_stated_one(derivation_id, name, stated):
    derived = rhs(derivation_id, name)
    rng = np.random.default_rng(7)
    free = sorted(derived.free_symbols | stated.free_symbols, key=str)
    for _ in range(3):
        point = {}
        for symbol in free:
            if symbol.is_integer:
                point[symbol] = int(rng.integers(2, 9))
            elif symbol in (a, alpha):  # odd twentieths in (0, 1): never 1/2 nor an integer
                point[symbol] = sp.Rational(2 * int(rng.integers(0, 10)) + 1, 20)
            else:
                point[symbol] = sp.Rational(int(rng.integers(1, 19)), 20)
        point = {**point, L: point.get(mu, 0) + 2} if L in point else point
        got, want = complex(derived.subs(point).evalf(30)), complex(stated.subs(point).evalf(30))
        assert got == pytest.approx(want, rel=1e-12, abs=1e-300), point


STATED_SETS = [
    ("constant_step", "stable_steps", sp.Interval.open(0, 2 / lam)),
    ("constant_step", "ls_stable_steps", sp.Interval.open(0, 2 / (d + 2))),
    ("gd_quadratic", "stable_steps", sp.Interval.open(0, 2 / L)),
]


@pytest.mark.parametrize(("derivation_id", "name", "stated"), STATED_SETS)
def test_derived_stability_set_equals_the_stated_one(derivation_id, name, stated):
    assert rhs(derivation_id, name) == stated


# ------------------------------------------------------------------ eta_k = 1/(lam k)

INVERSE_K = [
    {"lam": 2.0, "sigma": 1.5, "b": 1, "w0": 3.0, "kind": "gauss"},
    {"lam": 2.0, "sigma": 1.5, "b": 8, "w0": -1.0, "kind": "gauss"},
    {"lam": 0.5, "sigma": 1.0, "b": 2, "w0": 10.0, "kind": "rademacher"},
]


def _inverse_k_values(case):
    return {lam: case["lam"], sigma: case["sigma"], b: case["b"]}


@pytest.mark.parametrize("case", INVERSE_K)
def test_inverse_k_second_moment_matches_recursion(case):
    closed = as_function(rhs("sgd_inverse_k", "second_moment"), _inverse_k_values(case))
    steps = 10_000
    lam_, noise_var = case["lam"], case["sigma"] ** 2 / case["b"]
    moment, values = case["w0"] ** 2, np.empty(steps)
    for n in range(1, steps + 1):
        moment = (1 - 1 / n) ** 2 * moment + noise_var / (lam_ * n) ** 2
        values[n - 1] = moment
    np.testing.assert_allclose(closed(np.arange(1, steps + 1)), values, rtol=1e-10)


@pytest.mark.parametrize("case", INVERSE_K)
def test_inverse_k_second_moment_matches_monte_carlo(case):
    steps = 300
    schedule = 1 / (case["lam"] * np.arange(1, steps + 1))
    u = sgd_1d(schedule, case["lam"], case["sigma"], case["b"], case["w0"], 11, case["kind"])
    checkpoints = np.array([1, 2, 5, 20, 100, 300])
    closed = as_function(rhs("sgd_inverse_k", "second_moment"), _inverse_k_values(case))
    assert_mc_agrees(u[:, checkpoints - 1] ** 2, closed(checkpoints), "1/(lam k)")


# ----------------------------------------------------------------------- eta_k = c/k


def _c_over_k_recursion(a_, c_, sigma_, b_, e0_, steps):
    """Float64 iteration of e_k = (1 - a/k)^2 e_{k-1} + c^2 sigma^2/(b k^2), k = 1..steps."""
    values, moment = np.empty(steps), e0_
    for n in range(1, steps + 1):
        moment = (1 - a_ / n) ** 2 * moment + c_**2 * sigma_**2 / (b_ * n**2)
        values[n - 1] = moment
    return values


C_OVER_K = [  # a = c lam
    {"a": 0.25, "c": 0.5, "sigma": 1.0, "b": 1, "e0": 4.0},
    {"a": 0.5, "c": 1.0, "sigma": 1.0, "b": 2, "e0": 1.0},
    {"a": 0.8, "c": 1.6, "sigma": 0.7, "b": 1, "e0": 0.0},
    {"a": 1.7, "c": 1.7, "sigma": 1.0, "b": 4, "e0": 9.0},
]


def _c_values(case, *, with_lam=True):
    values = {a: case["a"], c: case["c"], sigma: case["sigma"], b: case["b"], e0: case["e0"]}
    if with_lam:
        values[lam] = case["a"] / case["c"]
    return values


@pytest.mark.parametrize("case", C_OVER_K)
def test_c_over_k_exact_form_matches_recursion(case):
    exact = as_function(rhs("sgd_c_over_k", "exact"), _c_values(case), modules="mpmath")
    recursion = _c_over_k_recursion(
        case["a"], case["c"], case["sigma"], case["b"], case["e0"], 1000
    )
    for n in (1, 2, 3, 10, 100, 1000):
        assert float(exact(n)) == pytest.approx(recursion[n - 1], rel=1e-10)


@pytest.mark.parametrize("a_value", [1, 2])
def test_c_over_k_exact_form_at_integer_a(a_value):
    """Integer a: the step 1 - a/a = 0 erases the start; the exact form still holds."""
    case = {"a": a_value, "c": 1.0, "sigma": 1.0, "b": 1, "e0": 5.0}
    exact = rhs("sgd_c_over_k", "exact").subs(_c_values(case))
    recursion = _c_over_k_recursion(a_value, 1.0, 1.0, 1, 5.0, 12)
    for n in range(1, 13):
        assert float(exact.subs(k, n).doit()) == pytest.approx(recursion[n - 1], rel=1e-12)


@pytest.mark.parametrize("case", C_OVER_K)
def test_c_over_k_exact_form_matches_monte_carlo(case):
    steps = 300
    lam_ = case["a"] / case["c"]
    schedule = case["c"] / np.arange(1, steps + 1)
    u = sgd_1d(schedule, lam_, case["sigma"], case["b"], math.sqrt(case["e0"]), 13)
    checkpoints = [1, 10, 100, 300]
    exact = as_function(rhs("sgd_c_over_k", "exact"), _c_values(case), modules="mpmath")
    want = np.array([float(exact(n)) for n in checkpoints])
    assert_mc_agrees(u[:, np.array(checkpoints) - 1] ** 2, want, f"c/k, a = {case['a']}")


BIG = 100_000


@pytest.mark.parametrize(
    "case",
    [C for C in C_OVER_K if C["a"] > 0.5] + [{"a": 2.0, "c": 2.0, "sigma": 1.0, "b": 1, "e0": 1.0}],
)
def test_c_over_k_limit_above_half(case):
    limit = float(rhs("sgd_c_over_k", "limit_a_above_half").subs(_c_values(case)))
    e = _c_over_k_recursion(case["a"], case["c"], case["sigma"], case["b"], case["e0"], BIG)
    correction = BIG ** -min(1.0, 2 * case["a"] - 1)  # next order of k e_k
    assert BIG * e[-1] == pytest.approx(limit, rel=10 * correction)


def test_c_over_k_limit_at_half():
    """a = 1/2: k e_k = A log k + const + o(1), so the slope in log k is A."""
    case = C_OVER_K[1]
    slope = float(rhs("sgd_c_over_k", "limit_a_half").subs(_c_values(case)))
    e = _c_over_k_recursion(0.5, case["c"], case["sigma"], case["b"], case["e0"], BIG)
    low, high = BIG // 10, BIG
    measured = (high * e[high - 1] - low * e[low - 1]) / math.log(high / low)
    assert measured == pytest.approx(slope, rel=1e-3)


@pytest.mark.parametrize("a_value", [0.1, 0.25, 0.4])
def test_c_over_k_limit_below_half(a_value):
    """a < 1/2: e_k = K k^(-2a) + c^2 sigma^2/(b (2a - 1) k) + O(k^(-2a-1))."""
    case = {"a": a_value, "c": 1.0, "sigma": 1.3, "b": 2, "e0": 3.0}
    values = _c_values(case)
    constant = float(as_function(rhs("sgd_c_over_k", "limit_a_below_half"), values, (), "mpmath")())
    e = _c_over_k_recursion(a_value, 1.0, 1.3, 2, 3.0, BIG)
    particular = 1.3**2 / (2 * (2 * a_value - 1) * BIG)
    assert e[-1] == pytest.approx(constant * BIG ** (-2 * a_value) + particular, rel=1e-3)


def test_c_over_k_optimal_constant():
    assert rhs("sgd_c_over_k", "optimal_c") == 1 / lam


# ------------------------------------------------------------------------ constant step

CONSTANT = [
    {"eta": 0.1, "lam": 1.0, "sigma": 1.0, "b": 1},
    {"eta": 0.5, "lam": 1.0, "sigma": 1.0, "b": 1},
    {"eta": 1.5, "lam": 1.0, "sigma": 1.0, "b": 1},
    {"eta": 0.1, "lam": 1.0, "sigma": 1.0, "b": 4},
    {"eta": 0.45, "lam": 4.0, "sigma": 2.0, "b": 2},
]


def _constant_values(case, e0_=9.0):
    return {eta: case["eta"], lam: case["lam"], sigma: case["sigma"], b: case["b"], e0: e0_}


@pytest.mark.parametrize("case", CONSTANT)
def test_constant_step_matches_recursion(case):
    closed = as_function(rhs("constant_step", "second_moment"), _constant_values(case))
    steps, factor = 10_000, (1 - case["eta"] * case["lam"]) ** 2
    forcing = case["eta"] ** 2 * case["sigma"] ** 2 / case["b"]
    values, moment = np.empty(steps), 9.0
    for n in range(steps):
        moment = factor * moment + forcing
        values[n] = moment
    np.testing.assert_allclose(closed(np.arange(1, steps + 1)), values, rtol=1e-10)
    stationary = float(rhs("constant_step", "stationary").subs(_constant_values(case)))
    assert values[-1] == pytest.approx(stationary, rel=1e-10)
    gap = float(rhs("constant_step", "plateau_gap").subs(_constant_values(case)))
    assert case["lam"] / 2 * values[-1] == pytest.approx(gap, rel=1e-10)


@pytest.mark.parametrize("case", CONSTANT[:4])
def test_constant_step_matches_monte_carlo(case):
    steps = 200
    u = sgd_1d(np.full(steps, case["eta"]), case["lam"], case["sigma"], case["b"], 3.0, 17)
    checkpoints = np.array([5, 20, 200])
    closed = as_function(rhs("constant_step", "second_moment"), _constant_values(case))
    assert_mc_agrees(u[:, checkpoints - 1] ** 2, closed(checkpoints), f"constant {case}")


@pytest.mark.parametrize(("scale", "stable"), [(0.98, True), (1.02, False)])
def test_constant_step_stability_boundary(scale, stable):
    lam_ = 2.0
    step = scale * 2 / lam_
    assert (step in rhs("constant_step", "stable_steps").subs(lam, lam_)) is stable
    moment = 1.0
    for _ in range(2000):
        moment = (1 - step * lam_) ** 2 * moment + step**2
    assert (moment < 1e3) is stable


def test_constant_step_multi_d_matches_monte_carlo():
    """H = diag(lam), correlated noise covariance: per-coordinate moments and the plateau gap."""
    lams, steps, step, batch = np.array([0.5, 1.0, 2.0]), 150, 0.3, 2
    cov = np.array([[1.0, 0.6, -0.3], [0.6, 2.0, 0.4], [-0.3, 0.4, 0.5]])
    chol, start = np.linalg.cholesky(cov), np.array([2.0, -1.0, 0.5])
    rng = np.random.default_rng(19)
    u = np.tile(start, (R, 1))
    for _ in range(steps):
        xi = (rng.standard_normal((R, batch, 3)) @ chol.T).mean(axis=1)
        u = u - step * (lams * u + xi)
    coordinate = rhs("constant_step", "coordinate_second_moment")
    exact = np.array(
        [
            float(
                coordinate.subs(
                    {lam_i[i]: lams[n], Sigma[i, i]: cov[n, n], e0_i[i]: start[n] ** 2}
                ).subs({eta: step, b: batch, k: steps})
            )
            for n in range(3)
        ]
    )
    assert_mc_agrees(u**2, exact, "multi-d coordinates")
    plateau = rhs("constant_step", "plateau_gap_multi").subs({d: 3, eta: step, b: batch}).doit()
    plateau = float(
        plateau.subs({lam_i[n + 1]: lams[n] for n in range(3)}).subs(
            {Sigma[n + 1, n + 1]: cov[n, n] for n in range(3)}
        )
    )
    stationary = cov.diagonal() * step / (batch * lams * (2 - step * lams))  # iterate to check
    assert plateau == pytest.approx(float(np.sum(lams * stationary) / 2), rel=1e-12)
    assert np.sum(lams / 2 * exact) == pytest.approx(plateau, rel=1e-6)  # k = 150: converged


LEAST_SQUARES = [
    {"d": 5, "s": 0.5, "eta": 0.1},
    {"d": 5, "s": 0.5, "eta": 0.25},
    {"d": 2, "s": 1.0, "eta": 0.3},
]


def _ls_values(case, e0_):
    return {d: case["d"], s_eps: case["s"], eta: case["eta"], e0: e0_}


@pytest.mark.parametrize("case", LEAST_SQUARES)
def test_least_squares_matches_recursion(case):
    closed = as_function(rhs("constant_step", "ls_second_moment"), _ls_values(case, 2.0))
    dim, step = case["d"], case["eta"]
    factor, forcing = 1 - 2 * step + step**2 * (dim + 2), step**2 * dim * case["s"] ** 2
    values, moment = np.empty(10_000), 2.0
    for n in range(10_000):
        moment = factor * moment + forcing
        values[n] = moment
    np.testing.assert_allclose(closed(np.arange(1, 10_001)), values, rtol=1e-10)


@pytest.mark.parametrize("case", LEAST_SQUARES[::2])
def test_least_squares_matches_monte_carlo(case):
    dim, step, steps = case["d"], case["eta"], 200
    rng = np.random.default_rng(23)
    err = np.full((R, dim), 0.5)  # w_0 - w*
    checkpoints, squares = (10, 50, 200), []
    for n in range(1, steps + 1):
        rows = rng.standard_normal((R, dim))
        residual = np.einsum("rd,rd->r", rows, err) - case["s"] * rng.standard_normal(R)
        err = err - step * rows * residual[:, None]
        if n in checkpoints:
            squares.append(np.sum(err**2, axis=1))
    closed = as_function(rhs("constant_step", "ls_second_moment"), _ls_values(case, 0.25 * dim))
    assert_mc_agrees(np.array(squares).T, closed(np.array(checkpoints)), f"least squares {case}")


@pytest.mark.parametrize(("scale", "stable"), [(0.98, True), (1.02, False)])
def test_least_squares_stability_boundary(scale, stable):
    dim = 5
    step = scale * 2 / (dim + 2)
    assert (step in rhs("constant_step", "ls_stable_steps").subs(d, dim)) is stable
    assert (abs(1 - 2 * step + step**2 * (dim + 2)) < 1) is stable


# --------------------------------------------------------------- Polyak-Ruppert average


def _pr_values(case):
    return {eta: case["eta"], lam: case["lam"], sigma: case["sigma"], b: case["b"], e0: 4.0}


PR = [
    {"eta": 0.1, "lam": 1.0, "sigma": 1.0, "b": 1},
    {"eta": 0.5, "lam": 1.0, "sigma": 1.0, "b": 1},
    {"eta": 0.3, "lam": 5.0, "sigma": 2.0, "b": 3},  # eta lam > 1: oscillating
]


@pytest.mark.parametrize("case", PR)
def test_polyak_ruppert_matches_moment_recursion(case):
    """Iterate the second moments of (u_k, S_k = sum_{t<=k} u_t), a linear system."""
    rho = 1 - case["eta"] * case["lam"]
    step = np.array([[rho, 0.0], [rho, 1.0]])
    forcing = case["eta"] ** 2 * case["sigma"] ** 2 / case["b"] * np.ones((2, 2))
    moments, values = np.array([[4.0, 0.0], [0.0, 0.0]]), np.empty(5000)
    for n in range(1, 5001):
        moments = step @ moments @ step.T + forcing
        values[n - 1] = moments[1, 1] / n**2
    closed = as_function(rhs("polyak_ruppert_constant_step", "exact"), _pr_values(case))
    np.testing.assert_allclose(closed(np.arange(1, 5001)), values, rtol=1e-9)


@pytest.mark.parametrize("case", PR[:2])
def test_polyak_ruppert_matches_monte_carlo(case):
    steps = 300
    u = sgd_1d(np.full(steps, case["eta"]), case["lam"], case["sigma"], case["b"], 2.0, 29)
    averages = np.cumsum(u, axis=1) / np.arange(1, steps + 1)
    checkpoints = np.array([1, 10, 100, 300])
    closed = as_function(rhs("polyak_ruppert_constant_step", "exact"), _pr_values(case))
    assert_mc_agrees(averages[:, checkpoints - 1] ** 2, closed(checkpoints), "Polyak-Ruppert")


# ------------------------------------------------------------------------ GD on quadratics


def _gd(lams, start, step, steps):
    iterates, w = np.empty((steps, len(lams))), start.astype(float)
    for n in range(steps):
        w = w - step * lams * w
        iterates[n] = w
    return iterates


def test_gd_matches_iteration():
    lams, start, step = np.array([0.5, 1.0, 3.0, 4.0]), np.array([1.0, -2.0, 0.5, 3.0]), 0.45
    iterates = _gd(lams, start, step, 200)
    iterate = rhs("gd_quadratic", "iterate")
    ks = np.arange(1, 201)
    for n in range(4):
        closed = as_function(iterate.subs({lam_i[i]: lams[n], e0_i[i]: start[n]}), {eta: step})
        np.testing.assert_allclose(closed(ks), iterates[:, n], rtol=1e-10)
    gap = rhs("gd_quadratic", "gap").subs({d: 4, eta: step, k: 37}).doit()
    gap = gap.subs({lam_i[n + 1]: lams[n] for n in range(4)})
    gap = float(gap.subs({e0_i[n + 1]: start[n] for n in range(4)}))
    assert gap == pytest.approx(0.5 * np.sum(lams * iterates[36] ** 2), rel=1e-12)


@pytest.mark.parametrize(("scale", "converges"), [(0.99, True), (1.01, False)])
def test_gd_stability_boundary(scale, converges):
    lams = np.array([0.2, 1.0, 5.0])
    step = scale * 2 / lams.max()
    assert (step in rhs("gd_quadratic", "stable_steps").subs(L, lams.max())) is converges
    final = _gd(lams, np.ones(3), step, 3000)[-1]
    assert bool(np.linalg.norm(final) < 1e-3) is converges


@pytest.mark.parametrize(("mu_", "L_"), [(1.0, 10.0), (0.01, 1.0), (2.0, 3.0)])
def test_gd_optimal_step_contracts_exactly(mu_, L_):
    step = float(rhs("gd_quadratic", "optimal_step").subs({mu: mu_, L: L_}))
    rate = float(rhs("gd_quadratic", "contraction").subs(kappa, L_ / mu_))
    start = np.array([1.0, -1.5])
    iterates = _gd(np.array([mu_, L_]), start, step, 50)
    ratios = np.linalg.norm(iterates, axis=1) / np.linalg.norm(start)
    np.testing.assert_allclose(ratios, rate ** np.arange(1, 51), rtol=1e-10)
    gap = as_function(
        rhs("gd_quadratic", "gap_two_eigenvalues"),
        {mu: mu_, L: L_, kappa: L_ / mu_, e0_i[1]: start[0], e0_i[2]: start[1]},
    )
    np.testing.assert_allclose(
        gap(np.arange(1, 51)), 0.5 * (iterates**2) @ np.array([mu_, L_]), rtol=1e-9
    )


# ------------------------------------------------------------------------- Rakhlin lemma


def _worst_recursion(start, steps):
    """d_k = max(1 - 2/k, 0) d_{k-1} + 1/k^2 (units of G^2/lam^2): the largest d_k allowed."""
    values, dist = np.empty(steps), start
    for n in range(1, steps + 1):
        dist = max(1 - 2 / n, 0.0) * dist + 1 / n**2
        values[n - 1] = dist
    return values


def test_rakhlin_bound_holds_on_the_worst_recursion_and_least_constant_is_attained():
    bound = as_function(rhs("rakhlin_lemma", "bound"), {G: 1.0, lam: 1.0})
    least = float(rhs("rakhlin_lemma", "least_constant"))
    ks = np.arange(1, 10_001)
    worst = np.zeros(10_000)
    for start in np.linspace(0.0, 1.0, 11):  # d_0 in [0, G^2/lam^2]
        values = _worst_recursion(start, 10_000)
        assert np.all(values <= bound(ks))
        worst = np.maximum(worst, values * (ks + 1))
    assert worst.max() == pytest.approx(least, rel=1e-12)


def test_rakhlin_bound_holds_for_projected_sgd_monte_carlo():
    """F = lam/2 w^2 on [-r, r], g = lam w + sigma * Rademacher: G^2 = lam^2 r^2 + sigma^2."""
    lam_, radius, sigma_, steps = 1.0, 2.0, 1.0, 300
    g2 = lam_**2 * radius**2 + sigma_**2
    rng = np.random.default_rng(31)
    w, squares = np.full(R, radius), np.empty((R, steps))
    for n in range(1, steps + 1):
        grad = lam_ * w + sigma_ * noise(rng, (R,), "rademacher")
        w = np.clip(w - grad / (lam_ * n), -radius, radius)
        squares[:, n - 1] = w**2
    bound = as_function(rhs("rakhlin_lemma", "bound"), {G: math.sqrt(g2), lam: lam_})
    mean = squares.mean(axis=0)
    se = squares.std(axis=0, ddof=1) / math.sqrt(R)
    assert np.all(mean + Z * se <= bound(np.arange(1, steps + 1)))


# ------------------------------------------------------------------ polynomial-decay weights


def _weights_by_recursion(gamma_, steps):
    """Run wbar_t = (1 - q_t) wbar_{t-1} + q_t w_t on unit vectors: weights of w_1..w_steps."""
    weights = np.zeros(steps)
    for n in range(1, steps + 1):
        new = (gamma_ + 1) / (n + gamma_)
        weights[: n - 1] *= 1 - new
        weights[n - 1] = new
    return weights


@pytest.mark.parametrize("gamma_", [0.0, 0.5, 1.0, 3.0, 7.5])
def test_polydecay_closed_form_matches_recursion(gamma_):
    steps = 150
    closed = as_function(
        rhs("polydecay_weights", "weight"), {gamma: gamma_, k: steps}, (s,), "scipy"
    )
    got = closed(np.arange(1, steps + 1, dtype=float))
    want = _weights_by_recursion(gamma_, steps)
    np.testing.assert_allclose(got, want, rtol=1e-12)
    assert want.sum() == pytest.approx(1.0, rel=1e-13)
    if gamma_ == int(gamma_):
        rising = rhs("polydecay_weights", "weight_rising").subs({gamma: int(gamma_), k: steps})
        for index in (1, 17, steps):
            assert float(rising.subs(s, index)) == pytest.approx(want[index - 1], rel=1e-12)


def _finite_constant(weights, paper_index=False):
    """k E(wbar_k - w*)^2 lam^2 b/sigma^2 for averages of the 1/(lam k) iterates, exactly.

    Project index: w_t = -(1/(lam t)) sum_{s<=t} xi_s, t = 1..k. Paper index: w_1 = w* is
    the start and w_t = -(1/(lam (t-1))) sum_{s<t} xi_s.
    """
    size = len(weights)
    if paper_index:
        per_iterate = weights[1:] / np.arange(1, size)  # c_t/(t-1), t = 2..T
    else:
        per_iterate = weights / np.arange(1, size + 1)
    coefficients = np.cumsum(per_iterate[::-1])[::-1]
    return size * np.sum(coefficients**2)


def _suffix_weights(fraction, steps):
    weights = np.zeros(steps)
    count = round(fraction * steps)
    weights[steps - count :] = 1 / count
    return weights


SCHEMES = [  # name, result, substitutions, weights(k)
    ("uniform", "constant_uniform", {}, lambda n: _weights_by_recursion(0.0, n), 1.9973),
    ("gamma=1", "constant_polydecay", {gamma: 1}, lambda n: _weights_by_recursion(1.0, n), 1.3337),
    ("gamma=3", "constant_polydecay", {gamma: 3}, lambda n: _weights_by_recursion(3.0, n), 1.1431),
    (
        "suffix 1/2",
        "constant_suffix",
        {alpha: sp.Rational(1, 2)},
        lambda n: _suffix_weights(0.5, n),
        1.2276,
    ),
    (
        "suffix 0.1",
        "constant_suffix",
        {alpha: sp.Rational(1, 10)},
        lambda n: _suffix_weights(0.1, n),
        1.0352,
    ),
]


@pytest.mark.parametrize(("name", "result", "values", "weights", "paper_value"), SCHEMES)
def test_asymptotic_constants_match_exact_finite_sums(name, result, values, weights, paper_value):
    constant = float(rhs("polydecay_weights", result).subs(values))
    near, far = _finite_constant(weights(1000)), _finite_constant(weights(4000))
    assert far == pytest.approx(constant, rel=2e-3), name
    assert abs(far - constant) < abs(near - constant), name  # converging to it
    # THEORY.md §10.5 quotes T = 4000 in the papers' index (start w_1 = w* included)
    assert _finite_constant(weights(4000), paper_index=True) == pytest.approx(paper_value, abs=6e-5)


def test_polydecay_variance_matches_monte_carlo():
    lam_, sigma_, batch, steps, gamma_ = 2.0, 1.5, 2, 200, 1.0
    u = sgd_1d(1 / (lam_ * np.arange(1, steps + 1)), lam_, sigma_, batch, 5.0, 37)
    average = u[:, 0].copy()
    checkpoints, squares = (1, 20, 200), [average**2]
    for n in range(2, steps + 1):
        new = (gamma_ + 1) / (n + gamma_)
        average = (1 - new) * average + new * u[:, n - 1]
        if n in checkpoints:
            squares.append(average**2)
    variance = rhs("polydecay_weights", "variance_exact")
    values = {gamma: 1, lam: lam_, sigma: sigma_, b: batch}
    exact = [float(variance.subs(values).subs(k, n).doit()) for n in checkpoints]
    assert_mc_agrees(np.array(squares).T, np.array(exact), "polynomial-decay average")


def test_polydecay_noise_coefficient_matches_its_sum():
    coefficient = rhs("polydecay_weights", "noise_coefficient")
    for gamma_ in (0.5, 2.0):
        weights = _weights_by_recursion(gamma_, 60)
        sums = np.cumsum((weights / np.arange(1, 61))[::-1])[::-1]
        closed = as_function(coefficient, {gamma: gamma_, k: 60}, (s,), "scipy")
        np.testing.assert_allclose(closed(np.arange(1, 61, dtype=float)), sums, rtol=1e-11)
