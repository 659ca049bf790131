"""The sample-order check's design: the data's order and the epoch map's fixed point."""

from __future__ import annotations

import pytest

from reports.lecture.order import cyclic_fixed_point, ordered_line


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
