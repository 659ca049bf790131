"""Step-size schedules: parsing, validation, the constants they need, free exponents."""

from __future__ import annotations

from fractions import Fraction

import pytest
import sympy as sp

from theory import symbols
from theory.errors import InputError, UnknownNameError
from theory.schedules import (
    SCHEDULE_SYMBOLS,
    free_exponents,
    parse_schedule,
    schedule_constants,
)

k, c, k0, lam, p, q, eta = (
    symbols.k,
    symbols.c,
    symbols.k0,
    symbols.lam,
    symbols.p,
    symbols.q,
    symbols.eta,
)

PARSED = [
    # (source, expected schedule)
    ("1/(lam*k)", 1 / (lam * k)),
    ("c/(k + k0)", c / (k + k0)),
    ("c*k**(-p)", c * k ** (-p)),
    ("c*k**-0.75", c * k ** sp.Rational(-3, 4)),
    ("c*q**k", c * q**k),
    ("eta", eta),
    ("Min(c, 1/(lam*k))", sp.Min(c, 1 / (lam * k))),
    (0.1, sp.Rational(1, 10)),
    (2, sp.Integer(2)),
    (Fraction(1, 3), sp.Rational(1, 3)),
    (c / k, c / k),
    (c * k ** sp.Float(-0.75), c * k ** sp.Rational(-3, 4)),
    (sp.Float(0.5) / k, 1 / (2 * k)),
]


@pytest.mark.parametrize(("source", "expected"), PARSED)
def test_parse_schedule(source: object, expected: sp.Expr) -> None:
    parsed = parse_schedule(source)  # type: ignore[arg-type]
    assert parsed == expected
    assert not parsed.atoms(sp.Float)


REFUSED = [
    # (source, error class, fragment of the message)
    ("c/b", UnknownNameError, "unknown name 'b'"),
    ("n/k", UnknownNameError, "unknown name 'n'"),
    ("k - k", InputError, "identically zero"),
    ("log(exp(k)) - k", InputError, "identically zero"),
    (0, InputError, "identically zero"),
    ("-1/k", InputError, "non-positive for every k >= 1"),
    ("-c*k**(-p)", InputError, "non-positive for every k >= 1"),
    (-0.5, InputError, "non-positive for every k >= 1"),
    ("c/(k - 1)", InputError, "undefined at k = 1"),
    ("1/log(k)", InputError, "undefined at k = 1"),
    (symbols.b / k, InputError, "uses b"),
    (sp.Symbol("k") ** -1, InputError, "must be the symbols of theory.symbols"),
    (sp.Symbol("x") / k, InputError, "uses x"),
    (c * sp.zoo, InputError, "not a finite real expression"),
    (float("nan"), InputError, "schedule: source = nan is not allowed; expected a finite number"),
    (float("inf"), InputError, "schedule: source = inf is not allowed; expected a finite number"),
    (True, InputError, "source = True is not allowed; expected text, a SymPy expression or a"),
    (None, InputError, "source = None is not allowed; expected text, a SymPy expression or a"),
    ("1/(k", InputError, "is not a valid formula"),
]


@pytest.mark.parametrize(("source", "error", "fragment"), REFUSED)
def test_parse_schedule_refuses(source: object, error: type[InputError], fragment: str) -> None:
    with pytest.raises(error) as info:
        parse_schedule(source)  # type: ignore[arg-type]
    assert fragment in str(info.value)


def test_schedule_messages_name_the_schedule_and_the_allowed_names() -> None:
    with pytest.raises(UnknownNameError) as info:
        parse_schedule("c/b")
    message = str(info.value)
    assert message.startswith("schedule 'c/b'")
    assert "allowed names: alpha, beta, c" in message
    assert ", b," not in message and ", n," not in message


def test_schedule_symbols_are_k_and_the_constants() -> None:
    assert set(SCHEDULE_SYMBOLS) == {"k", *symbols.CONSTANTS}
    assert "b" not in SCHEDULE_SYMBOLS and "n" not in SCHEDULE_SYMBOLS


@pytest.mark.parametrize(
    ("schedule", "constants"),
    [
        ("1/(lam*k)", ("lam",)),
        ("c/(k + k0)", ("c", "k0")),
        ("c*k**(-p)", ("c", "p")),
        ("L/(mu*k)", ("L", "mu")),
        ("1/sqrt(k)", ()),
        (0.1, ()),
    ],
)
def test_schedule_constants(schedule: object, constants: tuple[str, ...]) -> None:
    assert schedule_constants(parse_schedule(schedule)) == constants  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("schedule", "exponents"),
    [
        ("c*k**(-p)", (p,)),
        ("c*q**k", (q,)),
        ("exp(-eta*k)", (eta,)),
        ("c/(k + k0)**p", (p,)),
        ("c*k**(-p)*q**k", (p, q)),
        ("1/(k*log(k + 1)**p)", (p,)),
        ("c/(k + k0)", ()),
        ("1/(lam*k)", ()),
        ("c*k**(-0.75)", ()),
        (0.1, ()),
    ],
)
def test_free_exponents(schedule: object, exponents: tuple[sp.Symbol, ...]) -> None:
    assert free_exponents(parse_schedule(schedule)) == exponents  # type: ignore[arg-type]
