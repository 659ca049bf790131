"""The adaptive-methods check's read-off of a deterministic curve's last decade."""

from __future__ import annotations

import numpy as np
import pytest

from reports.lecture.adaptive import last_decade_slope


def test_last_decade_slope_of_a_power_law():
    k = np.unique(np.rint(np.logspace(0, 4, 41)))
    assert last_decade_slope(k, 3.0 * k**-0.5) == pytest.approx(-0.5, abs=1e-12)
