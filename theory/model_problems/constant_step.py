"""SGD with a constant step eta: the noise ball, its stability set, and Polyak-Ruppert averaging.

Model (THEORY.md §10): F(w) = (lam/2)(w - w*)^2, oracle g_k = lam (w_{k-1} - w*) + xi_k with
E xi_k = 0, E xi_k^2 = sigma^2/b. Then u_k = w_k - w* = (1 - eta lam) u_{k-1} - eta xi_k and
e_k = E u_k^2 = (1 - eta lam)^2 e_{k-1} + eta^2 sigma^2/b. The least-squares variant has
state-dependent noise (THEORY.md §10.3).
"""

from __future__ import annotations

from functools import cache

import sympy as sp
import sympy.stats as stats

from theory.model_problems.derivation import (
    Derivation,
    Steps,
    freeze_symbolic_powers,
    tidy_sign,
)
from theory.model_problems.model_symbols import (
    Sigma,
    d,
    e,
    e0,
    e0_i,
    ebar,
    gap,
    i,
    j,
    lam_i,
    s,
    s_eps,
    u,
    xi,
)
from theory.symbols import b, eta, k, lam, sigma

_MODEL = (
    "model: F(w) = lam/2 (w - w*)^2, g_k = lam (w_{k-1} - w*) + xi[k], xi[k] independent "
    "of the past with E xi[k] = 0 and E xi[k]^2 = sigma^2/b; u(k) = w_k - w*"
)


def _fixed_point(recursion: sp.Eq) -> sp.Expr:
    """The stationary value V of e(k) = q e(k-1) + beta: solve V = q V + beta."""
    value = sp.Symbol("V")
    rhs = recursion.rhs.subs(e(k - 1), value)
    return tidy_sign(sp.solve(sp.Eq(value, rhs), value)[0])


def _solve_constant_recursion(
    st: Steps, recursion: sp.Eq, start: sp.Expr
) -> tuple[sp.Expr, sp.Expr]:
    """rsolve e(k) = q e(k-1) + beta from e(0) = start; return (q^k (start - V) + V, V), checked."""
    factor = recursion.rhs.coeff(e(k - 1))
    solved = sp.rsolve(recursion.lhs - recursion.rhs, e(k), {e(0): start})
    st.show("rsolve", sp.Eq(e(k), solved))
    stationary = st.show("fixed point V = q V + beta", _fixed_point(recursion))
    form = factor**k * (start - stationary) + stationary
    st.check_zero("rsolve = q^k (e(0) - V) + V", solved - form)
    st.check_zero(
        "substituted back into the recursion",
        form - recursion.rhs.subs(e(k - 1), form.subs(k, k - 1)),
    )
    return form, stationary


def _positive_interval(st: Steps, label: str, expr: sp.Expr) -> sp.Set:
    """Solve expr < 0 for a real step (expr is eta times a factor linear in eta)."""
    step = sp.Dummy("eta", real=True)
    solution = sp.solveset(expr.subs(eta, step) < 0, step, sp.S.Reals)
    return st.show(label, solution)


