"""Symbols used only by the model-problem derivations (the shared ones are in theory.symbols).

Indices, the dimension, initial errors, the papers' iterate index and the functions
that name the quantities being solved for.
"""

from __future__ import annotations

import sympy as sp

s = sp.Symbol("s", positive=True, integer=True)
"""Summation index: the noise xi_s of update s, or the averaged iterate w_s."""
j = sp.Symbol("j", positive=True, integer=True)
"""Index of an update or iterate in products and inner sums."""
i = sp.Symbol("i", positive=True, integer=True)
"""Coordinate index, 1 <= i <= d."""
t = sp.Symbol("t", positive=True, integer=True)
"""The papers' iterate index: their w_t is our w_k with t = k + 1."""
d = sp.Symbol("d", positive=True, integer=True)
"""Dimension."""
a = sp.Symbol("a", positive=True)
"""a = c*lam, the step constant of eta_k = c/k times the curvature."""
e0 = sp.Symbol("e_0", nonnegative=True)
"""E(w_0 - w*)^2, the initial squared error."""
s_eps = sp.Symbol("s_eps", positive=True)
"""Standard deviation of the label noise of least squares."""
x = sp.Symbol("x", positive=True)
"""Relative position s/k of an averaged iterate, 0 < x <= 1."""

xi = sp.IndexedBase("xi")
"""xi[s]: the noise of update s."""
lam_i = sp.IndexedBase("lam", positive=True)
"""lam[i]: the i-th Hessian eigenvalue of a diagonal quadratic."""
e0_i = sp.IndexedBase("e_0")
"""e_0[i]: the i-th coordinate of w_0 - w* (GD) or its second moment (SGD)."""
Sigma = sp.IndexedBase("Sigma")
"""Sigma[i, i]: the variance of the i-th coordinate of one sample's gradient noise."""

e = sp.Function("e")
"""e(k) = E(w_k - w*)^2 (or E||w_k - w*||^2)."""
u = sp.Function("u")
"""u(k) = w_k - w*."""
gap = sp.Function("gap")
"""gap(k) = E[F(w_k)] - F*."""
dist2 = sp.Function("dist2")
"""dist2(k) = E||w_k - w*||^2 under the assumptions SC(lam) and G^2."""
weight = sp.Function("weight")
"""weight(k, s): the weight of w_s in the average of w_1..w_k."""
ebar = sp.Function("ebar")
"""ebar(k) = E(wbar_k - w*)^2, the squared error of an averaged iterate."""
partial_sum = sp.Function("S")
"""S(k) = sum_{s<=k} xi[s]."""
