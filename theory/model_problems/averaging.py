"""Polynomial-decay averaging weights, and asymptotic constants of averaged SGD on the quadratic.

Polynomial-decay average (Shamir & Zhang 2013; their eta is our gamma >= 0) of w_1..w_k:
wbar_k = (1 - (gamma+1)/(k+gamma)) wbar_{k-1} + ((gamma+1)/(k+gamma)) w_k, wbar_1 = w_1.
With eta_k = 1/(lam k) on the noisy quadratic, w_t - w* = -(1/(lam t)) sum_{s<=t} xi_s
(``sgd_inverse_k``), so an average with weights c_{k,t} has
E(wbar_k - w*)^2 = sigma^2/(b lam^2) sum_{s<=k} (sum_{t=s}^{k} c_{k,t}/t)^2 (THEORY.md §10.5).
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory.model_problems.derivation import Derivation, Steps
from theory.model_problems.gamma_tools import gamma_form, gamma_ratio_series
from theory.model_problems.model_symbols import ebar, j, s, weight, x
from theory.symbols import alpha, b, gamma, k, lam, sigma


def _riemann_constant(
    st: Steps, name: str, density: sp.Expr, start: sp.Expr = 0, shown: dict | None = None
) -> sp.Expr:
    """int_0^1 phi(x)^2 dx with phi(x) = int_max(x, start)^1 density(y)/y dy.

    ``shown`` renames symbols in the recorded steps (e.g. a positive stand-in for gamma).
    """
    shown = shown or {}
    y = sp.Symbol("y", positive=True)
    phi = sp.integrate(density.subs(x, y) / y, (y, x, 1))
    st.show(f"{name}: phi(x) = int_x^1 rho(y)/y dy for x > {start}", phi.subs(shown))
    value = sp.integrate(phi**2, (x, start, 1))
    if start != 0:
        flat = phi.subs(x, start)
        st.show(f"{name}: phi(x) = phi({start}) for x <= {start}", flat)
        value += start * flat**2
    value = sp.simplify(value)
    st.show(f"{name}: int_0^1 phi(x)^2 dx", value.subs(shown))
    return value


@cache
def polydecay_weights() -> Derivation:
    """c_{k,s} = (gamma+1) s^(gamma)/k^(gamma+1) (rising factorials), and k E(wbar - w*)^2 limits.

    The weights sum to 1; gamma = 0 is uniform and gamma = 1 linear, 2s/(k(k+1)). On the
    quadratic with eta_k = 1/(lam k), k E(wbar_k - w*)^2 lam^2 b/sigma^2 tends to
    2(gamma+1)/(2 gamma+1) (polynomial decay), 2 (uniform) and
    2(alpha + (1-alpha) log(1-alpha))/alpha^2 (alpha-suffix).
    """
    st = Steps()
    st.say(
        "recursion: wbar_k = (1 - (gamma+1)/(k+gamma)) wbar_{k-1} + ((gamma+1)/(k+gamma)) w_k, "
        "wbar_1 = w_1, wbar_k = sum_{s<=k} weight(k, s) w_s"
    )
    new = (gamma + 1) / (k + gamma)
    keep = sp.factor(1 - new)
    recursion = sp.Eq(weight(k, s), keep * weight(k - 1, s))
    st.show("so weight(k, k) = (gamma+1)/(k+gamma) and for s < k", recursion)
    product = sp.product(keep.subs(k, j), (j, s + 1, k))
    unrolled = new.subs(k, s) * product
    st.show(
        "unrolled: weight(k, s) = (gamma+1)/(s+gamma) prod_{j=s+1}^{k} (j-1)/(j+gamma)", unrolled
    )
    closed = sp.gammasimp(gamma_form(unrolled))
    st.show("Gamma form", closed)
    st.check_zero("weight(k, k) = (gamma+1)/(k+gamma)", closed.subs(s, k) - new)
    st.check_zero(
        "weight(k, s)/weight(k-1, s) = (k-1)/(k+gamma)", closed / closed.subs(k, k - 1) - keep
    )
    rising = (gamma + 1) * sp.RisingFactorial(s, gamma) / sp.RisingFactorial(k, gamma + 1)
    st.check_zero(
        "= (gamma+1) s^(gamma)/k^(gamma+1) in rising factorials", gamma_form(rising) - closed
    )
    total = sp.gammasimp(sp.summation(closed, (s, 1, k)))
    st.show("sum_{s<=k} weight(k, s)", total)
    st.check_zero("the weights sum to 1", total - 1)
    uniform = sp.gammasimp(closed.subs(gamma, 0))
    linear = sp.factor(sp.gammasimp(closed.subs(gamma, 1)))
    st.show("gamma = 0 (uniform)", uniform)
    st.show("gamma = 1 (linear)", linear)

    st.say(
        "averaging the iterates of SGD with eta_k = 1/(lam k) (sgd_inverse_k): "
        "w_t - w* = -(1/(lam t)) sum_{s<=t} xi[s], so wbar_k - w* = -(1/lam) sum_s xi[s] C_s"
    )
    inner = sp.Sum(closed.subs(s, j) / j, (j, s, k))
    variance = sp.Eq(ebar(k), sigma**2 / (b * lam**2) * sp.Sum(inner**2, (s, 1, k)))
    st.show("C_s = sum_{j=s}^{k} weight(k, j)/j; independent noise", variance)
    positive = sp.Symbol("g", positive=True)
    coefficient = sp.factor(
        sp.gammasimp(sp.summation(closed.subs(gamma, positive).subs(s, j) / j, (j, s, k)))
    ).subs(positive, gamma)
    st.show("gamma > 0: summation gives C_s", coefficient)
    for index in (1, 2, 3):
        st.check_zero(
            f"k = 3, s = {index}: C_s equals its defining sum",
            coefficient.subs({k: 3, s: index}) - inner.subs({k: 3, s: index}).doit(),
        )

    st.say(
        "asymptotics: if k weight(k, s) -> rho(x) as s/k -> x, then k C_s -> phi(x) = "
        "int_x^1 rho(y)/y dy (Riemann sum) and k sum_s C_s^2 = (1/k) sum_s (k C_s)^2 -> "
        "int_0^1 phi(x)^2 dx"
    )
    ratio_s, series_s = gamma_ratio_series(gamma, 0)
    ratio_k, series_k = gamma_ratio_series(0, gamma + 1)
    st.show("series at z = oo, up to O(1/z^2)", series_s)
    st.show("series at z = oo, up to O(1/z^2)", series_k)
    st.check_zero(
        "k weight(k, xk) = (gamma+1) x^gamma [Gamma(s+gamma)/(Gamma(s) s^gamma)] "
        "[k^(gamma+1) Gamma(k)/Gamma(k+gamma+1)] with s = xk",
        (
            k * closed
            - (gamma + 1)
            * (s / k) ** gamma
            * sp.gamma(s + gamma)
            / (sp.gamma(s) * s**gamma)
            * k ** (gamma + 1)
            * sp.gamma(k)
            / sp.gamma(k + gamma + 1)
        ),
    )
    density = (gamma + 1) * x**gamma * ratio_s * ratio_k
    st.show("so rho(x)", density)
    poly = _riemann_constant(
        st, "polynomial decay, gamma > 0", density.subs(gamma, positive), shown={positive: gamma}
    )
    poly = sp.factor(poly).subs(positive, gamma)
    flat = _riemann_constant(st, "uniform (gamma = 0)", density.subs(gamma, 0))
    st.check_zero(
        "gamma -> 0 of the polynomial-decay constant is the uniform one",
        sp.limit(poly, gamma, 0) - flat,
    )
    st.say(
        "alpha-suffix: weight 1/(alpha k) on w_t, (1-alpha) k < t <= k, "
        "so rho = 1/alpha on (1-alpha, 1]"
    )
    suffix = _riemann_constant(st, "alpha-suffix", 1 / alpha + 0 * x, 1 - alpha)
    st.check_zero("alpha -> 1 gives the uniform constant", sp.limit(suffix, alpha, 1, "-") - flat)

    limit = sp.Limit(k * ebar(k) * lam**2 * b / sigma**2, k, sp.oo)
    return Derivation(
        id="polydecay_weights",
        title="Polynomial-decay averaging: closed-form weights and asymptotic constants",
        source="THEORY.md §0, §4, §10.5",
        closed_form=sp.Eq(weight(k, s), closed),
        variables={
            "k": "number of averaged iterates w_1..w_k (= number of updates)",
            "s": "index of an averaged iterate, 1 <= s <= k",
            "gamma": "polynomial-decay parameter (Shamir and Zhang's eta), gamma >= 0",
            "alpha": "suffix fraction, 0 < alpha <= 1, alpha k an integer",
            "weight(k, s)": "weight of w_s in wbar_k",
            "ebar(k)": "E(wbar_k - w*)^2 for SGD with eta_k = 1/(lam k) on the noisy quadratic",
            "C_s": "sum_{j=s}^{k} weight(k, j)/j, the coefficient of -xi[s]/lam in wbar_k - w*",
            "x": "relative position s/k",
            "lam, sigma, b": "curvature, noise standard deviation, batch size",
        },
        conditions=(
            "1 <= s <= k, gamma >= 0 (real gamma: Gamma form; integer gamma: rising factorials)",
            "noise_coefficient needs gamma > 0",
            "variance and constants: SGD with eta_k = 1/(lam k), w_0 arbitrary, "
            "average of w_1..w_k",
        ),
        steps=st.lines(),
        results={
            "recursion": recursion,
            "weight": sp.Eq(weight(k, s), closed),
            "weight_rising": sp.Eq(weight(k, s), rising),
            "weights_sum": sp.Eq(sp.Sum(weight(k, s), (s, 1, k)), total),
            "weight_uniform": sp.Eq(weight(k, s), uniform),
            "weight_linear": sp.Eq(weight(k, s), linear),
            "variance_exact": variance,
            "noise_coefficient": sp.Eq(sp.Symbol("C_s"), coefficient),
            "weight_density": sp.Eq(sp.Limit(k * weight(k, x * k), k, sp.oo), density),
            "constant_polydecay": sp.Eq(limit, poly),
            "constant_uniform": sp.Eq(limit, flat),
            "constant_suffix": sp.Eq(limit, suffix),
        },
    )
