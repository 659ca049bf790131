"""The Robbins–Monro decision: sum eta_k = oo and sum eta_k^2 < oo."""

from __future__ import annotations

import json
from fractions import Fraction

import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

from theory import symbols
from theory.robbins_monro import RobbinsMonroResult, robbins_monro

k, c, lam, p, q, eta = symbols.k, symbols.c, symbols.lam, symbols.p, symbols.q, symbols.eta
Lopen = sp.Interval.Lopen

CASES = [
    # (schedule, satisfied, sum diverges, squares summable, parameter set, leading form)
    ("c/k", True, True, True, None, c / k),
    ("1/(lam*k)", True, True, True, None, 1 / (lam * k)),
    ("c/(k + k0)", True, True, True, None, c / k),
    ("c*k**(-p)", None, None, None, Lopen(sp.S.Half, 1), c * k ** (-p)),
    ("c*k**(-0.75)", True, True, True, None, c * k ** sp.Rational(-3, 4)),
    ("c*k**(-0.5)", False, True, False, None, c / sp.sqrt(k)),
    ("c*k**(-1.5)", False, False, True, None, c * k ** sp.Rational(-3, 2)),
    ("c/sqrt(k)", False, True, False, None, c / sp.sqrt(k)),
    (0.1, False, True, False, None, sp.Rational(1, 10)),
    ("c", False, True, False, None, c),
    ("c/k**2", False, False, True, None, c / k**2),
    ("c*q**k", False, None, None, sp.S.EmptySet, c * q**k),
    ("1/(k*log(k + 1))", True, True, True, None, 1 / (k * sp.log(k))),
    ("log(k)/k", True, True, True, None, sp.log(k) / k),
    ("1/sqrt(k*log(k + 1))", False, True, False, None, 1 / sp.sqrt(k * sp.log(k))),
    ("1/(k*log(k + 1)**2)", False, False, True, None, 1 / (k * sp.log(k) ** 2)),
    ("exp(-k)", False, False, True, None, sp.exp(-k)),
    # beyond the required table
    ("exp(-eta*k)", False, False, True, sp.S.EmptySet, sp.exp(-eta * k)),
    ("1/(k*log(k + 1)**p)", None, None, True, Lopen(0, 1), 1 / (k * sp.log(k) ** p)),
    ("1/(k**p*log(k + 1))", None, None, None, sp.Interval(sp.S.Half, 1), None),
    ("c/k + 1/k**2", True, True, True, None, c / k),
    ("(k + 1)/k", False, True, False, None, sp.S.One),
    ("c*log(k + 1)/sqrt(k)", False, True, False, None, c * sp.log(k) / sp.sqrt(k)),
    ("exp(-sqrt(k))", False, False, True, None, None),
    ("k**k", False, True, False, None, None),
    ("Min(c, 1/(lam*k))", True, True, True, None, 1 / (lam * k)),
    ("Max(c, 1/k)", False, True, False, None, c),
    ("c/(floor(k/2) + 1)", True, True, True, None, 2 * c / k),
]


@pytest.mark.parametrize(
    ("schedule", "satisfied", "diverges", "summable", "where", "form"),
    CASES,
    ids=[str(case[0]) for case in CASES],
)
def test_decision(
    schedule: object,
    satisfied: bool | None,
    diverges: bool | None,
    summable: bool | None,
    where: sp.Set | None,
    form: sp.Expr | None,
) -> None:
    result = robbins_monro(schedule)  # type: ignore[arg-type]
    assert (result.satisfied, result.sum_diverges, result.square_summable) == (
        satisfied,
        diverges,
        summable,
    ), result.reason
    assert result.parameter_set == where
    assert (result.parameter is None) == (where is None)
    if form is not None:
        assert result.asymptotic == form


def test_bertrand_border_at_depth_three_diverges_like_log_log_log() -> None:
    result = robbins_monro("1/(k*log(k + 1)*log(log(k + 2)))")
    assert (result.satisfied, result.sum_diverges, result.square_summable) == (True, True, True)
    assert result.asymptotic == 1 / (k * sp.log(k) * sp.log(sp.log(k)))
    assert "sum diverges like log(log(log(k)))" in result.reason


REASONS = [
    (
        "c/k",
        "eta_k ~ c/k: sum diverges like log(k); "
        "sum of squares converges like 1/k (p-series, 2 > 1)",
    ),
    ("c*k**(-0.5)", "sum diverges like sqrt(k); sum of squares diverges like log(k)"),
    ("1/(k*log(k + 1))", "sum diverges like log(log(k))"),
    ("1/(k*log(k + 1)**2)", "sum converges like 1/log(k) (Bertrand series, 2 > 1)"),
    ("exp(-k)", "sum converges like exp(-k) (geometric, ratio exp(-1) < 1)"),
    (
        "c*k**(-p)",
        "sum diverges iff p in (0, 1], sum of squares converges iff p in (1/2, oo); "
        "both iff p in (1/2, 1]",
    ),
    ("c*q**k", "sum diverges iff q in [1, oo), sum of squares converges iff q in (0, 1)"),
    ("Min(c, 1/k)", "(replacing Min(c, 1/k) by 1/k)"),
]


