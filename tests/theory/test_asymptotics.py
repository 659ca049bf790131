"""theory.asymptotics: symbolic derivations, checked against independent numerics."""

from __future__ import annotations

import itertools
import math
import re

import mpmath
import numpy as np
import pytest
import sympy as sp
from scipy.optimize import brentq

from theory import asymptotics as A
from theory.catalog import CATALOG, get_theorem
from theory.errors import InputError
from theory.symbols import D, G, L, R, b, c, eps, eta, k, lam, n, sigma

V = eta * sigma**2 / (b * lam * (2 - eta * lam))
FLOOR = (1 - eta * lam) ** (2 * k) * (R**2 - V) + V
MINIBATCH = 2 * D**2 * L / k + 2 * D * sigma / sp.sqrt(b * k)
SHAMIR_ZHANG = 17 * G**2 * (1 + sp.log(k + 1)) / (lam * (k + 1))

# ----------------------------------------------------------------- symbolic tables

LEADING = [
    (MINIBATCH, (), 2 * D * sigma / sp.sqrt(b * k)),
    (SHAMIR_ZHANG, (), 17 * G**2 * sp.log(k) / (lam * k)),
    (L * R**2 / (4 * k + 2), (), L * R**2 / (4 * k)),
    (FLOOR, (eta < 2 / lam,), V),
    (3 * k**2 + k, (), 3 * k**2),
    (
        (D**2 * sp.sqrt(k + 1) / (2 * c) + c * G**2 * (sp.sqrt(k + 1) - 1)) / k,
        (),
        (D**2 / (2 * c) + c * G**2) / sp.sqrt(k),
    ),
    (k * sp.exp(-k) + 1 / k, (), 1 / k),
    (1 / k - 1 / (k + 1), (), 1 / k**2),  # dominant terms cancel: limits fallback
    (k ** (-2 * c * lam) + 1 / k, (c * lam < sp.Rational(1, 2),), k ** (-2 * c * lam)),
    (k ** (-2 * c * lam) + 1 / k, (c * lam > sp.Rational(1, 2),), 1 / k),
]


@pytest.mark.parametrize(("bound", "conditions", "expected"), LEADING)
def test_leading_term(bound, conditions, expected):
    got = A.leading_term(bound, k, conditions)
    assert sp.simplify(got - expected) == 0, got


SHAPES = [
    # bound, conditions, exponent, log power, contraction, floor
    (MINIBATCH, (), sp.Rational(-1, 2), 0, None, 0),
    (SHAMIR_ZHANG, (), -1, 1, None, 0),
    (c**2 * sigma**2 * sp.log(k) / (b * k), (), -1, 1, None, 0),
    (R**2 * k ** (-2 * c * lam), (), -2 * c * lam, 0, None, 0),
    (L * R**2 / 2 * (1 - lam / L) ** k, (lam <= L,), None, 0, 1 - lam / L, 0),
    (FLOOR, (eta < 2 / lam,), None, 0, (1 - eta * lam) ** 2, V),
    (k * (sp.Rational(1, 2)) ** k, (), None, 0, sp.Rational(1, 2), 0),
    (k**2, (), 2, 0, None, sp.oo),
]


@pytest.mark.parametrize(("bound", "conditions", "exponent", "log_power", "rho", "floor"), SHAPES)
def test_rate_shape(bound, conditions, exponent, log_power, rho, floor):
    shape = A.rate_shape(bound, conditions)
    assert shape.exponent == exponent
    assert shape.log_power == log_power
    assert (shape.contraction is None) == (rho is None)
    if rho is not None:
        assert sp.simplify(shape.contraction - rho) == 0
    assert shape.floor == floor or sp.simplify(shape.floor - floor) == 0


def test_double_root_keeps_its_polynomial_prefactor():
    shape = A.rate_shape(k * sp.Rational(9, 10) ** k)
    assert shape.prefactor_power == 1
    assert shape.order == k * sp.Rational(9, 10) ** k


ITERATIONS = [
    (MINIBATCH, (), 4 * D**2 * sigma**2 / (b * eps**2)),
    (L * R**2 / (2 * k), (), L * R**2 / (2 * eps)),
    (SHAMIR_ZHANG, (), 17 * G**2 * sp.log(17 * G**2 / (lam * eps)) / (lam * eps)),
    (
        L * R**2 / 2 * (1 - lam / L) ** k,
        (lam <= L,),
        sp.log(L * R**2 / (2 * eps)) / sp.log(L / (L - lam)),
    ),
]


@pytest.mark.parametrize(("bound", "conditions", "expected"), ITERATIONS)
def test_iterations_to_eps_closed_forms(bound, conditions, expected):
    assert sp.simplify(A.iterations_to_eps(bound, conditions) - expected) == 0


