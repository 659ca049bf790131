"""Safe parsing of user-written formulas into SymPy expressions.

A formula such as ``c/(k + k0)`` or ``1/sqrt(k*log(k + 1))`` is read with Python's
``ast`` module and the SymPy expression is built node by node. Only arithmetic on
numbers, known symbols, the constants ``pi`` and ``E`` and a short list of functions
is accepted, so a formula read from a config file cannot run code: nothing is passed
to ``eval``, ``exec``, ``sympify`` or ``parse_expr``.

Float literals become exact rationals (``0.5`` is ``1/2``), so ``parse_expression``
and ``format_expression`` round-trip: ``parse_expression(format_expression(e)) == e``.
"""

from __future__ import annotations

import ast
import io
import itertools
import tokenize
from collections.abc import Callable, Mapping
from typing import NoReturn

import sympy as sp
from sympy.printing.precedence import PRECEDENCE
from sympy.printing.str import StrPrinter

from theory import limits, symbols, validation
from theory.errors import InputError, UnknownNameError

_MAX_NUMBER_BITS = 10_000
"""Largest exact rational, in bits of numerator or denominator (about 3000 digits, below
Python's 4300-digit limit for printing integers)."""
_MAX_NUMERIC_EXPONENT = 1_000
"""Largest numeric exponent of a numeric, non-rational base (such as sqrt(2) or pi)."""
_MAX_FUNCTION_MAGNITUDE = sp.Float("1e1000")
"""Largest constant argument of floor, Min and Max: they evaluate it numerically, which
SymPy cannot do in reasonable time for numbers near exp(10**4) and beyond."""

CONSTANTS: dict[str, sp.Expr] = {"pi": sp.pi, "E": sp.E}
"""Named mathematical constants accepted in every formula."""


FUNCTIONS: dict[str, tuple[Callable[..., sp.Expr], int, int | None]] = {
    "sqrt": (sp.sqrt, 1, 1),
    "log": (sp.log, 1, 1),
    "exp": (sp.exp, 1, 1),
    "floor": (sp.floor, 1, 1),
    "Min": (sp.Min, 2, None),
    "Max": (sp.Max, 2, None),
}
"""Callable functions by name: (builder, least number of arguments, most or None)."""

_BINARY = {
    ast.Add: lambda x, y: x + y,
    ast.Sub: lambda x, y: x - y,
    ast.Mult: lambda x, y: x * y,
    ast.Div: lambda x, y: x / y,
}
_NOT_FINITE = (sp.S.ComplexInfinity, sp.S.NaN, sp.S.Infinity, sp.S.NegativeInfinity)

_NODE_NAMES = {
    ast.Attribute: "attribute access",
    ast.Subscript: "subscripting",
    ast.Lambda: "a lambda",
    ast.ListComp: "a comprehension",
    ast.SetComp: "a comprehension",
    ast.DictComp: "a comprehension",
    ast.GeneratorExp: "a comprehension",
    ast.Compare: "a comparison",
    ast.BoolOp: "a boolean operation",
    ast.IfExp: "a conditional expression",
    ast.List: "a list",
    ast.Tuple: "a tuple",
    ast.Set: "a set",
    ast.Dict: "a dict",
    ast.JoinedStr: "an f-string",
    ast.NamedExpr: "an assignment expression",
}


def parse_expression(
    text: str,
    allowed: Mapping[str, sp.Symbol] = symbols.ALL,
    what: str = "expression",
) -> sp.Expr:
    """Parse ``text`` into a SymPy expression over the symbols in ``allowed``.

    Accepted: int and float literals (floats become exact rationals), names in
    ``allowed``, ``pi`` and ``E``, unary ``+``/``-``, binary ``+ - * / **`` (``^`` is read
    as ``**``, as mathematical text writes a power) and calls
    ``sqrt(x)``, ``log(x)``, ``exp(x)``, ``floor(x)``, ``Min(x, y, ...)``,
    ``Max(x, y, ...)``. Anything else raises :class:`InputError` naming the offending
    piece of ``text``; ``what`` names the formula in messages (e.g. "schedule").
    """
    if not isinstance(text, str):
        raise validation.not_allowed("parse_expression", "text", text, "a formula as text (a str)")
    limits.MAX_FORMULA_LENGTH.check(len(text), what, "formula", text, "a length")
    if not text.strip():
        raise InputError(f"{what} is empty; {_allowed_text(allowed)}")
    source = text.strip().replace("^", "**")  # k^-1 as the report writes it: a power
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as err:
        pair = _juxtaposed(source)
        if pair is not None:
            raise InputError(
                f"{what} {text!r} is not a valid formula: a product needs '*' between "
                f"{pair[0]!r} and {pair[1]!r} (write '{pair[0]}*{pair[1]}')"
            ) from None
        where = "" if err.offset is None else f" at column {err.offset}"
        raise InputError(f"{what} {text!r} is not a valid formula: {err.msg}{where}") from None
    except ValueError as err:  # some Python versions raise ValueError for null bytes
        raise InputError(f"{what} {text!r} cannot be parsed: {err}") from None
    _check_size(tree.body, what, text)
    builder = _Builder(source, allowed, what)
    expr = builder.build(tree.body)
    if expr.has(sp.I):
        raise InputError(f"{what} {text!r} is complex: it evaluates to {sp.sstr(expr)}")
    return expr


