"""SGD with decaying steps eta_k = 1/(lam k) and eta_k = c/k on the noisy 1-D quadratic.

Model (THEORY.md §10): F(w) = (lam/2)(w - w*)^2, oracle g_k = lam (w_{k-1} - w*) + xi_k
with xi_k independent of the past, E xi_k = 0, E xi_k^2 = sigma^2/b (a minibatch of b
i.i.d. draws). The error u_k = w_k - w* is linear in the noise, so
e_k = E u_k^2 obeys the exact first-order recursion
e_k = (1 - eta_k lam)^2 e_{k-1} + eta_k^2 sigma^2/b.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory.model_problems.derivation import Derivation, DerivationCheckError, Steps
from theory.model_problems.gamma_tools import gamma_form, gamma_ratio_series
from theory.model_problems.model_symbols import a, e, e0, gap, j, partial_sum, s, t, u, xi
from theory.symbols import b, c, k, lam, sigma

_MODEL = (
    "model: F(w) = lam/2 (w - w*)^2, g_k = lam (w_{k-1} - w*) + xi[k], xi[k] independent "
    "of the past with E xi[k] = 0 and E xi[k]^2 = sigma^2/b; u(k) = w_k - w*, e(k) = E u(k)^2"
)
_NOISE_VARIABLES = {
    "k": "number of updates (w_0 is the start, w_k the iterate after k updates)",
    "lam": "curvature of F = lam/2 (w - w*)^2",
    "sigma": "standard deviation of one sample's gradient noise",
    "b": "minibatch size (noise variance sigma^2/b)",
    "e(k)": "E(w_k - w*)^2",
}


@cache
def sgd_inverse_k() -> Derivation:
    """E(w_k - w*)^2 = sigma^2/(b lam^2 k) for SGD with eta_k = 1/(lam k), any w_0, k >= 1.

    Derived twice: from the telescoped identity k u_k = -(1/lam) sum_{s<=k} xi_s, and by
    ``rsolve`` on e_k = (1 - 1/k)^2 e_{k-1} + sigma^2/(b lam^2 k^2).
    """
    st = Steps()
    st.say(_MODEL)
    eta_k = 1 / (lam * k)
    factor = sp.factor(1 - eta_k * lam)
    update = factor * u(k - 1) - eta_k * xi[k]
    st.show("update with eta_k = 1/(lam k)", sp.Eq(u(k), update))
    st.show("multiply by k", sp.Eq(k * u(k), sp.collect(sp.expand(k * update), u(k - 1))))

    def candidate(n: sp.Expr) -> sp.Expr:
        return -partial_sum(n) / (lam * n)

    telescoped = sp.Eq(u(k), candidate(k))
    st.show("telescoped candidate, S(k) = sum_{s<=k} xi[s]", telescoped)
    st.check_zero(
        "the candidate solves the update for k >= 2 when S(k) = S(k-1) + xi[k]",
        (candidate(k) - update.subs(u(k - 1), candidate(k - 1))).subs(
            partial_sum(k), partial_sum(k - 1) + xi[k]
        ),
    )
    st.check_zero("1 - eta_1 lam = 0: u(1) does not depend on u(0)", factor.subs(k, 1))
    st.check_zero(
        "u(1) = -xi[1]/lam is the candidate at k = 1 (the start is forgotten)",
        candidate(1).subs(partial_sum(1), xi[1]) - update.subs(k, 1),
    )
    by_sum = sp.summation(sigma**2 / b, (s, 1, k)) / (lam * k) ** 2
    st.show("second moment, independent zero-mean xi: sum_{s<=k} E xi[s]^2/(lam k)^2", by_sum)

    forcing = eta_k**2 * sigma**2 / b
    recursion = sp.Eq(e(k), factor**2 * e(k - 1) + forcing)
    st.show("recursion (cross term E[u(k-1) xi[k]] = 0)", recursion)
    start = forcing.subs(k, 1)
    st.show("at k = 1 the factor vanishes", sp.Eq(e(1), start))
    solved = sp.rsolve(recursion.lhs - recursion.rhs, e(k), {e(1): start})
    st.show("rsolve", sp.Eq(e(k), solved))
    st.check_zero("rsolve agrees with the telescoped sum", solved - by_sum)
    st.check_zero(
        "substituted back into the recursion",
        solved - recursion.rhs.subs(e(k - 1), solved.subs(k, k - 1)),
    )
    second_moment = sp.Eq(e(k), sp.factor(solved))
    gap_k = sp.Eq(gap(k), sp.factor(lam / 2 * solved))
    st.show("gap = lam/2 e(k)", gap_k)
    paper = sp.Eq(e(t - 1), sp.factor(solved.subs(k, t - 1)))
    st.show("paper index t = k + 1 (start w_1): E(w_t - w*)^2 = e(t - 1)", paper)
    return Derivation(
        id="sgd_inverse_k",
        title="SGD with eta_k = 1/(lam k) on the noisy 1-D quadratic",
        source="THEORY.md §10.1",
        closed_form=second_moment,
        variables={
            **_NOISE_VARIABLES,
            "gap(k)": "E[F(w_k)] - F*",
            "u(k)": "w_k - w*",
            "xi[s]": "gradient noise of update s",
            "S(k)": "sum_{s<=k} xi[s]",
            "t": "the papers' iterate index, t = k + 1",
        },
        conditions=(
            "k >= 1 (t >= 2 in the paper index)",
            "eta_k = 1/(lam k), lam > 0",
            "w_0 arbitrary: it is forgotten after the first update",
        ),
        steps=st.lines(),
        results={
            "iterate": telescoped,
            "recursion": recursion,
            "second_moment": second_moment,
            "gap": gap_k,
            "second_moment_paper_index": paper,
        },
    )


@cache
def sgd_c_over_k() -> Derivation:
    """Exact E(w_k - w*)^2 for eta_k = c/k, its three regimes in a = c lam, and the bias factor.

    e_k = P_k^2 e_0 + (c^2 sigma^2/b) sum_{s<=k} Q_{s,k}^2/s^2 with
    Q_{s,k} = prod_{j=s+1}^{k} (1 - a/j) and P_k = Q_{0,k} = Gamma(k+1-a)/(Gamma(1-a) Gamma(k+1)).
    """
    st = Steps()
    st.say(_MODEL)
    eta_k = c / k
    factor = (1 - eta_k * lam).subs(c, a / lam)
    forcing = eta_k**2 * sigma**2 / b
    noise = c**2 * sigma**2 / b
    st.show("update with eta_k = c/k, a = c lam", sp.Eq(u(k), factor * u(k - 1) - eta_k * xi[k]))
    recursion = sp.Eq(e(k), factor**2 * e(k - 1) + forcing)
    st.show("recursion", recursion)

    bias = sp.product(factor.subs(k, j), (j, 1, k))
    tail = sp.product(factor.subs(k, j), (j, s + 1, k))
    st.show("P(k) = prod_{j<=k} (1 - a/j)", bias)
    st.show("Q(s, k) = prod_{s<j<=k} (1 - a/j)", tail)
    exact = bias**2 * e0 + sp.Sum(forcing.subs(k, s) * tail**2, (s, 1, k))
    st.show("unrolled", sp.Eq(e(k), exact))
    st.check_zero("P(0) = 1", bias.subs(k, 0) - 1)
    st.check_zero("P(k) = (1 - a/k) P(k-1)", bias - factor * bias.subs(k, k - 1))
    st.check_zero("Q(s, k) = (1 - a/k) Q(s, k-1)", tail - factor * tail.subs(k, k - 1))
    st.check_zero("Q(k, k) = 1", tail.subs(s, k) - 1)
    st.say(
        "hence e(k) - (1 - a/k)^2 e(k-1) = (c^2 sigma^2/b) Q(k, k)^2/k^2 = c^2 sigma^2/(b k^2) "
        "termwise, and e(0) = e_0: the unrolled form solves the recursion"
    )

    bias_gamma = gamma_form(bias)
    st.check_zero("Gamma form G(k): G(0) = 1", bias_gamma.subs(k, 0) - 1)
    st.check_zero("G(k) = (1 - a/k) G(k-1)", bias_gamma / bias_gamma.subs(k, k - 1) - factor)
    bias_factor = sp.Eq(sp.Product(factor.subs(k, j), (j, 1, k)), bias_gamma)
    st.show("so for a not in {1, 2, ...}", bias_factor)

    h = sp.Symbol("h", positive=True)
    amp = sp.Symbol("A")

    def residual(trial: sp.Expr, a_value: sp.Expr = a) -> sp.Expr:
        rhs = recursion.rhs.subs(e(k - 1), trial.subs(k, k - 1))
        series = sp.series((trial - rhs).subs(a, a_value).subs(k, 1 / h), h, 0, 3).removeO()
        return sp.expand(series)

    series = residual(amp / k)
    st.show("ansatz e(k) = A/k, residual in h = 1/k", series)
    above = sp.solve(series.coeff(h, 2), amp)[0]
    st.check_zero("only the h^2 term remains", series - series.coeff(h, 2) * h**2)
    st.show("match the 1/k^2 terms: A", above)
    scale = {c: 1, sigma: 1, b: 1}
    st.show(
        "c^2 sigma^2/b > 0, so A > 0 iff a in", sp.solveset(above.subs(scale) > 0, a, sp.S.Reals)
    )

    series = residual(amp * sp.log(k) / k, sp.Rational(1, 2))
    st.show("a = 1/2, ansatz e(k) = A log(k)/k, residual in h = 1/k", series)
    st.check_zero("only the h^2 term remains", series - series.coeff(h, 2) * h**2)
    half = sp.solve(series.coeff(h, 2), amp)[0]
    st.show("match the 1/k^2 terms: A", half)

    ratio_limit, log_series = gamma_ratio_series(1 - a, 1)
    st.show("a < 1/2: series at z = oo, up to O(1/z^2)", log_series)
    growth = ratio_limit / sp.gamma(1 - a)
    st.show("so lim k^a G(k)", growth)
    st.check_zero("Q(s, k) = G(k)/G(s)", gamma_form(tail) - bias_gamma / bias_gamma.subs(k, s))
    summand = sp.gamma(s) ** 2 / sp.gamma(s + 1 - a) ** 2
    st.check_zero(
        "1/(s^2 G(s)^2) = Gamma(1-a)^2 Gamma(s)^2/Gamma(s+1-a)^2",
        1 / (s**2 * bias_gamma.subs(k, s) ** 2) - sp.gamma(1 - a) ** 2 * summand,
    )
    series_sum = sp.summation(summand, (s, 1, sp.oo))
    if not isinstance(series_sum, sp.Piecewise):
        raise DerivationCheckError(f"expected a conditional closed form, got {series_sum}")
    convergent = series_sum.args[0]
    st.show(
        "e(k) = G(k)^2 (e_0 + (c^2 sigma^2/b) Gamma(1-a)^2 sum_{s<=k} Gamma(s)^2/Gamma(s+1-a)^2); "
        "the series converges",
        sp.Eq(sp.Sum(summand, (s, 1, sp.oo)), convergent.expr),
    )
    st.show("for", convergent.cond)
    below = growth**2 * e0 + noise * (growth * sp.gamma(1 - a)) ** 2 * convergent.expr
    st.show("so k^(2a) e(k) tends to K", below)
    st.say("the particular solution A/k of the a > 1/2 ansatz is of lower order since 2a < 1")

    constant = above.subs(a, c * lam)
    best = [root for root in sp.solve(sp.diff(constant, c), c) if root.is_positive]
    st.show("a > 1/2 constant in c, stationary (d/dc = 0) at", sp.Eq(c, best[0]))
    st.check_true("a minimum: d^2/dc^2 > 0 there", sp.diff(constant, c, 2).subs(c, best[0]) > 0)
    optimal = sp.simplify(constant.subs(c, best[0]))
    st.show("where it equals", optimal)

    return Derivation(
        id="sgd_c_over_k",
        title="SGD with eta_k = c/k on the noisy 1-D quadratic: exact form and regimes",
        source="THEORY.md §10.2, §1",
        closed_form=sp.Eq(e(k), exact),
        variables={
            **_NOISE_VARIABLES,
            "c": "step constant, eta_k = c/k",
            "a": "c*lam",
            "e_0": "E(w_0 - w*)^2",
            "u(k)": "w_k - w*",
            "xi[s]": "gradient noise of update s",
        },
        conditions=(
            "k >= 1, eta_k = c/k, a = c*lam > 0",
            "limit_a_above_half needs a > 1/2; limit_a_half a = 1/2; limit_a_below_half a < 1/2",
            "bias_factor (Gamma form) needs a not in {1, 2, ...}; otherwise P(k) = 0 for k >= a",
        ),
        steps=st.lines(),
        results={
            "recursion": recursion,
            "exact": sp.Eq(e(k), exact),
            "bias_factor": bias_factor,
            "limit_a_above_half": sp.Eq(sp.Limit(k * e(k), k, sp.oo), above),
            "limit_a_half": sp.Eq(sp.Limit(k * e(k) / sp.log(k), k, sp.oo), half),
            "limit_a_below_half": sp.Eq(sp.Limit(k ** (2 * a) * e(k), k, sp.oo), below),
            "optimal_c": sp.Eq(c, best[0]),
            "optimal_limit": sp.Eq(sp.Limit(k * e(k), k, sp.oo), optimal),
        },
    )