def test_minibatch_samples_and_crossover():
    assert sp.simplify(A.samples_to_eps(MINIBATCH) - 4 * D**2 * sigma**2 / eps**2) == 0
    crossover = A.batch_crossover(MINIBATCH)
    assert sp.simplify(crossover - sigma * sp.sqrt(n) / (D * L)) == 0


@pytest.mark.parametrize("budget", [1e4, 1e6, 1e9])
def test_batch_crossover_numerically_balances_the_terms(budget):
    values = {D: 1.3, L: 2.0, sigma: 0.7, n: budget}
    deterministic, stochastic = A.split_batch_terms(MINIBATCH)
    b_star = float(A.batch_crossover(MINIBATCH).subs(values))

    def terms(batch):
        at = {**values, b: batch, k: budget / batch}
        return float(deterministic.subs(at)), float(stochastic.subs(at))

    det, sto = terms(b_star)
    assert det == pytest.approx(sto, rel=1e-12)
    det_small, sto_small = terms(b_star / 4)  # below b*, the noise term dominates
    assert sto_small > det_small


def test_batch_scaling_is_sqrt_b_and_b_exactly():
    scaling = A.batch_scaling(
        get_theorem("minibatch-sgd-smooth-convex").bound,
        get_theorem("minibatch-sgd-convex-uniform").bound,
    )
    assert sp.simplify(scaling.stochastic_per_iteration - sp.sqrt(b)) == 0
    assert sp.simplify(scaling.deterministic_per_sample - b) == 0
    assert sp.simplify(scaling.nonsmooth_per_sample - sp.sqrt(b)) == 0


# ------------------------------------------------------------- minibatch variance


@pytest.mark.parametrize(("N", "batch"), [(5, 1), (5, 2), (6, 3), (6, 6), (7, 4)])
def test_minibatch_variance_matches_exact_enumeration(N, batch):
    points = np.random.default_rng(N * 10 + batch).normal(size=N)
    population_var = points.var()  # 1/N convention
    without = [np.mean(s) for s in itertools.combinations(points, batch)]
    with_replacement = [np.mean(s) for s in itertools.product(points, repeat=batch)]
    s2 = sp.Float(population_var)
    assert float(A.minibatch_variance(s2, batch, N)) == pytest.approx(np.var(without), rel=1e-10)
    assert float(A.minibatch_variance(s2, batch)) == pytest.approx(
        np.var(with_replacement), rel=1e-10
    )


def test_minibatch_variance_symbolic_forms():
    assert sp.simplify(A.minibatch_variance(sigma**2, b) - sigma**2 / b) == 0
    N = sp.Symbol("N", positive=True, integer=True)
    got = A.minibatch_variance(sigma**2, b, N)
    assert sp.simplify(got - sigma**2 / b * (N - b) / (N - 1)) == 0


# ------------------------------------------------------------------ bad input

BAD = [
    (lambda: A.rate_shape("1/k"), "SymPy expression"),
    (lambda: A.leading_term(G**2), "expected a SymPy expression that depends on k"),
    (lambda: A.rate_shape(FLOOR), "cannot decide the sign"),
    (lambda: A.iterations_to_eps(FLOOR, (eta < 2 / lam,)), "never reached"),
    (lambda: A.iterations_to_eps(k**2), "not 0"),
    (lambda: A.rate_shape(1 / k, (sp.true,)), "relational"),
    (lambda: A.rate_shape(FLOOR, (sp.sin(eta) < 1,)), "cannot solve it"),
    (lambda: A.split_batch_terms(L * R**2 / k), "batch size b"),
    (lambda: A.minibatch_variance(sigma**2, 0), "b = 0 is not allowed; expected a batch size"),
    (lambda: A.minibatch_variance(sigma**2, 5, 3), "N >= b"),
    (lambda: A.minibatch_variance("sigma**2", 2), "SymPy expression"),
]


@pytest.mark.parametrize(("call", "message"), BAD)
def test_bad_input_raises_input_error(call, message):
    with pytest.raises(InputError, match=re.escape(message)):
        call()


# ---------------------------------------------- every catalog theorem, numerically

VALUES = {
    "lam": 0.7, "mu": 1.9, "L": 2.3, "G": 1.3, "sigma": 0.9, "D": 2.1, "R": 1.7, "c": 0.8,
    "alpha": 0.5, "gamma": 2.0, "eta": 0.3, "b": 4,
}  # fmt: skip
OVERRIDES = {
    "minibatch-sgd-quadratic-c-over-k-fast": {"c": 1.5},
    "minibatch-sgd-quadratic-c-over-k-critical": {"c": 1.0, "lam": 0.5},
    "minibatch-sgd-quadratic-c-over-k-slow": {"c": 0.2},
}
mpmath.mp.dps = 60


