"""What a bound B(k) implies as k -> oo, derived by SymPy from the expression.

Every derivation starts from the *gauge* of the bound: the function
``C * rho**k * k**p * log(k)**q`` that B is asymptotically equivalent to
(B(k) / gauge(k) -> 1). The gauge is computed by structural recursion:

* a factor free of k is a constant ``C``;
* ``k`` is ``k**1``; a product multiplies gauges; a power ``f**e`` (e free of k)
  raises them; ``a**(s*k + t)`` with ``a`` free of k is ``a**t * (a**s)**k``;
* ``log f`` is ``p log k`` when ``f ~ C k**p`` (p != 0) and ``k log rho`` when
  ``f ~ C rho**k``;
* a sum keeps its dominant terms (larger ``|rho|``, then larger ``p``, then larger
  ``q``) and adds their coefficients.

Anything else (``gamma(k)``, ``k**k``, a sum whose dominant terms cancel) falls back
to SymPy limits: ``rho = lim B(k+1)/B(k)``, ``p = lim k d/dk log B``,
``q = lim log(k) (k d/dk log B - p)``, ``C = lim B/(rho**k k**p log(k)**q)``.

Constants are positive (as declared in :mod:`theory.symbols`). Comparisons that the
symbols' positivity does not settle (is ``|1 - eta*lam| < 1``? is ``-2*c*lam > -1``?)
are settled on the *conditions* (SymPy relationals such as ``eta < 2/lam``): each
condition is solved for one symbol and that symbol is rewritten through a fresh
positive parameter u (``eta -> (2/lam)/(1 + u)``), so the comparison becomes a sign
question about positive symbols. If that still does not settle it, an
:class:`~theory.errors.InputError` says which comparison needs which condition.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from dataclasses import dataclass

import sympy as sp
from sympy.core.relational import Relational

from theory import symbols as S
from theory import validation
from theory.errors import InputError

__all__ = [
    "BatchScaling",
    "RateShape",
    "batch_crossover",
    "batch_scaling",
    "iterations_to_eps",
    "leading_term",
    "minibatch_variance",
    "rate_shape",
    "samples_to_eps",
    "split_batch_terms",
]

Conditions = tuple[Relational, ...]


@dataclass(frozen=True)
class RateShape:
    """How a bound behaves as k -> oo: ``B(k) - floor ~ C * gauge(k)``.

    Power law (``contraction is None``): gauge ``k**exponent * log(k)**log_power``.
    Linear rate: ``exponent is None`` and gauge ``contraction**k * k**prefactor_power``
    (``prefactor_power`` is nonzero only for double roots, e.g. ``k * rho**k``).
    ``floor = lim B(k)`` (0 for a bound that vanishes, ``oo`` for one that grows).
    """

    exponent: sp.Expr | None
    log_power: sp.Expr
    contraction: sp.Expr | None
    floor: sp.Expr = sp.S.Zero
    prefactor_power: sp.Expr = sp.S.Zero

    @property
    def is_linear(self) -> bool:
        """True for a geometric (linear) rate."""
        return self.contraction is not None

    @property
    def order(self) -> sp.Expr:
        """The gauge without its coefficient, e.g. ``log(k)/k`` or ``(1 - lam/L)**k``."""
        if self.contraction is not None:
            return self.contraction**S.k * S.k**self.prefactor_power
        assert self.exponent is not None
        return S.k**self.exponent * sp.log(S.k) ** self.log_power


@dataclass(frozen=True)
class BatchScaling:
    """The three ratios behind "a batch of b helps by sqrt(b) per iteration, not per sample".

    * ``stochastic_per_iteration``: stochastic term at batch 1 / at batch b, same k.
    * ``deterministic_per_sample``: deterministic term at k = n/b / at k = n (batch 1),
      same sample budget n.
    * ``nonsmooth_per_sample``: the non-smooth bound with ``G_b**2 = G**2 + sigma**2/b``
      at k = n/b / at k = n, in the low-noise limit sigma -> 0.
    """

    stochastic_per_iteration: sp.Expr
    deterministic_per_sample: sp.Expr
    nonsmooth_per_sample: sp.Expr


@dataclass(frozen=True)
class _Gauge:
    """``coeff * rho**k * k**p * log(k)**q``."""

    coeff: sp.Expr
    rho: sp.Expr
    p: sp.Expr
    q: sp.Expr

    def function(self, var: sp.Symbol) -> sp.Expr:
        return self.rho**var * var**self.p * sp.log(var) ** self.q

    def times(self, other: _Gauge) -> _Gauge:
        return _Gauge(
            self.coeff * other.coeff, self.rho * other.rho, self.p + other.p, self.q + other.q
        )

    def power(self, e: sp.Expr) -> _Gauge:
        return _Gauge(self.coeff**e, self.rho**e, self.p * e, self.q * e)


class _NoRule(Exception):
    """The structural rules do not apply (or the dominant terms cancel): use limits."""


# --------------------------------------------------------------------------- input checks


def _check_expr(where: str, name: str, value: object) -> sp.Expr:
    """``value`` as a SymPy expression, if it is one or a number (not a bool)."""
    if isinstance(value, bool) or not isinstance(value, sp.Expr | int | float):
        expected = "a SymPy expression or a number (build it from theory.symbols)"
        raise validation.not_allowed(where, name, value, expected)
    return sp.sympify(value) if not isinstance(value, sp.Expr) else value


def _check_bound(where: str, bound: object, var: sp.Symbol = S.k, name: str = "bound") -> sp.Expr:
    """``bound`` as a SymPy expression in ``var``."""
    expr = _check_expr(where, name, bound)
    if var not in expr.free_symbols:
        expected = f"a SymPy expression that depends on {var} (a rate B({var}))"
        raise validation.not_allowed(where, name, bound, expected)
    return expr


def _check_conditions(where: str, conditions: Iterable[object]) -> Conditions:
    """``conditions`` (one relational or several) as a tuple of relationals."""
    if isinstance(conditions, Relational):
        conditions = (conditions,)
    out = []
    for i, cond in enumerate(conditions):
        if not isinstance(cond, Relational):
            expected = (
                "a SymPy relational such as eta < 2/lam (one that SymPy evaluates to True "
                "or False is not one)"
            )
            raise validation.not_allowed(where, f"conditions[{i}]", cond, expected)
        out.append(cond)
    return tuple(out)


# ------------------------------------------------------------- signs, using the conditions


def _known_sign(expr: sp.Expr) -> int | None:
    """+1, -1 or 0 when SymPy's assumptions settle it, else None."""
    if expr.is_zero:
        return 0
    if expr.is_positive:
        return 1
    if expr.is_negative:
        return -1
    return None


