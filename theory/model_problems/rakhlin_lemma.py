"""Rakhlin, Shamir & Sridharan (2012), Lemma 1, proved by induction with SymPy checking each step.

Assumptions SC(lam) and E||g||^2 <= G^2 on the feasible set, projected SGD with
eta_k = 1/(lam k). In the project index (w_0 the start) the lemma reads
E||w_k - w*||^2 <= 4 G^2/(lam^2 (k + 1)); the paper's w_t is our w_{t-1}.
"""

from __future__ import annotations

from functools import cache

import sympy as sp

from theory.model_problems.derivation import Derivation, Steps
from theory.model_problems.model_symbols import dist2, t
from theory.symbols import G, k, lam


@cache
def rakhlin_lemma() -> Derivation:
    """dist2(k) <= 4 G^2/(lam^2 (k + 1)) for k >= 0; also the least constant this induction allows.

    The step k >= 2 reduces to 4/(k+1) - (1 - 2/k) 4/k - 1/k^2 = (3k + 7)/(k^2 (k + 1)) >= 0.
    """
    st = Steps()
    unit = G**2 / lam**2
    eta_k = 1 / (lam * k)
    st.say(
        "per step (projection is non-expansive, <g, w - w*> >= lam ||w - w*||^2 by SC(lam), "
        "E||g||^2 <= G^2): dist2(k) <= (1 - 2 lam eta_k) dist2(k-1) + eta_k^2 G^2"
    )
    factor = sp.expand(1 - 2 * lam * eta_k)
    recursion = sp.Le(dist2(k), factor * dist2(k - 1) + eta_k**2 * G**2)
    st.show("with eta_k = 1/(lam k)", recursion)
    st.say(
        "base: lam ||w - w*||^2 <= <g, w - w*> <= ||g|| ||w - w*||, so ||w_0 - w*|| <= G/lam "
        "and dist2(0) <= G^2/lam^2"
    )
    constant = sp.Symbol("C", positive=True)

    def bound(n: sp.Expr, scale: sp.Expr = 4) -> sp.Expr:
        return scale * unit / (n + 1)

    st.check_true("base k = 0: G^2/lam^2 <= 4 G^2/lam^2", sp.Le(unit, bound(0)))
    st.say(
        "step: for k >= 2, 1 - 2/k >= 0, so dist2(k-1) <= B(k-1) gives "
        "dist2(k) <= (1 - 2/k) B(k-1) + G^2/(lam^2 k^2)"
    )
    margin = sp.factor(sp.together((bound(k) - factor * bound(k - 1) - eta_k**2 * G**2) / unit))
    st.show("B(k) - (1 - 2/k) B(k-1) - G^2/(lam^2 k^2), in units of G^2/lam^2", margin)
    numerator, denominator = sp.fraction(margin)
    positive = sp.solveset(numerator > 0, k, sp.Interval(1, sp.oo))
    st.show("numerator > 0 for all k in [1, oo)", positive)
    st.check_true("[1, oo) is covered", sp.Eq(positive, sp.Interval(1, sp.oo)))
    st.check_true("denominator > 0", denominator > 0)
    st.say(
        "step k = 1: 1 - 2/1 < 0 and dist2(0) >= 0, so dist2(1) <= G^2/lam^2 "
        "(the inequality above also holds at k = 1, but cannot be used there)"
    )
    st.check_true("G^2/lam^2 <= B(1) = 2 G^2/lam^2", sp.Le(unit, bound(1)))
    lemma = sp.Le(dist2(k), bound(k))
    st.show("by induction, for k >= 0", lemma)
    paper = sp.Le(dist2(t - 1), sp.factor(bound(t - 1)))
    st.show("paper index t = k + 1 (start w_1): E||w_t - w*||^2 = dist2(t - 1)", paper)

    st.say("least constant C for which the same induction closes, B(k) = C G^2/(lam^2 (k+1)):")
    base = sp.solve(sp.Eq(unit, bound(0, constant)), constant)[0]
    first = sp.solve(sp.Eq(unit, bound(1, constant)), constant)[0]
    step = sp.together(
        (bound(k, constant) - factor * bound(k - 1, constant) - eta_k**2 * G**2) / unit
    )
    threshold = sp.solve(sp.Eq(sp.numer(step), 0), constant)[0]
    st.check_true("the step margin increases with C", sp.diff(sp.numer(step), constant) > 0)
    st.show("base needs C >= ", base)
    st.show("k = 1 needs C >= ", first)
    st.show("k >= 2 needs C >= ", threshold)
    sup = sp.limit(threshold, k, sp.oo)
    st.check_true("the k >= 2 threshold increases in k", sp.diff(threshold, k) > 0)
    st.show("whose supremum is", sup)
    least = sp.Max(base, first, sup)
    st.show("least constant", least)
    return Derivation(
        id="rakhlin_lemma",
        title="Rakhlin-Shamir-Sridharan Lemma 1: E||w_k - w*||^2 <= 4 G^2/(lam^2 (k + 1))",
        source="THEORY.md §2.1; Rakhlin, Shamir, Sridharan (2012), Lemma 1",
        closed_form=lemma,
        variables={
            "k": "number of updates (w_0 is the start)",
            "t": "the paper's iterate index, t = k + 1",
            "lam": "strong-convexity modulus",
            "G": "bound on E||g||^2 over the feasible set",
            "dist2(k)": "E||w_k - w*||^2",
            "C": "constant of the induction hypothesis B(k) = C G^2/(lam^2 (k + 1))",
        },
        conditions=(
            "SC(lam), E||g||^2 <= G^2 on the feasible set W, w* in W",
            "projected SGD with eta_k = 1/(lam k)",
            "k >= 0 (t >= 1)",
        ),
        steps=st.lines(),
        results={
            "recursion": recursion,
            "bound": lemma,
            "bound_paper_index": paper,
            "step_margin": sp.Eq(sp.Symbol("margin"), margin),
            "least_constant": sp.Eq(constant, least),
        },
    )
