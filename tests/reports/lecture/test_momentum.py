"""The momentum check's predictions: the noise ratios of the optimizers' filters."""

from __future__ import annotations

import numpy as np
import pytest

from empirical import optimizer
from reports.lecture.momentum import momentum_noise_ratio, nesterov_noise_ratio


def _impulse_response(spec: str, lr: float, beta: float, length: int = 400) -> np.ndarray:
    """Coefficients c_j of the update on the gradient j steps back (unit pulse at step 0),
    with the step scaled so that sum_j c_j = 1."""
    opt = optimizer(spec)
    W = np.zeros((1, 1))
    state = opt.init(W)
    out = []
    for j in range(length):
        moved, state = opt.update(np.full((1, 1), 1.0 if j == 0 else 0.0), state, W, lr)
        out.append(float((W - moved)[0, 0]))
    return np.array(out) / lr * (1 - beta)


@pytest.mark.parametrize("beta", [0.5, 0.9, 0.99])
def test_noise_ratios_are_the_optimizers_filters(beta):
    """sum_j c_j^2 of the heavy-ball and Nesterov (PyTorch) updates at lr = 1 - beta."""
    heavy = _impulse_response(f"momentum:beta={beta}", 1 - beta, beta, length=4000)
    ahead = _impulse_response(f"nesterov:beta={beta}", 1 - beta, beta, length=4000)
    assert heavy.sum() == pytest.approx(1.0, rel=1e-9)
    assert ahead.sum() == pytest.approx(1.0, rel=1e-9)
    assert np.sum(heavy**2) == pytest.approx(momentum_noise_ratio(beta), rel=1e-9)
    assert np.sum(ahead**2) == pytest.approx(nesterov_noise_ratio(beta), rel=1e-9)


def test_momentum_smooths_nineteenfold_at_beta_09():
    """The claim's 1/19 for beta = 0.9, and Nesterov's 0.0706."""
    assert momentum_noise_ratio(0.9) == pytest.approx(1 / 19, rel=1e-12)
    assert nesterov_noise_ratio(0.9) == pytest.approx(0.07063, rel=1e-4)
