"""Decide the Robbins–Monro conditions sum eta_k = oo and sum eta_k^2 < oo.

Method (THEORY.md §1). Write eta_k = C g(k) with C > 0 the factor free of k; C does
not change convergence. Floor, Min and Max in product position are replaced by an
asymptotically equivalent term (floor(f) ~ f when f -> oo; Min/Max by the eventually
smallest/largest argument), which keeps both sums' convergence (limit comparison).
What remains must be an exp-log function of k; for those, SymPy's ``gruntz`` decides
limits as k -> oo (along the reals, hence along the integers). On the scales
s_0 = k, s_1 = log k, s_2 = log log k, s_3 = log log log k it peels

    c_i = lim (log g - sum_{j<i} c_j s_j) / s_i,   r = log g - sum_i c_i s_i,

stopping once r has a finite limit r0 (later c_i are then 0). So with rho = e^{c_0},
a = c_1, m = c_2: g = rho^k k^a (log k)^m ... e^r, and g ~ e^{r0} rho^k k^a (log k)^m.
Bertrand's test (limit comparison with sum rho^k k^a (log k)^m ...): the sum converges
iff the first c_i that differs from its threshold (0 for c_0, -1 after) is below it,
i.e. rho < 1, or rho = 1 and (a < -1, or a = -1 and m < -1, ...). Each step is sharp by
the definition of the limits (a < -1 gives g <= k^{(a-1)/2} eventually, and so on).
Where every c_i equals its threshold, g = e^r/(k log k ...): the sum diverges when
lim r > -oo and is left undecided otherwise. The squares use 2 c_i and 2 r.

A constant in an exponent (p in ``c*k**(-p)``, q in ``c*q**k``) is a parameter: the
limits are taken with it symbolic, each condition becomes a set of its values
(``solveset`` over its domain, e.g. p > 0), and the answer is re-checked directly at
sample values of the parameter. ``sympy.Sum.is_convergent`` cross-checks every
parameter-free answer where it answers; any SymPy failure or disagreement gives an
undecided (None) answer, never a guess.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import sympy as sp
from sympy.series.gruntz import gruntz

from theory import limits, symbols
from theory.expressions import format_expression
from theory.schedules import free_exponents, parse_schedule

_k = symbols.k
_x = sp.Dummy("x", positive=True)
"""A real variable standing for k in limits: for exp-log functions the limit along the
reals exists and equals the limit along the integers."""
_ROUNDING = (sp.floor, sp.ceiling)


@dataclass(frozen=True)
class RobbinsMonroResult:
    """Whether a schedule satisfies sum eta_k = oo and sum eta_k^2 < oo.

    ``satisfied``, ``sum_diverges`` and ``square_summable`` are None when undecided or
    when they depend on ``parameter``; ``parameter_set`` is then the exact set of its
    values for which both conditions hold. ``asymptotic`` is the leading form
    C rho^k k^a (log k)^m of eta_k when it was found.
    """

    schedule: sp.Expr
    satisfied: bool | None
    sum_diverges: bool | None
    square_summable: bool | None
    asymptotic: sp.Expr | None
    parameter: sp.Symbol | None
    parameter_set: sp.Set | None
    reason: str

    def summary(self) -> str:
        """A few readable lines: the schedule, its asymptotic form and each condition."""
        unknown = "undecided" if self.parameter_set is None else f"depends on {self.parameter}"

        def verdict(flag: bool | None) -> str:
            return unknown if flag is None else ("yes" if flag else "no")

        lines = [
            f"Robbins–Monro conditions for eta_k = {format_expression(self.schedule)}",
            f"  eta_k ~ {_text(self.asymptotic)}",
            f"  sum eta_k = oo:    {verdict(self.sum_diverges)}",
            f"  sum eta_k^2 < oo:  {verdict(self.square_summable)}",
            f"  both (satisfied):  {verdict(self.satisfied)}",
        ]
        if self.parameter_set is not None:
            lines.append(f"  both hold iff {self.parameter} in {_set_text(self.parameter_set)}")
        lines.append(f"  reason: {self.reason}")
        return "\n".join(lines)

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form: schedule and parameter set as text, verdicts as bool or None."""
        return {
            "schedule": format_expression(self.schedule),
            "satisfied": self.satisfied,
            "sum_diverges": self.sum_diverges,
            "square_summable": self.square_summable,
            "parameter_set": None if self.parameter_set is None else sp.sstr(self.parameter_set),
            "reason": self.reason,
        }