def _check_size(tree: ast.expr, what: str, text: str) -> None:
    """Refuse a formula with more pieces (AST nodes) or deeper nesting than the limits
    allow, before SymPy sees any of it."""
    nodes = sum(1 for node in ast.walk(tree) if isinstance(node, ast.expr))
    limits.MAX_FORMULA_NODES.check(nodes, what, "formula", text, "a number of pieces")
    depth, level = 0, [(tree, 1)]
    while level:
        node, at = level.pop()
        depth = max(depth, at)
        level.extend(
            (child, at + 1) for child in ast.iter_child_nodes(node) if isinstance(child, ast.expr)
        )
    limits.MAX_FORMULA_DEPTH.check(depth, what, "formula", text, "a nesting")


def _juxtaposed(source: str) -> tuple[str, str] | None:
    """The first two operands written side by side (``lam k``, ``2 k``, ``(k + 1) k``), as
    in mathematical notation, where Python needs ``*``; None if there are none."""
    try:
        tokens = [
            t
            for t in tokenize.generate_tokens(io.StringIO(source).readline)
            if t.type in (tokenize.NAME, tokenize.NUMBER, tokenize.OP)
        ]
    except (tokenize.TokenError, SyntaxError):
        return None
    for left, right in itertools.pairwise(tokens):
        ends = left.type in (tokenize.NAME, tokenize.NUMBER) or left.string == ")"
        starts = right.type in (tokenize.NAME, tokenize.NUMBER)
        if ends and starts:
            return left.string, right.string
    return None


def format_expression(expr: sp.Expr) -> str:
    """Compact text form of ``expr`` that :func:`parse_expression` reads back to ``expr``.

    The one exception is SymPy's own: a product of numeric radicals that SymPy does not
    keep in its simplest form, such as ``sqrt(4/3*sqrt(2))`` (which it writes
    ``2*sqrt(3)*3**(3/4)*6**(1/4)/9``), reads back equal in value but simpler in form.
    """
    return _Printer().doprint(expr)


class _Printer(StrPrinter):
    """``sympy.sstr`` in the language :func:`parse_expression` reads, built so it reads back
    to the same expression.

    A number multiplying a sum is printed last: ``sstr`` prints ``Mul(2, x + y, 1/z)`` as
    ``2*(x + y)/z``, and reading ``2*(x + y)`` back distributes the 2 over the sum, a
    different expression; ``(x + y)/z*2`` reads back as the original (and ``1/(2*(x + y))``
    is printed ``1/(x + y)*(1/2)``). SymPy turns ``sqrt(x**2)`` for real x into ``Abs(x)``,
    which is printed back as ``sqrt(x**2)``.
    """

    def _print_Abs(self, expr: sp.Abs) -> str:
        return f"sqrt({self.parenthesize(expr.args[0], PRECEDENCE['Pow'], strict=True)}**2)"

    def _print_Mul(self, expr: sp.Mul) -> str:
        coefficient, rest = expr.as_coeff_Mul()
        if coefficient == 1 or not coefficient.is_Rational or not _has_sum_factor(rest):
            return super()._print_Mul(expr)
        number = self._print(coefficient)
        if not (coefficient.is_Integer and coefficient > 0):
            number = f"({number})"
        return f"{self._print(rest)}*{number}"


def _has_sum_factor(product: sp.Expr) -> bool:
    """Whether a factor of ``product`` is a sum or the reciprocal of one."""
    return any(
        factor.is_Add or (factor.is_Pow and factor.exp == -1 and factor.base.is_Add)
        for factor in sp.Mul.make_args(product)
    )


def _bits(number: sp.Rational) -> int:
    return max(int(number.p).bit_length(), int(number.q).bit_length())


def _allowed_text(allowed: Mapping[str, sp.Symbol]) -> str:
    names = ", ".join(sorted([*allowed, *CONSTANTS], key=str.lower))
    functions = ", ".join(FUNCTIONS)
    return f"allowed names: {names}; allowed functions: {functions}"


