"""The built-in lecture suite: its specs, its helpers, and every check run in quick mode."""

from __future__ import annotations

import inspect
import json
import math

import numpy as np
import pytest

from empirical import objective, optimizer
from empirical.fitting.inference import Estimate
from empirical.verification.verify import verify
from reports.suite.engine import run_check
from reports.suite.lecture import LECTURE_SUITE, claim_number
from reports.suite.lecture_adaptive import last_decade_slope
from reports.suite.lecture_common import Part, below_zero, combine, equivalent
from reports.suite.lecture_momentum import momentum_noise_ratio, nesterov_noise_ratio
from reports.suite.lecture_order import clumped_classification, cyclic_fixed_point, ordered_line
from reports.suite.lecture_pictures import LEVEL_FLOOR, level_sets, trajectory
from reports.suite.model import CUSTOM_CHECKS
from theory.catalog import theorem_ids

# -- the specs ---------------------------------------------------------------------------


def test_every_claim_of_the_lecture_has_a_check():
    assert sorted({claim_number(spec) for spec in LECTURE_SUITE}) == list(range(1, 15))


def test_ids_are_unique_and_name_their_claim():
    ids = [spec.id for spec in LECTURE_SUITE]
    assert len(ids) == len(set(ids))
    assert all(spec.id.startswith(f"c{claim_number(spec):02d}") for spec in LECTURE_SUITE)


@pytest.mark.parametrize("spec", LECTURE_SUITE, ids=lambda spec: spec.id)
def test_spec_is_json_ready(spec):
    data = spec.to_dict()
    assert json.loads(json.dumps(data)) == data
    for quick in (False, True):
        params = spec.effective_params(quick)
        assert json.loads(json.dumps(params)) == params
    assert set(spec.quick) <= set(spec.params), "quick overrides only existing parameters"


@pytest.mark.parametrize("spec", LECTURE_SUITE, ids=lambda spec: spec.id)
def test_spec_is_well_formed(spec):
    assert spec.claim and spec.title and spec.section
    assert spec.expect in ("pass", "fail", "picture")
    assert (spec.expect == "fail") == (spec.expect_label is not None)
    assert spec.theorem is None or spec.theorem in theorem_ids()
    if spec.kind == "verify":
        allowed = set(inspect.signature(verify).parameters)
        assert set(spec.params) <= allowed
        assert spec.function is None
    else:
        assert spec.function in CUSTOM_CHECKS
    if spec.expect != "picture":
        assert "seed" in spec.params or spec.kind == "custom"


# -- every check, quick ------------------------------------------------------------------


def _arrays(panel):
    for curve in panel.curves:
        yield curve.k
        yield curve.mean
        for extra in (curve.low, curve.high):
            if extra is not None:
                yield extra
        for line in (curve.fit, curve.bound):
            if line is not None:
                yield line["k"]
                yield line["value"]
    if panel.contour is not None:
        yield panel.contour["x"]
        yield panel.contour["y"]
        yield np.ravel(panel.contour["z"])


@pytest.mark.parametrize("spec", LECTURE_SUITE, ids=lambda spec: spec.id)
def test_check_runs_quick_and_comes_out_as_expected(spec):
    result = run_check(spec, quick=True)
    expected = "picture" if spec.expect == "picture" else "as-expected"
    assert result.status == expected, result.reason
    assert result.panels
    for panel in result.panels:
        assert panel.curves
        for values in _arrays(panel):
            values = np.asarray(values, dtype=np.float64)
            assert values.size > 0 and np.all(np.isfinite(values))
    json.dumps(result.to_dict())


# -- combining a claim's parts -----------------------------------------------------------


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


# -- the designs' exact predictions --------------------------------------------------------


@pytest.mark.parametrize("eta", [0.05, 0.3])
def test_cyclic_fixed_point_is_the_limit_of_the_epoch_map(eta):
    X, y = ordered_line(7, seed=1)
    w = 0.0
    for _ in range(2000):
        for x_i, y_i in zip(X[:, 0], y, strict=True):
            w -= eta * x_i * (x_i * w - y_i)
    assert cyclic_fixed_point(X, y, eta) == pytest.approx(w, rel=1e-12)


def test_ordered_line_puts_every_point_below_the_line_first():
    X, y = ordered_line(20, seed=0)
    below = y < X[:, 0]
    assert below[:10].all() and not below[10:].any()


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


def test_clumped_data_concentrate_around_one_point():
    tight, labels = clumped_classification(0.05, 500, 10, seed=0)
    wide, _ = clumped_classification(1.0, 500, 10, seed=0)
    center = np.eye(10)[0]
    assert np.max(np.linalg.norm(tight - center, axis=1)) < 0.5
    assert np.median(np.linalg.norm(wide - center, axis=1)) > 2.0
    assert set(np.unique(labels)) <= {-1.0, 1.0}


def test_last_decade_slope_of_a_power_law():
    k = np.unique(np.rint(np.logspace(0, 4, 41)))
    assert last_decade_slope(k, 3.0 * k**-0.5) == pytest.approx(-0.5, abs=1e-12)


def test_gradient_descent_path_on_the_valley_reaches_the_minimum():
    obj = objective("valley")
    path = trajectory(obj, optimizer("sgd"), 1.0, 400)
    assert path.shape == (401, 2)
    assert np.allclose(path[0], obj.w0) and np.allclose(path[-1], obj.w_star, atol=1e-6)


def test_a_diverging_path_is_cut_before_it_leaves_the_plane():
    path = trajectory(objective("valley"), optimizer("sgd"), 2.5, 200)
    assert len(path) < 201 and np.all(np.abs(path) <= 1e3)


def test_level_sets_cover_the_contour_box():
    obj = objective("saddle")
    levels = level_sets(obj)
    z = np.asarray(levels["z"])
    assert z.shape == (len(levels["y"]), len(levels["x"]))
    xmin, xmax, ymin, ymax = obj.contour_box
    assert (levels["x"][0], levels["x"][-1]) == (xmin, xmax)
    assert (levels["y"][0], levels["y"][-1]) == (ymin, ymax)
    assert np.all(np.isfinite(z))
    assert math.log10(LEVEL_FLOOR) <= z.min() < math.log10(LEVEL_FLOOR) + 0.5  # near a minimum