def robbins_monro(schedule: str | sp.Expr | int | float) -> RobbinsMonroResult:
    """Decide sum eta_k = oo and sum eta_k^2 < oo for the schedule eta_k (see module doc).

    The decision may take ROBBINS_MONRO_SECONDS (:mod:`theory.limits`); beyond that it
    stops with a :class:`~theory.limits.LimitError` ("could not decide ... within N s").
    """
    expr = parse_schedule(schedule)
    task = f"decide the Robbins-Monro conditions for eta_k = {format_expression(expr)}"
    return limits.within(limits.ROBBINS_MONRO_SECONDS, task, lambda: _decision(expr))


def _decision(expr: sp.Expr) -> RobbinsMonroResult:
    constant, shape = expr.as_independent(_k, as_Add=False)
    parameters = free_exponents(shape)
    parameter = parameters[0] if len(parameters) == 1 else None
    try:
        if constant.is_positive is not True:
            raise _Undecided(f"cannot show that the constant factor {_text(constant)} is positive")
        shape, replaced = _equivalent(shape)
        growth = _growth(shape)
        if parameter is None:
            verdicts = _decide(growth, None)
            _cross_check(shape, verdicts)
        else:
            verdicts = _decide(growth, parameter)
            _check_samples(shape, parameter, verdicts)
    except _Undecided as undecided:
        several = (
            f"; several free exponents ({', '.join(map(str, parameters))}) cannot be solved for"
            if len(parameters) > 1
            else ""
        )
        return RobbinsMonroResult(
            expr, None, None, None, None, parameter, None, f"undecided: {undecided}{several}"
        )
    asymptotic = None if growth.form is None else constant * growth.form
    lead = f"eta_k ~ {_text(asymptotic)}" if asymptotic is not None else growth.describe()
    if replaced:
        lead = f"{lead} (replacing {', '.join(replaced)})"
    return RobbinsMonroResult(
        schedule=expr,
        satisfied=verdicts.flag(verdicts.both),
        sum_diverges=verdicts.flag(verdicts.diverges),
        square_summable=verdicts.flag(verdicts.squares_converge),
        asymptotic=asymptotic,
        parameter=parameter,
        parameter_set=None if parameter is None else verdicts.both,
        reason=f"{lead}: {verdicts.explain(growth)}",
    )


class _Undecided(Exception):
    """SymPy could not decide a step; the message says which."""


def _limit(expr: sp.Expr) -> sp.Expr:
    """lim_{x -> oo} expr by the Gruntz algorithm; any failure is an undecided step."""
    try:
        value = gruntz(expr, _x, sp.oo)
    except Exception as err:  # SymPy raises many types; none of them may become a guess
        raise _Undecided(f"SymPy cannot find the limit of {_text(expr)} ({err})") from None
    value = sp.simplify(value)
    if value in (sp.oo, -sp.oo) or (value.is_finite and not value.has(_x)):
        return value
    raise _Undecided(f"the limit of {_text(expr)} is {value}, neither a number nor +-oo")


def _scaled_limit(log_g: sp.Expr, scale: sp.Expr) -> sp.Expr:
    """lim log_g / scale, term by term when every term has a finite limit."""
    try:
        limits = [_limit(term / scale) for term in sp.Add.make_args(sp.expand(log_g))]
        if all(value.is_finite for value in limits):
            return sp.Add(*limits)
    except _Undecided:
        pass
    return _limit(log_g / scale)


# -- Floor, Min and Max: replace by asymptotically equivalent terms ---------------------


def _equivalent(expr: sp.Expr) -> tuple[sp.Expr, list[str]]:
    """An exp-log function of k asymptotically equivalent to ``expr`` and what changed."""
    replaced: list[str] = []
    result = _replace(expr, replaced)
    _check_exp_log(result)
    return result, replaced


