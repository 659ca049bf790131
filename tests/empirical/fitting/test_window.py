"""The burn-in rule: curvature counts only when it moves the local slope by more than delta."""

from __future__ import annotations

import numpy as np
import pytest

from empirical.fitting.models import LINEAR_MODELS
from empirical.fitting.window import select_window, slope_change

POWER = LINEAR_MODELS["power"].columns
K = np.unique(np.rint(10 ** np.arange(1, 5.01, 0.1)).astype(int))
X = np.log(K)


def curved(slope_change_total: float, replicates: int, noise: float, seed: int = 0) -> np.ndarray:
    """z_r = -x + c (x - xbar)^2 + noise: the local slope changes by the given total across
    the whole range (from steeper to flatter when positive)."""
    c = slope_change_total / (2 * (X[-1] - X[0]))
    u = X - X.mean()
    rng = np.random.default_rng(seed)
    return -X + c * u * u + noise * rng.standard_normal((replicates, X.size))


@pytest.mark.parametrize("replicates", [30, 300, 3000])
def test_immaterial_curvature_is_ignored_at_any_number_of_replicates(replicates: int) -> None:
    z = curved(0.02, replicates, noise=0.05)
    choice = select_window(K, X, z, POWER, alpha_c=0.2, min_points=5, delta=0.05)
    assert (choice.rule, choice.start) == ("curvature", 0)


def test_rejection_rate_does_not_grow_with_replicates() -> None:
    """Over 40 seeds: the whole range is rejected about as often at R = 1000 as at R = 30
    (a significance test would reject it every time at R = 1000)."""

    def rejected(replicates: int) -> int:
        count = 0
        for seed in range(40):
            z = curved(0.03, replicates, noise=0.3, seed=seed)
            count += select_window(K, X, z, POWER, 0.2, 5, 0.05).start > 0
        return count

    assert rejected(1000) <= max(rejected(30), 2)


@pytest.mark.parametrize("replicates", [30, 3000])
def test_material_curvature_is_rejected(replicates: int) -> None:
    z = curved(0.4, replicates, noise=0.05)
    choice = select_window(K, X, z, POWER, alpha_c=0.2, min_points=5, delta=0.05)
    assert choice.start > 0


def test_deterministic_runs_are_judged_by_magnitude() -> None:
    """Identical replicates (se = 0): curvature below delta passes, above it does not."""
    flat = np.repeat(curved(0.03, 1, noise=0.0), 5, axis=0)
    bent = np.repeat(curved(0.3, 1, noise=0.0), 5, axis=0)
    assert select_window(K, X, flat, POWER, 0.2, 5, 0.05).rule == "curvature"
    assert select_window(K, X, flat, POWER, 0.2, 5, 0.05).start == 0
    assert select_window(K, X, bent, POWER, 0.2, 5, 0.05).start > 0


def test_slope_change_measures_the_end_to_end_change_and_the_bend() -> None:
    z = np.repeat(curved(0.3, 1, noise=0.0), 3, axis=0)
    ends, bend = slope_change(X, z, POWER)
    assert ends.value == pytest.approx(0.3, rel=1e-9) and bend.value == pytest.approx(0, abs=1e-9)
    u = X - X.mean()
    s_shape = np.repeat((-X + 0.01 * u**3)[None, :], 3, axis=0)
    ends, bend = slope_change(X, s_shape, POWER)
    u_a, u_b = u[0], u[-1]
    assert ends.value == pytest.approx(0.03 * (u_b**2 - u_a**2), abs=1e-9)
    assert bend.value == pytest.approx(-0.03 * (u_b - u_a) ** 2 / 4, rel=1e-9)
