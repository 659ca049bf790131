"""The built-in lecture suite: its specs, and every check run in quick mode."""

from __future__ import annotations

import inspect
import json

import numpy as np
import pytest

from empirical.verification.verify import verify
from reports.lecture import LECTURE_SUITE, TOPICS, claim_number
from reports.suite.cache_entry import entry_bytes
from reports.suite.engine import run_check
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
        assert callable(spec.function)
    if spec.expect != "picture":
        assert "seed" in spec.params or spec.kind == "custom"


def test_the_suite_is_in_the_lecture_order_of_its_ids():
    assert [spec.id for spec in LECTURE_SUITE] == sorted(spec.id for spec in LECTURE_SUITE)
    assert sum(len(topic.CHECKS) for topic in TOPICS) == len(LECTURE_SUITE)


@pytest.mark.parametrize("topic", TOPICS, ids=lambda topic: topic.__name__)
def test_a_topic_holds_its_checks_beside_their_functions(topic):
    for spec in topic.CHECKS:
        assert spec.kind == "verify" or spec.function.__module__ == topic.__name__


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
    entry_bytes("key", result)  # a valid cache entry: an unchanged rerun reuses it


def test_results_json_names_each_custom_check_by_its_function():
    names = {spec.to_dict()["function"] for spec in LECTURE_SUITE if spec.kind == "custom"}
    assert names == {
        "constant-step-floors",
        "robbins-monro",
        "sample-order",
        "gd-worst-case",
        "clumpy-data",
        "minibatch-variance",
        "minibatch-rate",
        "averaging-boundary",
        "momentum-variance",
        "acceleration",
        "reddi-counterexample",
        "rprop-decoupling",
        "plateau-schedule",
        "trajectories",
    }
