"""The adaptive-methods check's read-off of a deterministic curve's last decade."""

from __future__ import annotations

import numpy as np
import pytest

from reports.lecture.adaptive import RPROP_DECOUPLING, last_decade_slope, rprop_decoupling


def test_last_decade_slope_of_a_power_law():
    k = np.unique(np.rint(np.logspace(0, 4, 41)))
    assert last_decade_slope(k, 3.0 * k**-0.5) == pytest.approx(-0.5, abs=1e-12)


def test_rprop_decoupling_holds_with_the_numbers_of_its_claim():
    result = rprop_decoupling(RPROP_DECOUPLING, RPROP_DECOUPLING.effective_params(False))
    assert (result.verdict, result.status) == ("pass", "as-expected")
    metrics = result.metrics
    assert metrics["GD steps to gap <= 1e-10 at kappa = 1000"] == 9095
    assert metrics["exact k_eps of GD at kappa = 1000"] == 9095
    assert metrics["Rprop steps to gap <= 1e-10 at kappa = 1000"] == 46
    assert metrics["largest difference of Rprop's iterates across kappa"] == 0.0
    assert len(result.panels[0].curves) == 3  # GD's y coordinate is exactly 0 after one step
    assert "GD's y is 0 from k = 1" in result.panels[0].title


@pytest.mark.parametrize(
    ("method", "contradicted"),
    [
        ("adagrad", "Rprop's iterates do not depend on the curvature"),  # magnitudes enter
        ("rprop:step_max=0.001", "Rprop is at least 20x sooner"),  # steps cannot grow
    ],
)
def test_rprop_decoupling_fails_for_a_method_that_does_not_decouple(method, contradicted):
    params = {**RPROP_DECOUPLING.effective_params(True), "rprop": method}
    result = rprop_decoupling(RPROP_DECOUPLING, params)
    assert (result.verdict, result.label) == ("fail", "contradicted")
    assert contradicted in result.reason