def _numeric(theorem):
    values = {**VALUES, **OVERRIDES.get(theorem.id, {})}
    used = theorem.bound.free_symbols.union(*(c.free_symbols for c in theorem.conditions))
    subs = {s: sp.Float(values[s.name], 30) for s in used if s != k}
    for cond in theorem.conditions:
        assert cond.subs(subs) == sp.true, f"test constants violate {cond}"
    return subs, sp.lambdify(k, theorem.bound.subs(subs), modules="mpmath")


def _log_slope(f, kk):
    h = mpmath.mpf("1e-6")
    return (mpmath.log(f(kk * mpmath.exp(h))) - mpmath.log(f(kk * mpmath.exp(-h)))) / (2 * h)


POWER = [t for t in CATALOG if t.shape.contraction is None]
LINEAR = [t for t in CATALOG if t.shape.contraction is not None]


@pytest.mark.parametrize("theorem", POWER, ids=lambda t: t.id)
def test_exponent_and_log_power_match_numerical_slopes(theorem):
    subs, f = _numeric(theorem)
    # local slope s(k) = p + q/log(k) + o(1/log k): two far-apart points separate p and q
    k1, k2 = mpmath.mpf(10) ** 50, mpmath.mpf(10) ** 100
    s1, s2 = _log_slope(f, k1), _log_slope(f, k2)
    q_num = (s1 - s2) / (1 / mpmath.log(k1) - 1 / mpmath.log(k2))
    p_num = s2 - q_num / mpmath.log(k2)
    shape = theorem.shape
    assert float(p_num) == pytest.approx(float(shape.exponent.subs(subs)), abs=2e-3)
    assert float(q_num) == pytest.approx(float(shape.log_power), abs=0.05)
    # the leading term is asymptotically equivalent to the bound
    lead = sp.lambdify(k, theorem.leading.subs(subs), modules="mpmath")
    assert float(f(k2) / lead(k2)) == pytest.approx(1, abs=0.02)


@pytest.mark.parametrize("theorem", LINEAR, ids=lambda t: t.id)
def test_contraction_and_floor_match_numerics(theorem):
    subs, f = _numeric(theorem)
    floor = f(mpmath.mpf(10) ** 7)  # rho**(1e7) is far below 60 digits
    assert float(floor) == pytest.approx(float(theorem.shape.floor.subs(subs)), rel=1e-12)
    ratio = (f(201) - floor) / (f(200) - floor)
    assert float(ratio) == pytest.approx(float(theorem.shape.contraction.subs(subs)), rel=1e-9)


def _solve(f, target, linear):
    if linear:
        return brentq(lambda x: float(mpmath.log(f(x)) - target), 0.0, 1e6, xtol=1e-12)
    x = brentq(lambda x: float(mpmath.log(f(mpmath.exp(x))) - target), 1.5, 700.0, xtol=1e-13)
    return math.exp(x)


@pytest.mark.parametrize(
    "theorem", [t for t in CATALOG if t.k_to_eps is not None], ids=lambda t: t.id
)
def test_iterations_to_eps_matches_brentq(theorem):
    subs, f = _numeric(theorem)
    shape = theorem.shape
    k_eps = sp.lambdify(eps, theorem.k_to_eps.subs(subs), modules="mpmath")
    errors = []
    targets = (60, 300) if shape.is_linear else (1e60, 1e250)
    for k_target in targets:
        target = float(mpmath.log(f(mpmath.mpf(k_target))))
        solved = _solve(f, target, shape.is_linear)
        errors.append(abs(float(k_eps(mpmath.exp(target))) / solved - 1))
    if shape.log_power == 0:
        assert errors[-1] < 1e-6
    else:  # one fixed-point step leaves a relative error ~ (q/P) log log(1/eps)/log(1/eps)
        q_over_p = float(shape.log_power / -shape.exponent)
        log_c_eps = -target
        assert errors[-1] < 3 * q_over_p * math.log(log_c_eps) / log_c_eps
        assert errors[-1] < errors[0]


def test_samples_to_eps_matches_brentq():
    theorem = get_theorem("minibatch-sgd-smooth-convex")
    subs, f = _numeric(theorem)
    target = float(mpmath.log(f(mpmath.mpf(10) ** 40)))
    samples = subs[b] * _solve(f, target, linear=False)
    predicted = A.samples_to_eps(theorem.bound).subs(subs).subs(eps, math.exp(target))
    assert float(predicted) / float(samples) == pytest.approx(1, rel=1e-6)