@cache
def constant_step() -> Derivation:
    """e_k = (1 - eta lam)^(2k) (e_0 - V) + V, V = eta sigma^2/(b lam (2 - eta lam)), eta < 2/lam.

    Also the per-coordinate form on a diagonal quadratic and least squares with Gaussian
    rows, where V = eta d s_eps^2/(2 - eta (d + 2)) for 0 < eta < 2/(d + 2).
    """
    st = Steps()
    st.say(_MODEL)
    factor = 1 - eta * lam
    st.show("update", sp.Eq(u(k), factor * u(k - 1) - eta * xi[k]))
    recursion = sp.Eq(e(k), factor**2 * e(k - 1) + eta**2 * sigma**2 / b)
    st.show("recursion (cross term E[u(k-1) xi[k]] = 0)", recursion)
    second_moment, stationary = _solve_constant_recursion(st, recursion, e0)
    step = sp.Dummy("eta", real=True)
    stable = st.show(
        "converges iff |1 - eta lam| < 1 (solveset over real eta)",
        sp.solveset(sp.Abs(factor.subs(eta, step)) < 1, step, sp.S.Reals),
    )
    plateau = st.show("plateau of E[F] - F* = lam/2 V", tidy_sign(lam / 2 * stationary))
    slope = st.show("small eta: lim_{eta->0} plateau/eta", sp.limit(plateau / eta, eta, 0))

    st.say(
        "multi-d, H = diag(lam[i]), noise covariance Sigma/b: coordinate i obeys the 1-D "
        "recursion with lam -> lam[i], sigma^2 -> Sigma[i, i] (H diagonal: no coupling)"
    )
    per_coordinate = {lam: lam_i[i], sigma**2: Sigma[i, i], e0: e0_i[i]}
    coordinate = second_moment.subs(per_coordinate)
    stationary_i = stationary.subs(per_coordinate)
    st.show("coordinate second moment", sp.Eq(e(k, i), coordinate))
    plateau_multi = sp.Sum(tidy_sign(lam_i[i] / 2 * stationary_i), (i, 1, d))
    st.show("plateau of E[F] - F* = sum_i lam[i] V[i]/2", plateau_multi)
    slope_multi = sp.Sum(sp.limit(plateau_multi.function / eta, eta, 0), (i, 1, d))
    st.show("small eta: lim plateau/eta, independent of lam", slope_multi)

    ls = _least_squares(st)
    return Derivation(
        id="constant_step",
        title="SGD with a constant step on noisy quadratics and least squares",
        source="THEORY.md §10.3, §9",
        closed_form=sp.Eq(e(k), second_moment),
        variables={
            "k": "number of updates (w_0 is the start)",
            "eta": "constant step size",
            "lam": "curvature of F = lam/2 (w - w*)^2",
            "sigma": "standard deviation of one sample's gradient noise",
            "b": "minibatch size (noise variance sigma^2/b)",
            "e_0": "E(w_0 - w*)^2 (least squares: E||w_0 - w*||^2)",
            "e(k)": "E(w_k - w*)^2 (least squares: E||w_k - w*||^2)",
            "e(k, i)": "E(w_{k,i} - w*_i)^2",
            "lam[i], Sigma[i, i], e_0[i]": (
                "eigenvalue, noise variance, initial second moment of coordinate i"
            ),
            "d": "dimension",
            "s_eps": "label-noise standard deviation of least squares",
        },
        conditions=(
            "k >= 0, constant step eta > 0",
            "the limits and plateaus need 0 < eta < 2/lam (all coordinates: eta < 2/lam[i])",
            "least squares: x ~ N(0, I_d), y = x.w* + eps, Var eps = s_eps^2, g = x (x.w - y), "
            "one sample per update; its plateau needs 0 < eta < 2/(d + 2)",
        ),
        steps=st.lines(),
        results={
            "recursion": recursion,
            "second_moment": sp.Eq(e(k), second_moment),
            "stationary": sp.Eq(sp.Limit(e(k), k, sp.oo), stationary),
            "stable_steps": stable,
            "plateau_gap": sp.Eq(sp.Limit(gap(k), k, sp.oo), plateau),
            "plateau_gap_slope": sp.Eq(sp.Limit(sp.Limit(gap(k), k, sp.oo) / eta, eta, 0), slope),
            "coordinate_second_moment": sp.Eq(e(k, i), coordinate),
            "plateau_gap_multi": sp.Eq(sp.Limit(gap(k), k, sp.oo), plateau_multi),
            "plateau_gap_multi_slope": sp.Eq(
                sp.Limit(sp.Limit(gap(k), k, sp.oo) / eta, eta, 0), slope_multi
            ),
            **ls,
        },
    )


def _least_squares(st: Steps) -> dict[str, sp.Basic]:
    """E||e_k||^2 for SGD on least squares with Gaussian rows: results keyed ``ls_*``."""
    st.say(
        "least squares: e_k = w_k - w* = e_{k-1} - eta x (x.e_{k-1}) + eta x eps, so "
        "E||e_k||^2 = E||e||^2 - 2 eta E(x.e)^2 + eta^2 E[||x||^2 (x.e)^2] + eta^2 E[eps^2 ||x||^2]"
    )
    normal = stats.Normal("x_1", 0, 1)
    second, fourth = stats.E(normal**2), stats.E(normal**4)
    st.show("Gaussian moments (sympy.stats): E x^2, E x^4", (second, fourth))
    st.say(
        "E[||x||^2 (x.e)^2] = sum_{l,m,n} e_m e_n E[x_l^2 x_m x_n]: only m = n survives, "
        "l = m gives E x^4 e_m^2 and l != m gives E x_l^2 E x_m^2 e_m^2"
    )
    quartic = fourth + (d - 1) * second**2
    st.show("so E[||x||^2 (x.e)^2] / ||e||^2", quartic)
    recursion = sp.Eq(
        e(k), (1 - 2 * eta * second + eta**2 * quartic) * e(k - 1) + eta**2 * d * second * s_eps**2
    )
    st.show("recursion (E(x.e)^2 = E x^2 ||e||^2, E[eps^2 ||x||^2] = d E x^2 s_eps^2)", recursion)
    second_moment, stationary = _solve_constant_recursion(st, recursion, e0)
    factor = recursion.rhs.coeff(e(k - 1))
    st.check_zero(
        "q = (1 - eta)^2 + (d + 1) eta^2 > 0, so |q| < 1 iff q - 1 < 0",
        factor - ((1 - eta) ** 2 + (d + 1) * eta**2),
    )
    gap_width = sp.Symbol("m", positive=True)
    shifted = sp.factor((factor - 1).subs(d, gap_width - 2))
    st.show("q - 1 with m = d + 2", shifted)
    stable = _positive_interval(st, "q - 1 < 0 iff eta in", shifted).subs(gap_width, d + 2)
    st.show("so the stable steps are", stable)
    plateau = st.show("plateau of E[F] - F* = ||e||^2/2 (E x x^T = I)", tidy_sign(stationary / 2))
    return {
        "ls_recursion": recursion,
        "ls_second_moment": sp.Eq(e(k), second_moment),
        "ls_stationary": sp.Eq(sp.Limit(e(k), k, sp.oo), stationary),
        "ls_stable_steps": stable,
        "ls_plateau_gap": sp.Eq(sp.Limit(gap(k), k, sp.oo), plateau),
    }


