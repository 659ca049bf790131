"""Gamma-function helpers for the derivations: rewriting and large-argument ratios."""

from __future__ import annotations

import sympy as sp

from theory.model_problems.derivation import DerivationCheckError


def gamma_form(expr: sp.Expr) -> sp.Expr:
    """Rewrite RisingFactorial(x, n) = Gamma(x + n)/Gamma(x) and n! = Gamma(n + 1)."""
    expr = expr.replace(sp.RisingFactorial, lambda base, n: sp.gamma(base + n) / sp.gamma(base))
    return expr.replace(sp.factorial, lambda n: sp.gamma(n + 1))


def gamma_ratio_series(p: sp.Expr, q: sp.Expr) -> tuple[sp.Expr, sp.Eq]:
    """lim_{z->oo} z^(q-p) Gamma(z+p)/Gamma(z+q), and its log's expansion up to O(1/z^2).

    The log, log Gamma(z+p) - log Gamma(z+q) + (q-p) log z, is expanded at z = oo by
    SymPy (Stirling); its constant term is the log of the limit.
    """
    z = sp.Symbol("z", positive=True)
    log_ratio = sp.loggamma(z + p) - sp.loggamma(z + q) + (q - p) * sp.log(z)
    terms = sp.factor(sp.expand_log(sp.series(log_ratio, z, sp.oo, 2).removeO(), force=True))
    lead = sp.limit(terms, z, sp.oo)
    if lead.has(z) or not lead.is_finite:
        raise DerivationCheckError(f"log Gamma ratio {log_ratio} has no finite limit: {lead}")
    return sp.exp(lead), sp.Eq(log_ratio, terms)
