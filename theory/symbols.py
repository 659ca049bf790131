"""The SymPy symbols ratecheck's formulas are written in.

One symbol per quantity, shared by schedules, bounds and derivations, so that an
expression parsed from user text and one written in the catalog compare equal.
The iteration counter ``k`` and the batch size ``b`` are positive integers; every
other constant is a positive real.
"""

from __future__ import annotations

import sympy as sp

k = sp.Symbol("k", positive=True, integer=True)
"""Iteration counter, k = 1, 2, ..."""
b = sp.Symbol("b", positive=True, integer=True)
"""Minibatch size."""
n = sp.Symbol("n", positive=True, integer=True)
"""Number of samples in a finite sum (or a sample budget b*k)."""

lam = sp.Symbol("lam", positive=True)
"""Strong-convexity modulus lambda."""
mu = sp.Symbol("mu", positive=True)
"""Smoothness with respect to the optimum (Rakhlin et al.'s mu), or a lower eigenvalue."""
L = sp.Symbol("L", positive=True)
"""Smoothness constant (Lipschitz constant of the gradient)."""
G = sp.Symbol("G", positive=True)
"""Bound on the gradient second moment, E||g||^2 <= G^2."""
sigma = sp.Symbol("sigma", positive=True)
"""Gradient-noise standard deviation, E||g - grad F||^2 <= sigma^2."""
D = sp.Symbol("D", positive=True)
"""Diameter of the domain."""
R = sp.Symbol("R", positive=True)
"""Initial distance ||w_0 - w*||."""
c = sp.Symbol("c", positive=True)
"""Step-size constant."""
k0 = sp.Symbol("k0", positive=True)
"""Step-size shift, as in c/(k + k0)."""
p = sp.Symbol("p", positive=True)
"""Step-size decay exponent, as in c*k**(-p)."""
q = sp.Symbol("q", positive=True)
"""Geometric step-size ratio, as in c*q**k."""
gamma = sp.Symbol("gamma", nonnegative=True)
"""Polynomial-decay averaging parameter (gamma = 0 is the uniform average)."""
alpha = sp.Symbol("alpha", positive=True)
"""Suffix fraction of the alpha-suffix average, 0 < alpha <= 1."""
eta = sp.Symbol("eta", positive=True)
"""A constant step size."""
beta = sp.Symbol("beta", positive=True)
"""Momentum parameter."""
eps = sp.Symbol("eps", positive=True)
"""Target accuracy."""
kappa = sp.Symbol("kappa", positive=True)
"""Condition number L/lam."""

CONSTANTS: dict[str, sp.Symbol] = {
    s.name: s
    for s in (lam, mu, L, G, sigma, D, R, c, k0, p, q, gamma, alpha, eta, beta, eps, kappa)
}
"""Positive constants that may appear in schedules and bounds, by name."""

ALL: dict[str, sp.Symbol] = {"k": k, "b": b, "n": n, **CONSTANTS}
"""Every symbol ratecheck knows, by name."""
