"""The lecture's shared pieces: claims made of parts, and the parts' interval tests."""

from __future__ import annotations

import pytest

from empirical.fitting.inference import Estimate
from reports.lecture.common import Part, below_zero, beyond, combine, equivalent


def _part(outcome, label, predicted="pass", predicted_label=None):
    return Part("p", outcome, label, predicted, "why", predicted_label)


COMBINATIONS = [
    # (parts, verdict, label)
    ([_part("pass", "within"), _part("fail", "slower", "fail", "slower")], "pass", "holds"),
    ([_part("pass", "within"), _part("fail", "stalls", "fail", "slower")], "fail", "contradicted"),
    ([_part("pass", "within"), _part("pass", "within", "fail", "slower")], "fail", "contradicted"),
    ([_part("fail", "slower"), _part("inconclusive", "imprecise")], "fail", "contradicted"),
    ([_part("pass", "within"), _part("inconclusive", "imprecise")], "inconclusive", "imprecise"),
    ([_part("inconclusive", "short-window", "fail", "stalls")], "inconclusive", "short-window"),
]


@pytest.mark.parametrize(("parts", "verdict", "label"), COMBINATIONS)
def test_combine(parts, verdict, label):
    assert combine(parts)[:2] == (verdict, label)


ONE_SIDED = [
    # (value, se, outcome): dof 20, alpha 1%: t = 2.528
    (-1.0, 0.1, "pass"),
    (1.0, 0.1, "fail"),
    (-0.2, 0.1, "inconclusive"),
]


@pytest.mark.parametrize(("value", "se", "outcome"), ONE_SIDED)
def test_below_zero(value, se, outcome):
    assert below_zero("x", Estimate(value, se, 20), "d").outcome == outcome


TOST = [
    # (value, se, outcome) against [0.9, 1.1]: dof 20, 98% and 99% intervals
    (1.0, 0.01, "pass"),
    (1.3, 0.01, "fail"),
    (1.08, 0.02, "inconclusive"),
]


@pytest.mark.parametrize(("value", "se", "outcome"), TOST)
def test_equivalent(value, se, outcome):
    assert equivalent("x", Estimate(value, se, 20), 0.9, 1.1, "d").outcome == outcome


BEYOND = [
    # (value, se, above, outcome, label) against 0.5: dof 20, alpha 1%: t = 2.528
    (0.8, 0.1, True, "pass", "within"),
    (0.1, 0.1, True, "fail", "slower"),
    (0.6, 0.1, True, "inconclusive", "imprecise"),
    (0.1, 0.1, False, "pass", "within"),
    (0.9, 0.1, False, "fail", "slower"),
]


@pytest.mark.parametrize(("value", "se", "above", "outcome", "label"), BEYOND)
def test_beyond(value, se, above, outcome, label):
    part = beyond("x", Estimate(value, se, 20), 0.5, above=above)
    assert (part.outcome, part.label) == (outcome, label)
