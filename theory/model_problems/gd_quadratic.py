"""Gradient descent with a constant step on F = 1/2 sum_i lam_i (w_i - w*_i)^2.

Coordinates decouple: w_{k,i} - w*_i = (1 - eta lam_i)^k (w_{0,i} - w*_i) (THEORY.md §5.2).
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory.model_problems.derivation import Derivation, Steps
from theory.model_problems.model_symbols import d, e0_i, gap, i, lam_i, u
from theory.symbols import L, eta, k, kappa, mu


@cache
def gd_quadratic() -> Derivation:
    """GD on a diagonal quadratic: exact iterates and gap, 0 < eta < 2/L, rate at 2/(mu + L).

    With eigenvalues in [mu, L] and eta = 2/(mu + L) every |1 - eta lam_i| is at most
    (kappa - 1)/(kappa + 1), with equality at lam_i in {mu, L}.
    """
    st = Steps()
    st.say(
        "model: F(w) = 1/2 sum_i lam[i] (w_i - w*_i)^2, grad_i F = lam[i] (w_i - w*_i), "
        "u(k, i) = w_{k,i} - w*_i"
    )
    curvature = sp.Symbol("lam_i", positive=True)
    start = sp.Symbol("u_0", real=True)
    error = sp.Function("u_i")
    recursion = sp.Eq(error(k), (1 - eta * curvature) * error(k - 1))
    st.show("update of one coordinate (lam_i = lam[i])", recursion)
    solved = sp.rsolve(recursion.lhs - recursion.rhs, error(k), {error(0): start})
    st.show("rsolve, u_i(0) = u_0", sp.Eq(error(k), solved))
    st.check_zero(
        "substituted back into the update",
        solved - recursion.rhs.subs(error(k - 1), solved.subs(k, k - 1)),
    )
    per_coordinate = {curvature: lam_i[i], start: e0_i[i]}
    iterate = sp.Eq(u(k, i), solved.subs(per_coordinate))
    st.show("coordinate i", iterate)
    gap_k = sp.Eq(gap(k), sp.Sum(lam_i[i] / 2 * iterate.rhs**2, (i, 1, d)))
    st.show("gap F(w_k) - F* = 1/2 sum_i lam[i] u(k, i)^2", gap_k)

    step = sp.Dummy("eta", real=True)
    factor = 1 - step * curvature
    one = sp.solveset(sp.Abs(factor) < 1, step, sp.S.Reals)
    st.show("u(k, i) -> 0 for every u_0 iff |1 - eta lam_i| < 1, i.e. eta in", one)
    stable = one.subs(curvature, L)
    st.say("intersect over i: min_i 2/lam[i] = 2/L with L = max_i lam[i]")
    st.show("converges iff eta in", stable)

    st.say(
        "rate max_i |1 - eta lam[i]| over lam[i] in [mu, L] is max(|1 - eta mu|, |1 - eta L|): "
        "the first decreases and the second increases on [1/L, 1/mu], so the max is least "
        "where 1 - eta mu = -(1 - eta L)"
    )
    best = sp.solve(sp.Eq(1 - eta * mu, -(1 - eta * L)), eta)[0]
    st.show("optimal step", sp.Eq(eta, best))
    rates = (sp.factor(1 - best * mu), sp.factor(-(1 - best * L)))
    st.show("1 - eta mu and -(1 - eta L) at the optimal step (both >= 0 as mu <= L)", rates)
    st.check_zero("both endpoints contract equally", rates[0] - rates[1])
    contraction = sp.factor(rates[0].subs(L, kappa * mu))
    st.show("in kappa = L/mu", contraction)
    st.say("|1 - eta lam| is convex in lam, so on [mu, L] it is largest at an endpoint")
    two_terms = gap_k.rhs.subs({d: 2, eta: best}).doit()
    two = sp.factor(two_terms.subs({lam_i[1]: mu, lam_i[2]: L}))
    st.show("eigenvalues {mu, L}: gap", two)
    two_form = (mu * e0_i[1] ** 2 + L * e0_i[2] ** 2) / 2 * contraction ** (2 * k)
    st.check_zero(
        "gap = (mu e_0[1]^2 + L e_0[2]^2)/2 rate^(2k)", two - two_form.subs(kappa, L / mu)
    )
    return Derivation(
        id="gd_quadratic",
        title="Gradient descent on a diagonal quadratic",
        source="THEORY.md §5.2",
        closed_form=iterate,
        variables={
            "k": "number of updates",
            "eta": "constant step size",
            "lam[i]": "i-th eigenvalue of the Hessian",
            "e_0[i]": "w_{0,i} - w*_i",
            "u(k, i)": "w_{k,i} - w*_i",
            "gap(k)": "F(w_k) - F*",
            "d": "dimension",
            "mu, L": "smallest and largest eigenvalue",
            "kappa": "L/mu",
        },
        conditions=(
            "k >= 0, eta > 0, Hessian diag(lam[1..d]) with 0 < mu <= lam[i] <= L",
            "contraction: eta = 2/(mu + L); "
            "gap_two_eigenvalues: also d = 2, lam[1] = mu, lam[2] = L",
        ),
        steps=st.lines(),
        results={
            "iterate": iterate,
            "gap": gap_k,
            "stable_steps": stable,
            "optimal_step": sp.Eq(eta, best),
            "contraction": sp.Eq(sp.Symbol("rate"), contraction),
            "gap_two_eigenvalues": sp.Eq(gap(k), two_form),
        },
    )