def _replace(expr: sp.Expr, replaced: list[str]) -> sp.Expr:
    if not expr.has(*_ROUNDING, sp.Min, sp.Max) or not expr.has(_k):
        return expr
    if expr.is_Mul:
        return sp.Mul(*(_replace(factor, replaced) for factor in expr.args))
    if expr.is_Pow and not expr.exp.has(_k):
        return _replace(expr.base, replaced) ** expr.exp
    if expr.is_Add:
        terms = [_replace(term, replaced) for term in expr.args]
        if all(term.is_nonnegative for term in terms):  # then equivalence survives the sum
            return sp.Add(*terms)
        raise _Undecided(f"cannot show the terms of {_text(expr)} are non-negative")
    if isinstance(expr, _ROUNDING):
        inner = _replace(expr.args[0], replaced)
        if _limit(inner.subs(_k, _x)) != sp.oo:
            raise _Undecided(f"{_text(expr)} does not tend to infinity")
        replaced.append(f"{_text(expr)} by {_text(inner)}")
        return inner
    if isinstance(expr, sp.Min | sp.Max):
        return _eventual_extreme(expr, replaced)
    raise _Undecided(
        f"{_text(expr)} puts floor/Min/Max inside a function or exponent, "
        "where an equivalent term need not give an equivalent schedule"
    )


def _eventual_extreme(expr: sp.Min | sp.Max, replaced: list[str]) -> sp.Expr:
    """The argument of Min/Max that is eventually smallest/largest, up to equivalence."""
    args = [_replace(arg, replaced) for arg in expr.args]
    if not all(arg.is_positive for arg in args):
        raise _Undecided(f"cannot show the arguments of {_text(expr)} are positive")
    smallest = isinstance(expr, sp.Min)
    for candidate in args:
        ratios = [_limit((candidate / other).subs(_k, _x)) for other in args]
        relation = sp.Le if smallest else sp.Ge
        if all(relation(ratio, 1) is sp.S.true for ratio in ratios):
            replaced.append(f"{_text(expr)} by {_text(candidate)}")
            return candidate
    raise _Undecided(f"cannot tell which argument of {_text(expr)} is eventually extreme")


def _check_exp_log(expr: sp.Expr) -> None:
    """Require an exp-log function of k (numbers, symbols, + * ** exp log), as gruntz needs."""
    for node in sp.preorder_traversal(expr):
        if not node.has(_k) or node.is_Symbol or isinstance(node, sp.Add | sp.Mul | sp.log):
            continue
        if isinstance(node, sp.exp):
            continue
        if node.is_Pow:
            if node.exp.has(_k) and node.base.is_positive is not True:
                raise _Undecided(f"cannot show the base of {_text(node)} is positive")
            continue
        raise _Undecided(f"{_text(node)} is not an exp-log function of k")


# -- Growth scale: log g = c_0 x + c_1 log x + c_2 log log x + ... + r ----------------


@dataclass(frozen=True)
class _Growth:
    """Coefficients of log g on the scales of :data:`_SCALES`, and the remainder.

    ``coefficients[i] = lim (log g - sum_{j<i} c_j s_j) / s_i``. When the remainder has a
    finite limit, every later coefficient is 0 and the list is padded with zeros; it is
    shorter than :data:`_SCALES` only when a coefficient is infinite or SymPy failed.
    """

    coefficients: tuple[sp.Expr, ...]
    remainder: sp.Expr | None  # r(x) = log g - sum c_i s_i; None after an infinite c_i
    limit: sp.Expr | None  # lim r, when SymPy found it

    def times(self, power: int) -> _Growth:
        """The growth of g**power."""
        return _Growth(
            tuple(power * c for c in self.coefficients),
            None if self.remainder is None else power * self.remainder,
            None if self.limit is None else power * self.limit,
        )

    @property
    def form(self) -> sp.Expr | None:
        """e^{lim r} prod F_i^{c_i}, i.e. rho^k k^a (log k)^m ..., when lim r is finite."""
        if self.limit is None or not self.limit.is_finite:
            return None
        return sp.exp(self.limit) * _product(self.coefficients)

    def describe(self) -> str:
        """What is known of eta_k when it has no leading form on these scales."""
        for i, c in enumerate(self.coefficients):
            if not c.is_finite:
                way = "grows" if c == sp.oo else "decays"
                faster = "geometric sequence" if i == 0 else f"power of {_text(_FACTORS[i])}"
                return f"{_ratio(_product(self.coefficients[:i]))} {way} faster than any {faster}"
        last = _SCALES[len(self.coefficients) - 1]
        return f"eta_k = {_text(_product(self.coefficients))}*exp(o({_text(last)}))"


