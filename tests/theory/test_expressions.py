"""Safe formula parsing: what is accepted, what is refused, and the text round trip."""

from __future__ import annotations

import pytest
import sympy as sp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from theory import symbols
from theory.errors import InputError, UnknownNameError
from theory.expressions import format_expression, parse_expression
from theory.limits import MAX_FORMULA_DEPTH, MAX_FORMULA_LENGTH

MAX_DEPTH = int(MAX_FORMULA_DEPTH.default)
MAX_LENGTH = int(MAX_FORMULA_LENGTH.default)

k, c, k0, lam, p, q = symbols.k, symbols.c, symbols.k0, symbols.lam, symbols.p, symbols.q

ACCEPTED = [
    # (text, expected SymPy expression)
    ("c/(k + k0)", c / (k + k0)),
    ("1/(lam*k)", 1 / (lam * k)),
    ("c*k**(-p)", c * k ** (-p)),
    ("c*k**-0.75", c * k ** sp.Rational(-3, 4)),
    ("0.5", sp.Rational(1, 2)),
    ("0.1*k", k / 10),
    ("1e-3", sp.Rational(1, 1000)),
    ("2.5E2", sp.Integer(250)),
    ("1_000", sp.Integer(1000)),
    ("1_000.5", sp.Rational(2001, 2)),
    (".5", sp.Rational(1, 2)),
    ("-k", -k),
    ("+k", k),
    ("--k", k),
    ("k - 1", k - 1),
    ("c*q**k", c * q**k),
    ("sqrt(k)", sp.sqrt(k)),
    ("1/sqrt(k*log(k + 1))", 1 / sp.sqrt(k * sp.log(k + 1))),
    ("exp(-k)", sp.exp(-k)),
    ("floor(k/10)", sp.floor(k / 10)),
    ("floor(exp(256))", sp.floor(sp.exp(256))),
    ("2**9999", sp.Integer(2) ** 9999),
    ("Min(c, 1/k)", sp.Min(c, 1 / k)),
    ("Max(c, 1/k, 2/k)", sp.Max(c, 1 / k, 2 / k)),
    ("pi*E", sp.pi * sp.E),
    ("  c/k  ", c / k),
    ("(((k)))", k),
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_accepted_formulas_build_the_expected_expression(text: str, expected: sp.Expr) -> None:
    assert parse_expression(text) == expected


def test_floats_become_exact_rationals() -> None:
    expr = parse_expression("0.1 + 0.2")
    assert expr == sp.Rational(3, 10)
    assert not expr.atoms(sp.Float)


def test_names_resolve_to_the_shared_symbols() -> None:
    expr = parse_expression("lam*k")
    assert expr.free_symbols == {symbols.lam, symbols.k}
    assert next(iter(parse_expression("k").free_symbols)).is_integer


def test_allowed_restricts_the_names() -> None:
    allowed = {"k": k}
    assert parse_expression("2*k", allowed) == 2 * k
    with pytest.raises(UnknownNameError, match=r"unknown name 'c'.*allowed names: E, k, pi"):
        parse_expression("c*k", allowed, what="schedule")


REFUSED = [
    # (text, error class, a fragment the message must contain)
    ("__import__('os').system('true')", InputError, "only the listed functions may be called"),
    ("__import__('os')", UnknownNameError, "unknown function '__import__'"),
    ("k.real", InputError, "attribute access is not allowed"),
    ("k[0]", InputError, "subscripting is not allowed"),
    ("(lambda: 1)()", InputError, "only the listed functions may be called"),
    ("lambda: 1", InputError, "a lambda is not allowed"),
    ("[k for k in (1, 2)]", InputError, "a comprehension is not allowed"),
    ("k if k else 1", InputError, "a conditional expression is not allowed"),
    ("k < 1", InputError, "a comparison is not allowed"),
    ("k and 1", InputError, "a boolean operation is not allowed"),
    ("(k, 1)", InputError, "a tuple is not allowed"),
    ("[k]", InputError, "a list is not allowed"),
    ("{k: 1}", InputError, "a dict is not allowed"),
    ("f'{k}'", InputError, "an f-string is not allowed"),
    ("(c := 1)", InputError, "an assignment expression is not allowed"),
    ("'k'", InputError, "a string is not allowed"),
    ("True", InputError, "the constant True is not allowed"),
    ("1j", InputError, "the constant 1j is not allowed"),
    ("1e999", InputError, "a non-finite number is not allowed"),
    ("2|k", InputError, "operator BitOr is not allowed"),
    ("k % 2", InputError, "operator Mod is not allowed"),
    ("k // 2", InputError, "operator FloorDiv is not allowed"),
    ("~k", InputError, "this construct is not allowed"),
    ("x", UnknownNameError, "unknown name 'x'"),
    ("sin(k)", UnknownNameError, "unknown function 'sin'"),
    ("sqrt", InputError, "function sqrt must be called"),
    ("log(k, 2)", InputError, "log takes 1 argument(s), got 2"),
    ("Min(k)", InputError, "Min takes at least 2 argument(s), got 1"),
    ("exp(x=k)", InputError, "keyword arguments are not allowed"),
    ("Max(*[k, 1])", InputError, "argument unpacking is not allowed"),
    ("1/0", InputError, "this is not finite (it is zoo) (at '1/0')"),
    ("log(0)", InputError, "this is not finite (it is zoo) (at 'log(0)')"),
    ("floor(floor(0/0))", InputError, "this is not finite (it is nan) (at '0/0')"),
    ("Min(k, sqrt(-1))", InputError, "SymPy cannot evaluate this"),
    ("sqrt(-1)", InputError, "is complex"),
    ("10**10**10", InputError, "this power of numbers is too large"),
    ("sqrt(2)**(10**6)", InputError, "this power of numbers is too large"),
    ("2**10001", InputError, "this power of numbers is too large"),
    ("2**9000*3**9000", InputError, "a number here has more than 10000 bits"),
    ("floor(exp(10**30))", InputError, "a constant argument of floor above 1e1000"),
    ("Min(k, exp(2303))", InputError, "a constant argument of Min above 1e1000"),
    ("k +", InputError, "is not a valid formula"),
    ("", InputError, "is empty"),
    ("   ", InputError, "is empty"),
    ("k\x00", InputError, "null bytes"),
    ("-" * (MAX_DEPTH + 1) + "k", InputError, f"a nesting <= {MAX_DEPTH} levels (here 52)"),
    ("k" + "+k" * 300, InputError, f"a length <= {MAX_LENGTH} characters (here 601)"),
]


@pytest.mark.parametrize(("text", "error", "fragment"), REFUSED)
def test_refused_formulas_name_the_problem(
    text: str, error: type[InputError], fragment: str
) -> None:
    with pytest.raises(error) as info:
        parse_expression(text)
    assert fragment in str(info.value)


@pytest.mark.parametrize("text", ["x", "k.real", "sin(k)", "2|k"])
def test_messages_list_what_is_allowed(text: str) -> None:
    with pytest.raises(InputError, match="allowed functions: sqrt, log, exp, floor, Min, Max"):
        parse_expression(text)


def test_what_names_the_formula_in_the_message() -> None:
    with pytest.raises(InputError, match=r"^schedule 'k\.real'"):
        parse_expression("k.real", what="schedule")


@pytest.mark.parametrize("value", [None, 3, 0.5, b"k"])
def test_non_text_is_refused(value: object) -> None:
    with pytest.raises(
        InputError, match=r"^parse_expression: text = .* expected a formula as text"
    ):
        parse_expression(value)  # type: ignore[arg-type]


def test_no_code_runs(tmp_path) -> None:
    marker = tmp_path / "ran"
    for text in (
        f"__import__('pathlib').Path({str(marker)!r}).touch()",
        f"open({str(marker)!r}, 'w')",
        "().__class__.__bases__[0].__subclasses__()",
    ):
        with pytest.raises(InputError):
            parse_expression(text)
    assert not marker.exists()


def test_depth_limit_is_inclusive() -> None:
    assert parse_expression("-" * (MAX_DEPTH - 1) + "k") == (-k if MAX_DEPTH % 2 == 0 else k)


# -- Round trip ---------------------------------------------------------------------------

_LEAVES = st.one_of(
    st.sampled_from(sorted(symbols.ALL.values(), key=str)),
    st.integers(-20, 20).map(sp.Integer),
    st.fractions(max_denominator=12).filter(lambda f: abs(f) < 20).map(sp.Rational),
    st.sampled_from([sp.pi, sp.E]),
)


def _safely(build):
    """``build``, returning nan (filtered out below) where SymPy refuses the operands or
    would evaluate a huge number (floor, Min and Max of one can take minutes)."""

    def apply(args: tuple[sp.Expr, ...]) -> sp.Expr:
        try:
            if any(arg.is_number and abs(sp.N(arg, 5)) > 1e300 for arg in args):
                return sp.nan
            return build(*args)
        except (ValueError, TypeError):  # e.g. Min of a non-comparable zoo
            return sp.nan

    return apply


def _combine(children: st.SearchStrategy[sp.Expr]) -> st.SearchStrategy[sp.Expr]:
    pairs = st.tuples(children, children)
    singles = st.tuples(children)
    powers = st.tuples(children, st.sampled_from([sp.Integer(2), -sp.S.One, sp.S.Half, p]))
    return st.one_of(
        pairs.map(_safely(lambda x, y: x + y)),
        pairs.map(_safely(lambda x, y: x - y)),
        pairs.map(_safely(lambda x, y: x * y)),
        pairs.map(_safely(lambda x, y: x / y)),
        powers.map(_safely(lambda x, y: x**y)),
        *(singles.map(_safely(f)) for f in (sp.sqrt, sp.log, sp.exp, sp.floor)),
        pairs.map(_safely(sp.Min)),
        pairs.map(_safely(sp.Max)),
    )


_EXPRESSIONS = st.recursive(_LEAVES, _combine, max_leaves=8).filter(
    lambda e: not e.has(sp.zoo, sp.nan, sp.oo, -sp.oo, sp.I)
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_EXPRESSIONS)
def test_format_then_parse_round_trips(expr: sp.Expr) -> None:
    text = format_expression(expr)
    if len(text) <= MAX_LENGTH:
        back = parse_expression(text)
        assert back == expr or (_has_numeric_radical(expr) and _same_value(back, expr))


def _has_numeric_radical(expr: sp.Expr) -> bool:
    return any(power.base.is_number for power in expr.atoms(sp.Pow) if not power.exp.is_Integer)


def _same_value(first: sp.Expr, second: sp.Expr) -> bool:
    """Equal to 30 digits with every symbol set to a distinct positive rational."""
    point = {s: sp.Rational(i + 2, 7) for i, s in enumerate(sorted(first.free_symbols, key=str))}
    a, b = (sp.N(e.subs(point), 30) for e in (first, second))
    return bool(abs(a - b) <= sp.Float(1e-20) * (1 + abs(a)))


def test_numeric_radicals_read_back_equal_in_value() -> None:
    # SymPy writes sqrt(4/3*sqrt(2)) as 2*sqrt(3)*3**(3/4)*6**(1/4)/9, which it reads
    # back in a simpler form: equal in value, not in structure.
    expr = parse_expression("sqrt(4/3*sqrt(2))")
    back = parse_expression(format_expression(expr))
    assert _same_value(back, expr)
    assert parse_expression(format_expression(back)) == back


@pytest.mark.parametrize(
    ("expr", "text"),
    [
        (c / k, "c/k"),
        (c * k ** (-p), "c/k**p"),
        (sp.Rational(3, 4) / sp.sqrt(k), "3/(4*sqrt(k))"),
        (sp.Min(c, 1 / k), "Min(c, 1/k)"),
        (sp.exp(-k), "exp(-k)"),
        ((k + k0) * (2 / k), "(k + k0)/k*2"),
        (sp.Mul(sp.Rational(1, 2), 1 / (k + k0)), "1/(k + k0)*(1/2)"),
        ((k + k0) * (-1 / k), "(k + k0)/k*(-1)"),
        (sp.Abs(sp.log(c)), "sqrt(log(c)**2)"),
    ],
)
def test_format_is_compact_and_reads_back(expr: sp.Expr, text: str) -> None:
    assert format_expression(expr) == text
    assert parse_expression(text) == expr


@pytest.mark.parametrize(
    ("text", "power"),
    [("k^-1", "k**-1"), ("2*k^2", "2*k**2"), ("1/(lam*k)^(1/2)", "1/(lam*k)**(1/2)")],
)
def test_a_caret_is_a_power_as_mathematical_text_writes_it(text: str, power: str) -> None:
    assert parse_expression(text) == parse_expression(power)


@pytest.mark.parametrize(
    ("text", "pair"),
    [("1/(lam k)", "'lam' and 'k' (write 'lam*k')"), ("2 k", "'2' and 'k'"), ("(k+1) k", "')'")],
)
def test_a_product_without_a_star_says_to_write_one(text: str, pair: str) -> None:
    with pytest.raises(InputError, match="a product needs '\\*' between") as caught:
        parse_expression(text, what="schedule")
    assert pair in str(caught.value) and "comma" not in str(caught.value)