def _rational_sign(expr: sp.Expr) -> int | None:
    """Sign of ``expr`` from its expanded (or factored) numerator and denominator."""
    sign = _known_sign(expr)
    if sign is not None:
        return sign
    num, den = sp.fraction(sp.together(expr))
    signs = []
    for part in (num, den):
        part_sign = _known_sign(sp.expand(part))
        if part_sign is None:
            part_sign = _known_sign(sp.factor(part))
        if part_sign is None:
            return None
        signs.append(part_sign)
    return signs[0] * signs[1]


def _isolate(cond: Relational) -> tuple[sp.Symbol, str, sp.Expr, bool]:
    """Solve a condition for one symbol: (symbol, 'lo' | 'hi' | 'eq', value, strict)."""
    if isinstance(cond, sp.Eq):
        expr, sense, strict = cond.lhs - cond.rhs, "eq", True
    elif isinstance(cond, sp.StrictLessThan | sp.LessThan):
        expr, sense, strict = cond.rhs - cond.lhs, "pos", isinstance(cond, sp.StrictLessThan)
    elif isinstance(cond, sp.StrictGreaterThan | sp.GreaterThan):
        expr, sense, strict = cond.lhs - cond.rhs, "pos", isinstance(cond, sp.StrictGreaterThan)
    else:
        raise InputError(f"condition {cond}: only =, <, <=, >, >= are supported")
    for sym in sorted(expr.free_symbols, key=str):
        coef = sp.diff(expr, sym)
        if sym in coef.free_symbols:
            continue
        coef_sign = _known_sign(coef)
        if coef_sign in (None, 0):
            continue
        value = sp.simplify(sym - expr / coef)
        if sense == "eq":
            return sym, "eq", value, True
        return sym, ("lo" if coef_sign > 0 else "hi"), value, strict
    raise InputError(
        f"condition {cond}: cannot solve it for a single symbol with a coefficient of known "
        "sign; write it as e.g. eta < 2/lam or c*lam > 1/2"
    )