_SCALES = (_x, sp.log(_x), sp.log(sp.log(_x)), sp.log(sp.log(sp.log(_x))))
"""Scales s_i of log eta: x, log x, log log x, log log log x."""
_THRESHOLDS = (0, -1, -1, -1)
"""Bertrand's test: sum exp(sum_i c_i s_i) converges iff the first c_i that differs from
its threshold is below it."""


_FACTORS = (sp.exp(_k), _k, sp.log(_k), sp.log(sp.log(_k)))
"""F_i = exp(s_i) as functions of k: e^k, k, log k, log log k (F_0^{c_0} is rho^k)."""


def _product(coefficients: tuple[sp.Expr, ...]) -> sp.Expr:
    """prod_i F_i^{c_i} = rho^k k^a (log k)^m ..., with rho = e^{c_0}."""
    if not coefficients:
        return sp.S.One
    rest = zip(_FACTORS[1:], coefficients[1:], strict=False)
    return sp.exp(coefficients[0]) ** _k * sp.Mul(*(f**c for f, c in rest))


def _growth(shape: sp.Expr) -> _Growth:
    """Peel log g scale by scale until the remainder has a finite limit."""
    g = shape.subs(_k, _x)
    _check_positive(g)
    rest = sp.expand(sp.expand_log(sp.log(g), force=False))
    coefficients: list[sp.Expr] = []
    for scale in _SCALES:
        limit = _limit_or_none(rest)
        if limit is not None and limit.is_finite:
            padded = coefficients + [sp.S.Zero] * (len(_SCALES) - len(coefficients))
            return _Growth(tuple(padded), rest, limit)
        try:
            coefficient = _scaled_limit(rest, scale)
        except _Undecided:
            if not coefficients:
                raise
            return _Growth(tuple(coefficients), rest, limit)
        coefficients.append(coefficient)
        if not coefficient.is_finite:
            return _Growth(tuple(coefficients), None, None)
        rest = sp.expand(rest - coefficient * scale)
    return _Growth(tuple(coefficients), rest, _limit_or_none(rest))


def _limit_or_none(expr: sp.Expr) -> sp.Expr | None:
    try:
        return _scaled_limit(expr, sp.S.One)
    except _Undecided:
        return None


def _check_positive(g: sp.Expr) -> None:
    """Require g(x) > 0 for all large x (from assumptions, or its sign at infinity)."""
    if g.is_positive:
        return
    for part in sp.fraction(sp.together(g)):
        if part.is_positive:
            continue
        limit = _limit(part)
        if limit.is_extended_negative:
            raise _Undecided(
                "eta_k is eventually negative; the conditions are about positive steps"
            )
        if not limit.is_extended_positive:
            raise _Undecided(f"cannot show that {_text(g)} is eventually positive")


# -- The decision, as sets of parameter values ------------------------------------------


@dataclass(frozen=True)
class _Verdicts:
    """The parameter values (all of ``domain`` when there is no parameter) where each
    condition holds."""

    domain: sp.Set
    diverges: sp.Set
    squares_converge: sp.Set
    parameter: sp.Symbol | None

    @property
    def both(self) -> sp.Set:
        return sp.Intersection(self.diverges, self.squares_converge)

    def flag(self, where: sp.Set) -> bool | None:
        """True if ``where`` is the whole domain, False if it is empty, else None."""
        if sp.Complement(self.domain, where) is sp.S.EmptySet:
            return True
        return False if where is sp.S.EmptySet else None

    def explain(self, growth: _Growth) -> str:
        if self.parameter is not None:
            p = self.parameter
            return (
                f"sum diverges iff {p} in {_set_text(self.diverges)}, "
                f"sum of squares converges iff {p} in {_set_text(self.squares_converge)}; "
                f"both iff {p} in {_set_text(self.both)}"
            )
        return f"sum {_sum_text(growth)}; sum of squares {_sum_text(growth.times(2))}"


