"""theory.catalog: ids, sources, index conventions, and each bound against numerics."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pytest
import sympy as sp
from scipy.special import gammaln
from scipy.stats import binom

from theory import catalog
from theory.catalog import CATALOG, get_theorem, theorem_ids
from theory.errors import UnknownNameError
from theory.symbols import D, G, L, R, alpha, b, c, eta, gamma, k, lam, mu, sigma

# ------------------------------------------------------------------------ ids


def test_ids_are_unique_kebab_case_and_documented():
    ids = theorem_ids()
    assert ids == tuple(t.id for t in CATALOG)
    assert len(set(ids)) == len(ids)
    table = re.findall(r"^([a-z0-9-]+)\s{2,}", catalog.__doc__, flags=re.MULTILINE)
    assert table == ["id", *ids]


def test_get_theorem_round_trips_and_lists_ids_when_unknown():
    for theorem in CATALOG:
        assert get_theorem(theorem.id) is theorem
    pattern = "^theorem: id = 'sgd-sc' is not allowed; expected one of sgd-sc-dist, "
    with pytest.raises(UnknownNameError, match=pattern):
        get_theorem("sgd-sc")
    with pytest.raises(UnknownNameError) as info:
        get_theorem(["not", "a", "name"])  # type: ignore[arg-type]
    assert all(i in str(info.value) for i in theorem_ids())


@pytest.mark.parametrize("theorem", CATALOG, ids=lambda t: t.id)
def test_every_theorem_serializes_and_summarizes(theorem):
    data = json.loads(json.dumps(theorem.to_dict()))
    assert data["id"] == theorem.id and data["source"]
    assert theorem.summary().startswith(f"{theorem.id}: ")


VERIFIED = {
    "sgd-sc-dist",
    "sgd-sc-last",
    "sgd-convex-last",
    "gd-smooth-convex",
    "gd-sc-smooth",
    "gd-sc-smooth-optimal-step",
    "nesterov-smooth-convex",
    "minibatch-sgd-quadratic-constant-step",
    "minibatch-sgd-quadratic-c-over-k-fast",
    "minibatch-sgd-quadratic-c-over-k-critical",
    "minibatch-sgd-quadratic-c-over-k-slow",
    "minibatch-sgd-quadratic-exact",
    "lower-convex-two-point",
}


def test_only_checked_results_are_marked_verified():
    assert {t.id for t in CATALOG if t.verified} == VERIFIED
    for theorem in CATALOG:
        if "unverified" in theorem.verification or "derived, not quoted" in theorem.verification:
            assert not theorem.verified, theorem.id


# --------------------------------------------- the brief's forms, in our index

PAPER = sp.Symbol("T", positive=True)  # a paper's iterate index, only for this table
KAPPA = L / lam
FORMS = [
    # id, form, how it relates to the catalog bound
    ("sgd-sc-dist", 4 * G**2 / (lam**2 * PAPER), "shift"),
    ("sgd-sc-smooth-last", 2 * mu * G**2 / (lam**2 * PAPER), "shift"),
    ("sgd-sc-last", 17 * G**2 * (1 + sp.log(PAPER)) / (lam * PAPER), "shift"),
    ("sgd-convex-last", (D**2 / c + c * G**2) * (2 + sp.log(PAPER)) / sp.sqrt(PAPER), "shift"),
    ("sgd-sc-uniform", G**2 * (1 + sp.log(k)) / (2 * lam * k), "leading"),
    ("sgd-sc-suffix", G**2 * (2 + sp.log(1 / (1 - alpha)) / 2) / (lam * alpha * k), "same"),
    ("sgd-sc-polydecay", (gamma + 1) * (2 + 1 / (2 * gamma)) * G**2 / (lam * k), "same"),
    ("sgd-convex-uniform", (D**2 / (2 * c) + c * G**2) / sp.sqrt(k), "leading"),
    (
        "sgd-convex-polydecay",
        (gamma + 1) * (D**2 / (2 * c) + c * G**2 / (2 * gamma + 1)) / sp.sqrt(k),
        "same",
    ),
    ("minibatch-sgd-smooth-convex", 2 * D**2 * L / k + 2 * D * sigma / sp.sqrt(b * k), "same"),
    ("gd-smooth-convex", L * R**2 / (2 * k), "same"),
    ("gd-smooth-convex-tight", L * R**2 / (4 * k + 2), "same"),
    ("gd-sc-smooth-optimal-step", L / 2 * ((KAPPA - 1) / (KAPPA + 1)) ** (2 * k) * R**2, "same"),
    ("nesterov-smooth-convex", 2 * L * R**2 / (k + 1) ** 2, "same"),
    ("minibatch-sgd-quadratic-exact", sigma**2 / (2 * b * lam * k), "same"),
    ("lower-sc-stochastic", sigma**2 / (2 * b * lam * k), "same"),
]


@pytest.mark.parametrize(("theorem_id", "form", "relation"), FORMS)
def test_catalog_matches_the_stated_forms_in_our_index(theorem_id, form, relation):
    theorem = get_theorem(theorem_id)
    if relation == "shift":  # a bound on the paper's w_T is B(k) = B_paper(k + 1)
        assert sp.simplify(theorem.bound - form.subs(PAPER, k + 1)) == 0
        assert "B(k) = B_paper(k + 1)" in theorem.notes
    elif relation == "same":
        assert sp.simplify(theorem.bound - form) == 0
    else:  # re-derived for averages over w_1..w_k: same leading order
        assert sp.limit(theorem.bound / form, k, sp.oo) == 1


@pytest.mark.parametrize(
    ("theorem_id", "exponent", "log_power"),
    [
        ("minibatch-sgd-quadratic-c-over-k-fast", -1, 0),
        ("minibatch-sgd-quadratic-c-over-k-critical", -1, 1),
        ("minibatch-sgd-quadratic-c-over-k-slow", -2 * c * lam, 0),
    ],
)
def test_c_over_k_regimes_have_exponent_min_one_two_c_lam(theorem_id, exponent, log_power):
    shape = get_theorem(theorem_id).shape
    assert (shape.exponent, shape.log_power) == (exponent, log_power)


def test_fast_regime_constant_is_smallest_at_c_equal_one_over_lam():
    fast = get_theorem("minibatch-sgd-quadratic-c-over-k-fast").bound
    assert sp.solve(sp.diff(fast, c), c) == [1 / lam]
    assert sp.simplify(fast.subs(c, 1 / lam) - sigma**2 / (b * lam**2 * k)) == 0


# ------------------------------------------------------------ exact identities


def test_constant_step_formula_solves_its_recursion():
    e = get_theorem("minibatch-sgd-quadratic-constant-step").bound
    recursion = (1 - eta * lam) ** 2 * e + eta**2 * sigma**2 / b
    assert sp.simplify(e.subs(k, k + 1) - recursion) == 0
    assert sp.simplify(e.subs(k, 0) - R**2) == 0


def test_exact_gap_with_one_over_lam_k_solves_its_recursion():
    dist = 2 * get_theorem("minibatch-sgd-quadratic-exact").bound / lam
    step = 1 / (lam * k)
    recursion = (1 - step * lam) ** 2 * dist.subs(k, k - 1) + step**2 * sigma**2 / b
    assert sp.simplify(dist - recursion) == 0  # k >= 2
    assert sp.simplify(dist.subs(k, 1) - (step.subs(k, 1) * sigma) ** 2 / b) == 0  # any w_0


def test_nsw_floor_is_about_twice_the_exact_floor_on_the_quadratic():
    exact = get_theorem("minibatch-sgd-quadratic-constant-step").shape.floor
    nsw = get_theorem("minibatch-sgd-sc-constant-step-nsw").shape.floor.subs(L, lam)
    ratio = sp.simplify(exact / nsw)
    assert sp.limit(ratio, eta, 0) == sp.Rational(1, 2)
    assert float(ratio.subs(eta, 0.1 / lam)) == pytest.approx(0.0526 / 0.111, abs=2e-3)


def _second_moment(a, noise, e0, K):
    """e_k = (1 - a/k)^2 e_{k-1} + noise/k^2, k = 1..K (c/k steps on the quadratic)."""
    e, out = e0, np.empty(K)
    for step in range(1, K + 1):
        e = (1 - a / step) ** 2 * e + noise / step**2
        out[step - 1] = e
    return out


C_OVER_K = [
    # id, c, lam, sigma, b, R
    ("minibatch-sgd-quadratic-c-over-k-fast", 1.5, 1.0, 1.2, 2, 2.0),
    ("minibatch-sgd-quadratic-c-over-k-fast", 0.75, 2.0, 1.2, 1, 0.5),
    ("minibatch-sgd-quadratic-c-over-k-slow", 0.1, 1.0, 1.5, 2, 2.0),
    ("minibatch-sgd-quadratic-c-over-k-slow", 0.5, 0.5, 1.5, 4, 1.0),
]


@pytest.mark.parametrize(("theorem_id", "cc", "ll", "ss", "bb", "rr"), C_OVER_K)
def test_c_over_k_asymptotics_match_the_exact_recursion(theorem_id, cc, ll, ss, bb, rr):
    K = 200_000
    e = _second_moment(cc * ll, cc**2 * ss**2 / bb, rr**2, K)
    values = {c: cc, lam: ll, sigma: ss, b: bb, R: rr, k: K}
    predicted = float(get_theorem(theorem_id).bound.subs(values).evalf(20))
    assert e[-1] / predicted == pytest.approx(1, rel=1e-2)


def test_critical_c_over_k_has_log_coefficient_one():
    K, noise = 200_000, 0.5**2 * 1.3**2 / 3  # c = 1/(2 lam) = 0.5, sigma = 1.3, b = 3
    bound = get_theorem("minibatch-sgd-quadratic-c-over-k-critical").bound
    per_log = float(bound.subs({c: 0.5, sigma: 1.3, b: 3, k: math.e}) * math.e)
    e = _second_moment(0.5, noise, 1.0, K)
    ks = np.array([K // 4, K])
    residual = ks * e[ks - 1] / per_log - np.log(ks)  # -> a constant iff the log coefficient is 1
    assert abs(residual[1] - residual[0]) < 1e-3


@pytest.mark.parametrize("e0", [0.0, 1.0])
def test_critical_regime_fitted_slope_is_about_minus_point_nine(e0):
    e = _second_moment(0.5, 0.25, e0, 20_000)  # lam = sigma = 1, c = 1/2
    ks = np.arange(1_000, 20_001)
    slope = np.polyfit(np.log(ks), np.log(e[ks - 1]), 1)[0]
    assert -0.92 < slope < -0.88


# ----------------------------------------------------- attaining instances


@pytest.mark.parametrize("N", [1, 10, 100])
def test_drori_teboulle_huber_attains_the_tight_gd_bound(N):
    Lv, Rv = 2.3, 1.7
    tau = Rv / (2 * N + 1)

    def f(x):
        if abs(x) >= tau:
            return Lv * Rv * abs(x) / (2 * N + 1) - Lv * Rv**2 / (2 * (2 * N + 1) ** 2)
        return Lv * x**2 / 2

    def grad(x):
        return Lv * Rv * math.copysign(1, x) / (2 * N + 1) if abs(x) >= tau else Lv * x

    x = Rv
    for _ in range(N):
        x -= grad(x) / Lv
    bound = get_theorem("gd-smooth-convex-tight").bound.subs({L: Lv, R: Rv, k: N})
    assert f(x) == pytest.approx(float(bound), rel=1e-12)
    assert f(x) < float(get_theorem("gd-smooth-convex").bound.subs({L: Lv, R: Rv, k: N}))


@pytest.mark.parametrize("steps", [0, 1, 5, 20])
def test_two_eigenvalue_quadratic_attains_the_optimal_step_bound(steps):
    lv, Lv, Rv = 0.3, 2.0, 1.5
    hessian = np.diag([lv, Lv])
    x = np.array([0.0, Rv])  # x_0 - x* along the L-eigenvector
    for _ in range(steps):
        x = x - 2 / (lv + Lv) * hessian @ x
    gap = 0.5 * x @ hessian @ x
    bound = get_theorem("gd-sc-smooth-optimal-step").bound.subs({lam: lv, L: Lv, R: Rv, k: steps})
    assert gap == pytest.approx(float(bound), rel=1e-12)


@pytest.mark.parametrize("calls", [1, 3, 10, 100, 1_000, 10_000])
def test_two_point_lower_bound_follows_from_le_cam_with_the_exact_tv(calls):
    Gv, Dv = 1.0, 2.0
    delta = 1 / math.sqrt(6 * calls)
    counts = np.arange(calls + 1)
    tv = (
        0.5
        * np.abs(
            binom.pmf(counts, calls, (1 + delta) / 2) - binom.pmf(counts, calls, (1 - delta) / 2)
        ).sum()
    )
    le_cam = delta * Gv * Dv / 2 * (1 - tv)
    bound = float(get_theorem("lower-convex-two-point").bound.subs({G: Gv, D: Dv, k: calls}))
    assert tv <= 0.5
    assert le_cam >= bound


def test_two_point_constants_quoted_in_the_docs():
    bound = get_theorem("lower-convex-two-point").bound
    assert float(bound.subs({G: 1, D: 1, k: 1})) == pytest.approx(0.102, abs=5e-4)
    assert float(bound.subs({G: 1, D: 2, k: 1})) == pytest.approx(0.204, abs=5e-4)


def test_polydecay_constant_quoted_in_the_notes():
    bound = get_theorem("sgd-sc-polydecay").bound
    assert sp.simplify(bound.subs(gamma, 1) - 5 * G**2 / (lam * k)) == 0


# ------------------------------------- derived bounds: the steps before simplifying


def _harmonic(m):
    return np.sum(1.0 / np.arange(1, m + 1)) if m > 0 else 0.0


def _rising(x, power):
    return np.exp(gammaln(x + power) - gammaln(x))


def _uniform_sc(G2, lv, kk, _):
    return G2 * _harmonic(kk + 1) / (2 * lv * kk)


def _suffix(G2, lv, kk, a):
    m = round(a * kk)
    t0 = kk - m + 2
    return G2 / (lv * m) * (2 * (t0 - 1) / t0 + (_harmonic(kk + 1) - _harmonic(t0 - 1)) / 2)


def _polydecay_sc(G2, lv, kk, g):
    t = np.arange(2, kk + 2, dtype=float)
    a = _rising(t - 1, g)
    a_prev = np.concatenate([[0.0], a[:-1]])
    distance = np.sum(lv / 2 * (t - 1) * (a - a_prev) * 4 * G2 / (lv**2 * t))
    noise = G2 / (2 * lv) * np.sum(a / t)
    return (distance + noise) / np.sum(_rising(np.arange(1, kk + 1, dtype=float), g))


PRE_SIMPLIFIED = [
    ("sgd-sc-uniform", _uniform_sc, [None]),
    ("sgd-sc-suffix", _suffix, [0.1, 0.5, 0.9]),
    ("sgd-sc-polydecay", _polydecay_sc, [0.5, 1.0, 2.0, 3.0]),
]


@pytest.mark.parametrize(("theorem_id", "exact", "params"), PRE_SIMPLIFIED)
@pytest.mark.parametrize("kk", [10, 100, 1000])
def test_sc_average_bounds_dominate_their_unsimplified_sums(theorem_id, exact, params, kk):
    theorem = get_theorem(theorem_id)
    G2, lv = 1.7, 0.6
    for param in params:
        values = {G: math.sqrt(G2), lam: lv, k: kk}
        if param is not None:
            values.update({alpha: param, gamma: param})
        assert exact(G2, lv, kk, param) <= float(theorem.bound.subs(values)) * (1 + 1e-12)


@pytest.mark.parametrize("theorem_id", ["sgd-convex-uniform", "minibatch-sgd-convex-uniform"])
@pytest.mark.parametrize("kk", [1, 10, 1000])
def test_convex_uniform_bound_dominates_its_unsimplified_sum(theorem_id, kk):
    Dv, cv, Gv, sv, bv = 2.0, 0.7, 1.1, 0.8, 4
    G2 = Gv**2 + (sv**2 / bv if "minibatch" in theorem_id else 0.0)
    t = np.arange(2, kk + 2, dtype=float)
    exact = (Dv**2 * math.sqrt(kk + 1) / (2 * cv) + cv * G2 / 2 * np.sum(t**-0.5)) / kk
    values = {D: Dv, c: cv, G: Gv, sigma: sv, b: bv, k: kk}
    assert exact <= float(get_theorem(theorem_id).bound.subs(values))


@pytest.mark.parametrize("g", [0.0, 1.0, 2.5])
def test_convex_polydecay_is_the_leading_order_of_the_finite_k_bound(g):
    Dv, cv, Gv = 2.0, 0.7, 1.1
    leading = get_theorem("sgd-convex-polydecay").bound

    def finite(kk):
        s = np.arange(1, kk + 1, dtype=float)
        weights = _rising(s, g)
        top = Dv**2 * _rising(kk, g) * math.sqrt(kk + 1) / (2 * cv)
        top += cv * Gv**2 / 2 * np.sum(weights / np.sqrt(s + 1))
        return (g + 1) * top / _rising(kk, g + 1)

    ratios = [
        finite(kk) / float(leading.subs({D: Dv, c: cv, G: Gv, gamma: g, k: kk}))
        for kk in (1_000, 1_000_000)
    ]
    assert abs(ratios[1] - 1) < 2e-3
    assert abs(ratios[1] - 1) < abs(ratios[0] - 1)
