"""The trajectory pictures: paths of the optimizers and the level sets they are drawn on."""

from __future__ import annotations

import math

import numpy as np

from empirical import objective, optimizer
from reports.lecture.pictures import LEVEL_FLOOR, level_sets, trajectory


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