def _decide(growth: _Growth, parameter: sp.Symbol | None) -> _Verdicts:
    """Bertrand's test for sum g and sum g^2, as sets of parameter values."""
    domain = _domain(parameter)
    converges = _convergence_set(growth, domain, parameter)
    squares = _convergence_set(growth.times(2), domain, parameter)
    return _Verdicts(domain, sp.Complement(domain, converges), squares, parameter)


def _convergence_set(growth: _Growth, domain: sp.Set, parameter: sp.Symbol | None) -> sp.Set:
    """Where the first c_i that differs from its threshold t_i is below it."""
    converges: sp.Set = sp.S.EmptySet
    border = domain  # where c_j = t_j for every j so far
    for c, t in zip(growth.coefficients, _THRESHOLDS, strict=False):
        below = _where(sp.Lt(c, t), domain, parameter)
        converges = sp.Union(converges, sp.Intersection(border, below))
        border = sp.Intersection(border, _where(sp.Eq(c, t), domain, parameter))
        if border is sp.S.EmptySet:
            return converges
    _check_border(growth, border, parameter)
    return converges


def _check_border(growth: _Growth, border: sp.Set, parameter: sp.Symbol | None) -> None:
    """Where every c_i equals its threshold, g = e^r/(x log x ...): the sum diverges iff
    lim r > -oo; lim r = -oo (or no limit found) is undecided."""
    if growth.remainder is None:
        raise _Undecided("SymPy gives no remainder on the border of Bertrand's test")
    if isinstance(border, sp.FiniteSet) and parameter is not None:
        values = [_limit_or_none(growth.remainder.subs(parameter, point)) for point in border]
    else:
        values = [growth.limit]
    for value in values:
        if value is None or not (value.is_finite or value == sp.oo):
            depth = len(growth.coefficients)
            raise _Undecided(
                f"eta_k is on the border of Bertrand's test at depth {depth} "
                f"(like {_text(_product(_THRESHOLDS[:depth]))} times a factor SymPy "
                "cannot bound below); deeper iterated-log scales would be needed"
            )


def _domain(parameter: sp.Symbol | None) -> sp.Set:
    if parameter is None:
        return sp.S.UniversalSet
    if parameter.is_positive:
        return sp.Interval.open(0, sp.oo)
    if parameter.is_nonnegative:
        return sp.Interval(0, sp.oo)
    return sp.S.Reals


def _where(relation: sp.Basic, domain: sp.Set, parameter: sp.Symbol | None) -> sp.Set:
    """The values of ``parameter`` in ``domain`` where ``relation`` holds."""
    if relation is sp.S.true:
        return domain
    if relation is sp.S.false:
        return sp.S.EmptySet
    others = relation.free_symbols - {parameter}
    if parameter is None or others:
        names = ", ".join(sorted(str(s) for s in relation.free_symbols))
        raise _Undecided(f"the answer depends on {names} ({relation})")
    try:
        solution = sp.solveset(relation, parameter, domain)
    except Exception as err:  # SymPy raises many types; none of them may become a guess
        raise _Undecided(f"SymPy cannot solve {relation} for {parameter} ({err})") from None
    if solution.has(sp.ConditionSet, sp.ImageSet):
        raise _Undecided(f"SymPy cannot solve {relation} for {parameter}")
    return solution


# -- Cross-checks -------------------------------------------------------------------------


def _cross_check(shape: sp.Expr, verdicts: _Verdicts) -> None:
    """Compare with ``Sum.is_convergent`` wherever it gives an answer."""
    claims = (
        (1, verdicts.flag(verdicts.diverges) is False),
        (2, verdicts.flag(verdicts.squares_converge)),
    )
    for power, converges in claims:
        try:
            answer = sp.Sum(shape**power, (_k, 1, sp.oo)).is_convergent()
        except Exception:  # Sum.is_convergent is a heuristic; a failure is no answer
            continue
        if answer in (sp.S.true, sp.S.false) and bool(answer) != converges:
            raise _Undecided(
                f"SymPy's Sum.is_convergent says sum of {_text(shape**power)} "
                f"{'converges' if answer else 'diverges'}, contradicting the asymptotic test"
            )