@functools.lru_cache(maxsize=256)
def _parametrization(conditions: Conditions) -> tuple[tuple[sp.Symbol, sp.Expr], ...]:
    """Rewrite each constrained symbol through a fresh u >= 0 so the constraint holds."""
    lo: dict[sp.Symbol, tuple[sp.Expr, bool]] = {}
    hi: dict[sp.Symbol, tuple[sp.Expr, bool]] = {}
    eq: dict[sp.Symbol, sp.Expr] = {}
    order: list[sp.Symbol] = []
    for cond in conditions:
        sym, sense, value, strict = _isolate(cond)
        table = {"lo": lo, "hi": hi, "eq": eq}[sense]
        if sym in table:
            raise InputError(
                f"conditions {', '.join(map(str, conditions))}: two {sense} conditions on {sym}"
            )
        table[sym] = (value, strict) if sense != "eq" else value
        if sym not in order:
            order.append(sym)
    subs = []
    for sym in order:
        if sym in eq:
            subs.append((sym, eq[sym]))
            continue
        if sym not in lo and (sym.is_positive or sym.is_nonnegative):
            lo[sym] = (sp.S.Zero, bool(sym.is_positive))
        u = (
            sp.Dummy("u", positive=True)
            if hi.get(sym, lo.get(sym))[1]
            else sp.Dummy("u", nonnegative=True)
        )
        if sym in lo and sym in hi:
            subs.append((sym, lo[sym][0] + (hi[sym][0] - lo[sym][0]) / (1 + u)))
        elif sym in hi:
            raise InputError(f"condition on {sym}: an upper bound needs {sym} declared positive")
        else:
            subs.append((sym, lo[sym][0] + u))
    return tuple(subs)


def _substitute(expr: sp.Expr, subs: tuple[tuple[sp.Symbol, sp.Expr], ...]) -> sp.Expr:
    constrained = {sym for sym, _ in subs}
    for _ in range(len(subs) + 1):
        if not expr.free_symbols & constrained:
            return expr
        for sym, value in subs:
            expr = expr.xreplace({sym: value})
    raise InputError("the conditions refer to each other in a cycle; cannot use them")


def _sign(expr: sp.Expr, conditions: Conditions, what: str) -> int:
    """The sign of ``expr``, using the conditions when positivity alone does not settle it."""
    sign = _rational_sign(expr)
    if sign is None and conditions:
        sign = _rational_sign(_substitute(expr, _parametrization(conditions)))
    if sign is None:
        given = ", ".join(map(str, conditions)) or "none"
        raise InputError(
            f"cannot decide the sign of {expr} ({what}) from the constants' positivity and the "
            f"conditions ({given}); add a condition that settles it"
        )
    return sign


# ------------------------------------------------------------------------ the gauge


def _compare(g1: _Gauge, g2: _Gauge, conditions: Conditions) -> int:
    """+1 if g1 dominates g2, -1 if g2 dominates, 0 if they are of the same order."""
    for diff, what in (
        (g1.rho**2 - g2.rho**2, "comparing contraction factors"),
        (g1.p - g2.p, "comparing exponents"),
        (g1.q - g2.q, "comparing log powers"),
    ):
        sign = _sign(diff, conditions, what)
        if sign:
            return sign
    return 0