class _Builder:
    """Walks a Python expression tree and builds the SymPy expression it denotes."""

    def __init__(self, text: str, allowed: Mapping[str, sp.Symbol], what: str) -> None:
        self.text = text
        self.allowed = allowed
        self.what = what

    def fail(self, node: ast.AST, problem: str, error: type[InputError] = InputError) -> NoReturn:
        piece = ast.get_source_segment(self.text, node) or type(node).__name__
        raise error(
            f"{self.what} {self.text!r}: {problem} (at {piece!r}); {_allowed_text(self.allowed)}"
        )

    def build(self, node: ast.expr) -> sp.Expr:
        """The expression ``node`` denotes; every piece must be finite."""
        try:
            expr = self.build_node(node)
        except InputError:
            raise
        except (TypeError, ValueError, ArithmeticError) as err:  # SymPy refusing operands
            self.fail(node, f"SymPy cannot evaluate this ({err})")
        if expr.has(*_NOT_FINITE):
            self.fail(node, f"this is not finite (it is {sp.sstr(expr)})")
        if any(_bits(number) > _MAX_NUMBER_BITS for number in expr.atoms(sp.Rational)):
            self.fail(node, f"a number here has more than {_MAX_NUMBER_BITS} bits")
        return expr

    def build_node(self, node: ast.expr) -> sp.Expr:
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.UAdd | ast.USub):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp):
            return self.binary(node)
        if isinstance(node, ast.Call):
            return self.call(node)
        self.fail(node, f"{_NODE_NAMES.get(type(node), 'this construct')} is not allowed")

    def number(self, node: ast.Constant) -> sp.Expr:
        value = node.value
        if isinstance(value, bool) or not isinstance(value, int | float):
            kind = "a string" if isinstance(value, str | bytes) else f"the constant {value!r}"
            self.fail(node, f"{kind} is not allowed")
        if isinstance(value, int):
            return sp.Integer(value)
        if value != value or value in (float("inf"), float("-inf")):
            self.fail(node, "a non-finite number is not allowed")
        literal = (ast.get_source_segment(self.text, node) or repr(value)).replace("_", "")
        return sp.Rational(literal)

    def name(self, node: ast.Name) -> sp.Expr:
        if node.id in self.allowed:
            return self.allowed[node.id]
        if node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if node.id in FUNCTIONS:
            self.fail(node, f"function {node.id} must be called, as {node.id}(...)")
        known = [*self.allowed, *CONSTANTS, *FUNCTIONS]
        self.fail(
            node,
            f"unknown name {node.id!r}{validation.suggestion(node.id, known)}",
            UnknownNameError,
        )

    def binary(self, node: ast.BinOp) -> sp.Expr:
        if not isinstance(node.op, ast.Pow | ast.Add | ast.Sub | ast.Mult | ast.Div):
            self.fail(node, f"operator {type(node.op).__name__} is not allowed (use + - * / **)")
        left = self.build(node.left)
        right = self.build(node.right)
        if isinstance(node.op, ast.Pow):
            self.check_power_size(node, left, right)
            return left**right
        return _BINARY[type(node.op)](left, right)

    def check_power_size(self, node: ast.BinOp, base: sp.Expr, exponent: sp.Expr) -> None:
        """Refuse numeric powers whose exact value would be too large to compute."""
        if not (base.is_number and exponent.is_Rational) or base in (0, 1, -1):
            return
        if base.is_Rational:
            if (_bits(base) - 1) * abs(exponent) > _MAX_NUMBER_BITS:  # a lower bound
                self.fail(node, "this power of numbers is too large")
        elif abs(exponent) > _MAX_NUMERIC_EXPONENT:
            self.fail(node, "this power of numbers is too large")

    def call(self, node: ast.Call) -> sp.Expr:
        if not isinstance(node.func, ast.Name):
            self.fail(node.func, "only the listed functions may be called")
        name = node.func.id
        if name not in FUNCTIONS:
            close = validation.suggestion(name, FUNCTIONS)
            self.fail(node.func, f"unknown function {name!r}{close}", UnknownNameError)
        if node.keywords:
            self.fail(node, f"keyword arguments are not allowed in {name}(...)")
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                self.fail(arg, "argument unpacking is not allowed")
        builder, least, most = FUNCTIONS[name]
        count = len(node.args)
        if count < least or (most is not None and count > most):
            wanted = str(least) if most == least else f"at least {least}"
            self.fail(node, f"{name} takes {wanted} argument(s), got {count}")
        args = [self.build(arg) for arg in node.args]
        if name in ("floor", "Min", "Max"):
            for arg, arg_node in zip(args, node.args, strict=True):
                if arg.is_number and abs(arg.evalf(15)) > _MAX_FUNCTION_MAGNITUDE:
                    self.fail(arg_node, f"a constant argument of {name} above 1e1000")
        return builder(*args)