def _check_samples(shape: sp.Expr, parameter: sp.Symbol, verdicts: _Verdicts) -> None:
    """Re-decide at sample values of the parameter and compare with the sets."""
    for value in _sample_points(verdicts):
        direct = _decide(_growth(shape.subs(parameter, value)), None)
        if direct.flag(direct.diverges) != (value in verdicts.diverges) or direct.flag(
            direct.squares_converge
        ) != (value in verdicts.squares_converge):
            raise _Undecided(
                f"the answer as a set of {parameter} disagrees with the direct one "
                f"at {parameter} = {value}"
            )


def _sample_points(verdicts: _Verdicts) -> list[sp.Expr]:
    """Every boundary point of the sets, a point between each two, one beyond each end."""
    ends: set[sp.Expr] = set()
    for where in (verdicts.diverges, verdicts.squares_converge):
        ends |= {point for point in where.boundary if point.is_finite}
    inside = sorted(point for point in ends if point in verdicts.domain)
    low = verdicts.domain.inf
    first = inside[0] if inside else sp.S.One
    before = first - 1 if low == -sp.oo else (low + first) / 2
    after = (inside[-1] if inside else first) + 1
    between = [(x + y) / 2 for x, y in itertools.pairwise(inside)]
    candidates = [before, *inside, *between, after, *([first] if not inside else [])]
    return [point for point in candidates if point in verdicts.domain]


# -- Text ---------------------------------------------------------------------------------


def _sum_text(growth: _Growth) -> str:
    """How sum_k prod_i s_i^{c_i} e^r behaves, in words, for a decided case."""
    coefficients = growth.coefficients
    for i, (c, t) in enumerate(zip(coefficients, _THRESHOLDS, strict=False)):
        if c == t:
            continue
        if i == 0:
            if not c.is_finite:
                way = "diverges (terms grow" if c == sp.oo else "converges (terms decay"
                return f"{way} faster than geometrically)"
            ratio = _text(sp.exp(c))
            if c > 0:
                return f"diverges (terms grow geometrically, ratio {ratio} > 1)"
            return f"converges like {_text(sp.exp(c) ** _k)} (geometric, ratio {ratio} < 1)"
        scale = _text(_FACTORS[i])
        if not c.is_finite:
            way = "diverges (terms grow" if c == sp.oo else "converges (terms decay"
            return f"{way} faster than any power of {scale})"
        # Partial sums (divergent) or tails (convergent) ~ F_i^{c_i + 1} prod_{j>i} F_j^{c_j}
        # up to the factor 1/|c_i + 1|, since d F_i/dk = 1/(F_1 ... F_{i-1}).
        rest = (*([sp.S.Zero] * i), c + 1, *coefficients[i + 1 :])
        like = _text(_product(rest))
        if c > t:
            return f"diverges like {like}"
        test = "p-series" if i == 1 else "Bertrand series"
        return f"converges like {like} ({test}, {_text(-c)} > 1)"
    depth = len(coefficients)
    at_least = "" if growth.limit is not None and growth.limit.is_finite else "at least "
    return f"diverges {at_least}like {_text(_SCALES[depth - 1])} (Bertrand series, exponents -1)"


def _ratio(scale: sp.Expr) -> str:
    return "eta_k" if scale == 1 else f"eta_k/({_text(scale)})"


def _text(value: sp.Basic | None) -> str:
    return "?" if value is None else format_expression(value.subs(_x, _k))


def _set_text(where: sp.Set | None) -> str:
    """Interval notation: (1/2, 1], [1, oo), {1}, empty."""
    if where is None:
        return "?"
    if where is sp.S.EmptySet:
        return "the empty set"
    if isinstance(where, sp.Interval):
        left = "(" if where.left_open else "["
        right = ")" if where.right_open else "]"
        return f"{left}{_text(where.start)}, {_text(where.end)}{right}"
    if isinstance(where, sp.FiniteSet):
        return "{" + ", ".join(_text(point) for point in where) + "}"
    if isinstance(where, sp.Union):
        return " ∪ ".join(_set_text(part) for part in where.args)
    return sp.sstr(where)