def _generic_branch(expr: sp.Expr) -> sp.Expr:
    """Keep the last ("otherwise") branch of every Piecewise, e.g. the r != 1 geometric sum."""
    return expr.replace(
        lambda part: isinstance(part, sp.Piecewise), lambda part: part.args[-1].expr
    )


@cache
def polyak_ruppert_constant_step() -> Derivation:
    """E(wbar_k - w*)^2 for the uniform average of w_1..w_k under a constant step.

    With rho = 1 - eta lam: wbar_k - w* = B u_0 + sum_s C_s xi_s,
    B = rho (1 - rho^k)/(k (1 - rho)), C_s = -(1 - rho^(k-s+1))/(k lam), and
    k E(wbar_k - w*)^2 lam^2 b/sigma^2 -> 1 (the optimal constant).
    """
    st = Steps()
    st.say(_MODEL + "; wbar_k = (1/k) sum_{t=1}^{k} w_t (w_0 excluded)")
    rho = sp.Symbol("rho", real=True)
    st.show(
        "unrolled, rho = 1 - eta lam",
        sp.Eq(u(j), rho**j * u(0) - eta * sp.Sum(rho ** (j - s) * xi[s], (s, 1, j))),
    )
    st.say("geometric sums: the branch rho != 1, rho^2 != 1 (0 < eta lam < 2)")
    on_rho = {eta: (1 - rho) / lam}
    bias = sp.factor(_generic_branch(sp.summation(rho**j, (j, 1, k))) / k)
    st.show("coefficient B of u(0) in wbar_k - w*: (1/k) sum_{j<=k} rho^j", bias)
    inner = _generic_branch(sp.summation(rho ** (j - s), (j, s, k)))
    coefficient = sp.factor((-eta * inner / k).subs(on_rho))
    st.show(
        "coefficient C_s of xi[s]: -(eta/k) sum_{j=s}^{k} rho^(j-s), eta = (1 - rho)/lam",
        coefficient,
    )
    squares = _generic_branch(sp.summation(sp.expand(coefficient**2), (s, 1, k)))
    noise = sp.factor(sp.expand(sp.powsimp(squares)))
    st.show("sum_s C_s^2", noise)
    total = bias**2 * e0 + sigma**2 / b * noise
    st.show("E(wbar_k - w*)^2 = B^2 e_0 + (sigma^2/b) sum_s C_s^2 (cross terms vanish)", total)
    check_k = 3
    direct = (bias**2 * e0).subs(k, check_k) + sigma**2 / b * sum(
        coefficient.subs({k: check_k, s: n}) ** 2 for n in range(1, check_k + 1)
    )
    st.check_zero("k = 3: closed form = the three-term sum", total.subs(k, check_k) - direct)

    bounded = freeze_symbolic_powers(sp.expand(k * total * lam**2 * b / sigma**2), k)
    st.say("|rho| < 1: every rho^(k + c) -> 0; replace each by a bounded constant Y")
    normalized = sp.limit(bounded, k, sp.oo)
    st.show("lim k E(wbar_k - w*)^2 lam^2 b/sigma^2", normalized)
    exact = sp.Eq(ebar(k), total.subs(rho, 1 - eta * lam))
    return Derivation(
        id="polyak_ruppert_constant_step",
        title="Polyak-Ruppert average of constant-step SGD on the noisy 1-D quadratic",
        source="THEORY.md §10.4",
        closed_form=exact,
        variables={
            "k": "number of updates; wbar_k averages w_1..w_k",
            "eta": "constant step size",
            "lam": "curvature of F = lam/2 (w - w*)^2",
            "sigma": "standard deviation of one sample's gradient noise",
            "b": "minibatch size (noise variance sigma^2/b)",
            "e_0": "E(w_0 - w*)^2",
            "rho": "1 - eta*lam",
            "ebar(k)": "E(wbar_k - w*)^2",
        },
        conditions=(
            "k >= 1, constant step with 0 < eta lam < 2",
            "w_0 independent of the noise",
        ),
        steps=st.lines(),
        results={
            "bias_coefficient": sp.Eq(sp.Symbol("B"), bias),
            "noise_coefficient": sp.Eq(sp.Symbol("C_s"), coefficient),
            "exact_in_rho": sp.Eq(ebar(k), total),
            "exact": exact,
            "limit": sp.Eq(sp.Limit(k * ebar(k) * lam**2 * b / sigma**2, k, sp.oo), normalized),
        },
    )