@pytest.mark.parametrize(("schedule", "fragment"), REASONS)
def test_reason(schedule: str, fragment: str) -> None:
    assert fragment in robbins_monro(schedule).reason


UNDECIDED = [
    # (schedule, fragment of the reason)
    ("c*q**floor(k/10)", "inside a function or exponent"),
    ("c*k**(-p)*q**k", "several free exponents (p, q)"),
    ("(c - 1)/k", "constant factor c - 1 is positive"),
    ("(1 + (-1)**k)/k", "base of (-1)**k is positive"),
    ("Min(c*k, 2*k)/k**2", "which argument of Min(2*k, c*k) is eventually extreme"),
    ("1/k - 1/10", "eventually negative"),
    ("c/(k + k**p)", "undecided"),  # a generic SymPy limit, caught by the sample check
    (
        "1/(k*log(k + 1)*log(log(k + 2))*log(log(log(k + 16))))",
        "border of Bertrand's test at depth 4",
    ),
]


@pytest.mark.parametrize(("schedule", "fragment"), UNDECIDED)
def test_undecided_is_none_with_a_reason(schedule: str, fragment: str) -> None:
    result = robbins_monro(schedule)
    assert (result.satisfied, result.sum_diverges, result.square_summable) == (None, None, None)
    assert result.parameter_set is None
    assert result.reason.startswith("undecided: ")
    assert fragment in result.reason


def test_sum_is_convergent_disagreement_gives_none(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sp.Sum, "is_convergent", lambda self: sp.S.true)
    result = robbins_monro("c/k")
    assert result.satisfied is None
    assert "Sum.is_convergent says sum of 1/k converges" in result.reason


def test_sum_is_convergent_failure_is_no_answer(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: sp.Sum) -> sp.Basic:
        raise NotImplementedError

    monkeypatch.setattr(sp.Sum, "is_convergent", refuse)
    assert robbins_monro("c/k").satisfied is True


@settings(max_examples=60, deadline=None)
@given(st.fractions(min_value=0, max_value=3, max_denominator=64).filter(lambda f: f > 0))
def test_polynomial_steps_satisfy_robbins_monro_iff_p_in_half_open_interval(
    exponent: Fraction,
) -> None:
    result = robbins_monro(c * k ** -sp.Rational(exponent.numerator, exponent.denominator))
    assert result.satisfied is (Fraction(1, 2) < exponent <= 1)
    assert result.sum_diverges is (exponent <= 1)
    assert result.square_summable is (exponent > Fraction(1, 2))


@pytest.mark.parametrize("exponent", [sp.Rational(1, 4), sp.S.Half, sp.Rational(3, 4), 1, 2])
def test_symbolic_answer_agrees_with_substituted_exponent(exponent: sp.Expr) -> None:
    symbolic = robbins_monro("c*k**(-p)")
    direct = robbins_monro(c * k ** (-exponent))
    assert direct.satisfied is (exponent in symbolic.parameter_set)


def test_to_dict_is_json_ready() -> None:
    data = robbins_monro("c*k**(-p)").to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data == {
        "schedule": "c/k**p",
        "satisfied": None,
        "sum_diverges": None,
        "square_summable": None,
        "parameter_set": "Interval.Lopen(1/2, 1)",
        "reason": robbins_monro("c*k**(-p)").reason,
    }
    assert robbins_monro("c/k").to_dict()["parameter_set"] is None


def test_summary() -> None:
    lines = robbins_monro("c*k**(-p)").summary().splitlines()
    assert lines[0] == "Robbins–Monro conditions for eta_k = c/k**p"
    assert "  eta_k ~ c/k**p" in lines
    assert "  sum eta_k = oo:    depends on p" in lines
    assert "  both hold iff p in (1/2, 1]" in lines
    summary = robbins_monro("c/k").summary()
    assert "sum eta_k = oo:    yes" in summary
    assert "both (satisfied):  yes" in summary
    assert "both (satisfied):  undecided" in robbins_monro("c*q**floor(k/10)").summary()


def test_result_is_frozen() -> None:
    result = robbins_monro("c/k")
    assert isinstance(result, RobbinsMonroResult)
    with pytest.raises(AttributeError):
        result.satisfied = False  # type: ignore[misc]


def test_bad_schedule_is_an_input_error() -> None:
    from theory.errors import InputError

    with pytest.raises(InputError, match="unknown name 'b'"):
        robbins_monro("c/b")