def _linear_in(expr: sp.Expr, var: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    poly = expr.as_poly(var)
    if poly is None or poly.degree() > 1:
        raise _NoRule
    return poly.coeff_monomial(var), poly.coeff_monomial(1)


def _gauge_rules(expr: sp.Expr, var: sp.Symbol, conditions: Conditions) -> _Gauge:
    if var not in expr.free_symbols:
        return _Gauge(expr, sp.S.One, sp.S.Zero, sp.S.Zero)
    if expr == var:
        return _Gauge(sp.S.One, sp.S.One, sp.S.One, sp.S.Zero)
    if isinstance(expr, sp.Mul):
        gauge = _Gauge(sp.S.One, sp.S.One, sp.S.Zero, sp.S.Zero)
        for arg in expr.args:
            gauge = gauge.times(_gauge_rules(arg, var, conditions))
        return gauge
    if isinstance(expr, sp.Add):
        return _gauge_of_sum(expr.args, var, conditions)
    if isinstance(expr, sp.Pow):
        base, e = expr.args
        if var not in e.free_symbols:
            return _gauge_rules(base, var, conditions).power(e)
        if var not in base.free_symbols:
            slope, offset = _linear_in(e, var)
            return _Gauge(base**offset, base**slope, sp.S.Zero, sp.S.Zero)
        raise _NoRule
    if isinstance(expr, sp.exp):
        slope, offset = _linear_in(expr.args[0], var)
        return _Gauge(sp.exp(offset), sp.exp(slope), sp.S.Zero, sp.S.Zero)
    if isinstance(expr, sp.log):
        inner = _gauge_rules(expr.args[0], var, conditions)
        if _sign(inner.rho**2 - 1, conditions, f"growth of {expr}"):
            return _Gauge(sp.log(inner.rho), sp.S.One, sp.S.One, sp.S.Zero)
        if _sign(inner.p, conditions, f"growth of {expr}"):
            return _Gauge(inner.p, sp.S.One, sp.S.Zero, sp.S.One)
        if inner.q == 0 and _sign(inner.coeff - 1, conditions, f"limit of {expr}"):
            return _Gauge(sp.log(inner.coeff), sp.S.One, sp.S.Zero, sp.S.Zero)
        raise _NoRule
    raise _NoRule


def _gauge_of_sum(terms: Iterable[sp.Expr], var: sp.Symbol, conditions: Conditions) -> _Gauge:
    best: list[_Gauge] = []
    for term in terms:
        gauge = _gauge_rules(term, var, conditions)
        cmp = _compare(gauge, best[0], conditions) if best else 1
        if cmp > 0:
            best = [gauge]
        elif cmp == 0:
            best.append(gauge)
    coeff = sp.Add(*(g.coeff for g in best))
    if len(best) > 1 and (coeff.is_zero or sp.expand(coeff) == 0):
        raise _NoRule  # the dominant terms cancel
    return _Gauge(coeff, best[0].rho, best[0].p, best[0].q)


def _limit(expr: sp.Expr, var: sp.Symbol, what: str, bound: sp.Expr) -> sp.Expr:
    try:
        value = sp.limit(expr, var, sp.oo)
    except Exception as exc:  # any SymPy failure becomes a message naming the bound
        raise InputError(f"bound {bound}: SymPy cannot take the limit for {what} ({exc})") from exc
    if value.has(sp.Limit, sp.AccumBounds, sp.zoo, sp.nan) or not value.is_finite:
        raise InputError(f"bound {bound}: the limit for {what} is {value}, not a finite number")
    return value


def _gauge_by_limits(expr: sp.Expr, var: sp.Symbol) -> _Gauge:
    ratio = _limit(sp.simplify(expr.subs(var, var + 1) / expr), var, "lim B(k+1)/B(k)", expr)
    if ratio != 1:
        p = _limit(var * (expr.subs(var, var + 1) / (ratio * expr) - 1), var, "the k-power", expr)
        coeff = _limit(expr / (ratio**var * var**p), var, "the coefficient", expr)
        q = sp.S.Zero
    else:
        slope = var * sp.diff(sp.log(expr), var)
        p = _limit(slope, var, "lim k d/dk log B", expr)
        q = _limit(sp.log(var) * (slope - p), var, "the log power", expr)
        coeff = _limit(expr / (var**p * sp.log(var) ** q), var, "the coefficient", expr)
        ratio = sp.S.One
    if coeff == 0:
        raise InputError(f"bound {expr}: could not isolate its leading term")
    return _Gauge(coeff, ratio, p, q)


def _gauge(expr: sp.Expr, var: sp.Symbol, conditions: Conditions) -> _Gauge:
    for candidate in (expr, sp.expand(expr)):
        try:
            return _gauge_rules(candidate, var, conditions)
        except _NoRule:
            continue
    return _gauge_by_limits(expr, var)


# ------------------------------------------------------------------------ public API


@functools.lru_cache(maxsize=1024)
def _leading(bound: sp.Expr, var: sp.Symbol, conditions: Conditions) -> sp.Expr:
    gauge = _gauge(bound, var, conditions)
    return gauge.coeff * gauge.function(var)


def leading_term(bound: sp.Expr, k: sp.Symbol = S.k, conditions: Iterable = ()) -> sp.Expr:
    """The simplest expression asymptotically equivalent to ``bound`` as k -> oo.

    ``leading_term(2*D**2*L/k + 2*D*sigma/sqrt(b*k)) == 2*D*sigma/sqrt(b*k)`` (fixed b).
    A bound with a floor (``(1 - eta*lam)**(2*k)*(R**2 - V) + V``) leads with the floor V.
    """
    where = "leading_term"
    return _leading(_check_bound(where, bound, k), k, _check_conditions(where, conditions))


@functools.lru_cache(maxsize=1024)
def _shape(bound: sp.Expr, conditions: Conditions) -> RateShape:
    var = S.k
    if conditions:
        _parametrization(conditions)  # validates every condition up front
    gauge = _gauge(bound, var, conditions)
    settles = gauge.rho == 1 and gauge.p == 0 and gauge.q == 0
    if settles:
        floor = gauge.coeff
        rest = bound - floor
        if var not in rest.free_symbols:
            return RateShape(sp.S.Zero, sp.S.Zero, None, floor)
        gauge = _gauge(rest, var, conditions)
    else:
        grows = _compare(gauge, _Gauge(sp.S.One, sp.S.One, sp.S.Zero, sp.S.Zero), conditions)
        floor = sp.oo if grows > 0 else sp.S.Zero
    if _sign(gauge.rho**2 - 1, conditions, "is the rate linear"):
        return RateShape(None, gauge.q, gauge.rho, floor, gauge.p)
    return RateShape(gauge.p, gauge.q, None, floor)


def rate_shape(bound: sp.Expr, conditions: Iterable = ()) -> RateShape:
    """Exponent, log power and contraction of ``bound`` as k -> oo (see :class:`RateShape`).

    The exponent is ``lim k d/dk log B(k)`` once a ``log(k)**q`` factor is set aside:
    for ``17*G**2*(1 + log(k+1))/(lam*(k+1))`` it is -1 with log power 1. For a linear rate
    the exponent is None and the contraction is ``lim B(k+1)/B(k)``. A bound with a
    floor V > 0 reports ``floor=V`` and the shape of ``B - V``.
    """
    return _shape(_check_bound("rate_shape", bound), _check_conditions("rate_shape", conditions))


@functools.lru_cache(maxsize=1024)
def _iterations(bound: sp.Expr, conditions: Conditions, target: sp.Symbol) -> sp.Expr:
    var = S.k
    shape = _shape(bound, conditions)
    if shape.floor != 0:
        raise InputError(
            f"bound {bound} tends to {shape.floor}, not 0: accuracies below it are never reached"
        )
    gauge = _gauge(bound, var, conditions)
    coeff = gauge.coeff
    if shape.is_linear:
        # C rho^k k^p = eps: k0 = log(C/eps)/log(1/rho), then one fixed-point step for k^p.
        k0 = sp.log(coeff / target) / sp.log(1 / gauge.rho)
        return sp.simplify((sp.log(coeff / target) + gauge.p * sp.log(k0)) / sp.log(1 / gauge.rho))
    decay = -gauge.p
    if decay == 0:
        raise InputError(f"bound {bound} decays slower than every power of k; no k_eps formula")
    # C k^-P log(k)^q = eps: k0 = (C/eps)^(1/P), then one fixed-point step for the log,
    # k1 = (C log(k0)^q / eps)^(1/P) with log(k0) = log(C/eps)/P.
    log_k0 = sp.log(coeff / target) / decay
    return (coeff * log_k0**gauge.q / target) ** (1 / decay)


def iterations_to_eps(bound: sp.Expr, conditions: Iterable = (), eps: sp.Symbol = S.eps) -> sp.Expr:
    """Leading order as eps -> 0 of the k solving ``B(k) = eps``.

    Power law ``C k**(-P)``: ``(C/eps)**(1/P)``. With a log factor, one fixed-point step
    ``k = (C log(k)**q / eps)**(1/P)`` from ``(C/eps)**(1/P)``, e.g.
    ``17*G**2*log(17*G**2/(lam*eps))/(lam*eps)`` for Shamir-Zhang (log(C/eps) ~ log(1/eps)).
    Linear ``C rho**k``: ``log(C/eps)/log(1/rho)``.
    """
    return _checked_iterations("iterations_to_eps", bound, conditions, eps)


def _checked_iterations(
    where: str, bound: object, conditions: Iterable[object], eps: object
) -> sp.Expr:
    """:func:`iterations_to_eps` for the public function ``where``, its inputs checked."""
    if not isinstance(eps, sp.Symbol):
        raise validation.not_allowed(where, "eps", eps, "a SymPy symbol")
    return _iterations(_check_bound(where, bound), _check_conditions(where, conditions), eps)


def samples_to_eps(bound: sp.Expr, conditions: Iterable = (), eps: sp.Symbol = S.eps) -> sp.Expr:
    """Samples ``b*k`` at the solution of ``B(k) = eps`` (leading order in eps -> 0).

    For ``2*D**2*L/k + 2*D*sigma/sqrt(b*k)`` at fixed b: ``4*D**2*sigma**2/eps**2``.
    """
    return sp.simplify(S.b * _checked_iterations("samples_to_eps", bound, conditions, eps))


def split_batch_terms(bound: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``(deterministic, stochastic)``: the terms of ``bound`` free of b, and those with b."""
    return _split("split_batch_terms", "bound", bound)


def _split(where: str, name: str, bound: object) -> tuple[sp.Expr, sp.Expr]:
    """:func:`split_batch_terms` of the input ``name`` of the public function ``where``."""
    expr = _check_bound(where, bound, name=name)
    terms = sp.Add.make_args(sp.expand(expr))
    deterministic = sp.Add(*(t for t in terms if S.b not in t.free_symbols))
    stochastic = sp.Add(*(t for t in terms if S.b in t.free_symbols))
    if deterministic == 0 or stochastic == 0:
        expected = "a sum of a term free of the batch size b and a term with b"
        raise validation.not_allowed(where, name, bound, expected)
    return deterministic, stochastic


def batch_crossover(bound: sp.Expr, budget: sp.Symbol = S.n) -> sp.Expr:
    """The batch size b* at which the two terms of ``bound`` are equal at ``b*k = budget``.

    For ``2*D**2*L/k + 2*D*sigma/sqrt(b*k)``: ``b* = sigma*sqrt(n)/(D*L)``; below b* the
    stochastic term dominates and a larger batch costs nothing per sample.
    """
    deterministic, stochastic = _split("batch_crossover", "bound", bound)
    batch = sp.Dummy("b", positive=True)
    per_sample = (deterministic - stochastic).subs(S.k, budget / S.b).subs(S.b, batch)
    roots = [r for r in sp.solve(sp.Eq(per_sample, 0), batch) if r.is_positive is not False]
    if len(roots) != 1:
        raise InputError(
            f"bound {bound}: expected one positive batch size where the terms are equal, "
            f"found {roots}"
        )
    return sp.simplify(roots[0])


def batch_scaling(smooth: sp.Expr, nonsmooth: sp.Expr) -> BatchScaling:
    """The ratios of :class:`BatchScaling`, from a smooth two-term minibatch bound
    (e.g. ``2*D**2*L/k + 2*D*sigma/sqrt(b*k)``) and a non-smooth bound in
    ``G**2 + sigma**2/b`` (e.g. the convex SGD bound with ``G**2 -> G**2 + sigma**2/b``).

    Derived: ``sqrt(b)``, ``b`` and ``sqrt(b)`` for the catalog's bounds.
    """
    where = "batch_scaling"
    deterministic, stochastic = (leading_term(t) for t in _split(where, "smooth", smooth))
    lead = leading_term(_check_bound(where, nonsmooth, name="nonsmooth"))
    if S.b not in lead.free_symbols or S.sigma not in lead.free_symbols:
        expected = "a bound whose leading term depends on b and sigma, as G**2 + sigma**2/b"
        raise validation.not_allowed(where, "nonsmooth", nonsmooth, expected)

    def per_sample(expr: sp.Expr) -> sp.Expr:
        return expr.subs(S.k, S.n / S.b)

    noiseless = per_sample(lead).subs(S.sigma, 0)
    return BatchScaling(
        stochastic_per_iteration=sp.simplify(stochastic.subs(S.b, 1) / stochastic),
        deterministic_per_sample=sp.simplify(
            per_sample(deterministic) / per_sample(deterministic).subs(S.b, 1)
        ),
        nonsmooth_per_sample=sp.simplify(noiseless / noiseless.subs(S.b, 1)),
    )


def minibatch_variance(
    sigma2: sp.Expr, b: sp.Expr | int, N: sp.Expr | int | None = None
) -> sp.Expr:
    """Variance of the mean of a batch of b draws whose single-draw variance is ``sigma2``.

    ``Var(mean) = (b*sigma2 + b*(b - 1)*cov) / b**2`` for exchangeable draws with pairwise
    covariance ``cov``. I.i.d. draws: ``cov = 0``, so ``sigma2/b``. Without replacement
    from N points (``sigma2`` the population variance, 1/N): drawing all N points gives
    a fixed sum, so ``0 = N*sigma2 + N*(N - 1)*cov`` and
    ``Var(mean) = sigma2/b * (N - b)/(N - 1)``.
    """
    where = "minibatch_variance"
    sigma2 = _check_expr(where, "sigma2", sigma2)
    size = _check_expr(where, "b", b)
    if size.is_number and not (size.is_integer and size >= 1):
        expected = "a batch size: an integer >= 1 or a symbolic expression"
        raise validation.not_allowed(where, "b", b, expected)
    cov = sp.Symbol("cov")
    if N is None:
        cov_value = sp.S.Zero
    else:
        points = _check_expr(where, "N", N)
        if points.is_number and not (points.is_integer and points >= 2):
            expected = "a number of points: an integer >= 2 or a symbolic expression"
            raise validation.not_allowed(where, "N", N, expected)
        if (points - size).is_negative:
            expected = f"N >= b = {b}: b draws without replacement need b points"
            raise validation.not_allowed(where, "N", N, expected)
        (cov_value,) = sp.solve(sp.Eq(points * sigma2 + points * (points - 1) * cov, 0), cov)
    variance = (size * sigma2 + size * (size - 1) * cov) / size**2
    return sp.factor(variance.subs(cov, cov_value))
