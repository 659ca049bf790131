"""The clumpy-data check's design: clumped and diverse classification data."""

from __future__ import annotations

import numpy as np

from reports.lecture.clumpy import clumped_classification


def test_clumped_data_concentrate_around_one_point():
    tight, labels = clumped_classification(0.05, 500, 10, seed=0)
    wide, _ = clumped_classification(1.0, 500, 10, seed=0)
    center = np.eye(10)[0]
    assert np.max(np.linalg.norm(tight - center, axis=1)) < 0.5
    assert np.median(np.linalg.norm(wide - center, axis=1)) > 2.0
    assert set(np.unique(labels)) <= {-1.0, 1.0}
