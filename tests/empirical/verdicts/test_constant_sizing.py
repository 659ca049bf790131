"""How many replicates an inconclusive constant check asks for."""

from __future__ import annotations

import math

import numpy as np
import pytest

from empirical.fitting import needed_replicates
from empirical.verdicts.value import check_constant, constant_design, sigma_upper

K = np.unique(np.geomspace(10, 1e5, 41).round())


def ratios(shift: float, size: int = 30, sd: float = 0.3) -> np.ndarray:
    """``size`` per-replicate ratios with sample mean exactly ``1 + shift`` and sd ``sd``."""
    draws = np.random.default_rng(3).standard_normal(size)
    draws = (draws - draws.mean()) / draws.std(ddof=1)
    return 1 + shift + sd * draws


def asked(shift: float, mode: str = "match") -> int | None:
    gaps = ratios(shift)[:, None] / K[None, :]
    verdict = check_constant(K, gaps, 1 / K, mode=mode, alpha=0.01, rtol=0.1)
    assert verdict.outcome == "inconclusive" and verdict.label == "imprecise"
    return verdict.needed_replicates


def test_the_ask_is_sized_at_the_theory_value_when_the_interval_holds_it() -> None:
    # The point estimate 1.04 sits 0.06 from the boundary 1.1; sizing there asks ~400.
    # The interval holds 1, so the ask is the same as for an estimate of exactly 1.
    expected = needed_replicates(sigma_upper(0.3, 30), 0.1, 0.01, (1 + 0.95) / 2)
    assert asked(0.04) == asked(0.0) == expected
    assert expected < needed_replicates(0.3, 0.06, 0.01, 0.95)


def test_the_upper_mode_is_sized_at_the_theory_value_too() -> None:
    assert asked(0.04, "upper") == needed_replicates(sigma_upper(0.3, 30), 0.1, 0.01, 0.95)


@pytest.mark.parametrize(
    ("bounds", "mode", "design"),
    [
        ((0.95, 1.08), "match", (1.0, 0.1, 0.975)),
        ((1.02, 1.15), "match", (1.02, 0.08, 0.95)),
        ((0.85, 0.97), "match", (0.97, 0.07, 0.95)),
        ((1.03, 1.2), "upper", (1.03, 0.07, 0.95)),
        ((0.9, 1.2), "upper", (1.0, 0.1, 0.95)),
    ],
)
def test_the_design_ratio_is_the_allowed_value_closest_to_one(bounds, mode, design) -> None:
    plausible, margin, power = constant_design(bounds, mode, 0.1)
    assert (plausible, power) == pytest.approx(design[::2])
    assert margin == pytest.approx(design[1])


def test_sigma_upper_is_the_chi_square_limit() -> None:
    # 29 / chi2_{0.1, 29} = 29 / 19.768 = 1.467
    assert sigma_upper(1.0, 30) == pytest.approx(math.sqrt(29 / 19.7677), rel=1e-4)
    assert sigma_upper(1.0, 10_000) == pytest.approx(1.0, abs=0.02)
