"""Trace: default checkpoints, summary statistics, JSON export and the .npz round trip."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from empirical.runner.trace import Trace, geometric_checkpoints, load_trace
from theory.errors import InputError, UnknownNameError


@pytest.mark.parametrize(
    ("steps", "expected"),
    [
        (1, [1]),
        (2, [1, 2]),
        (10, [1, 2, 3, 4, 5, 6, 8, 10]),
        (37, [1, 2, 3, 4, 5, 6, 8, 10, 13, 16, 20, 25, 32, 37]),
    ],
)
def test_geometric_checkpoints_table(steps: int, expected: list[int]) -> None:
    np.testing.assert_array_equal(geometric_checkpoints(steps), expected)


@pytest.mark.parametrize("steps", [100, 1000, 12345, 10**6])
def test_geometric_checkpoints_about_ten_per_decade(steps: int) -> None:
    ks = geometric_checkpoints(steps)
    assert ks[0] == 1 and ks[-1] == steps and np.all(np.diff(ks) > 0)
    decades = np.log10(steps)
    assert 10 * decades - 8 <= len(ks) <= 10 * decades + 2
    big = ks[ks >= 10]
    assert np.all(big[1:] / big[:-1] <= 10**0.1 + 0.06)


def _trace(R: int = 3, J: int = 4) -> Trace:
    rng = np.random.default_rng(0)
    gap = rng.random((R, J))
    gap[1, 2:] = np.nan
    return Trace(
        k=np.array([0, 1, 5, 10])[:J],
        gap=gap,
        dist2=rng.random((R, J)),
        avg_gap={"uniform": rng.random((R, J)), "suffix(alpha=0.5)": rng.random((R, J))},
        avg_dist2={"uniform": rng.random((R, J)), "suffix(alpha=0.5)": rng.random((R, J))},
        diverged=np.array([False, True, False]),
        diverged_at=np.array([-1, 5, -1]),
        config={"objective": {"name": "toy"}, "optimizer": {"name": "sgd"}, "nested": [1, 2.5]},
        seed=3,
        wall_time=0.25,
        compile_time=0.0,
    )


def test_round_trip_is_bit_identical(tmp_path: Path) -> None:
    trace = _trace()
    path = tmp_path / "run.npz"
    trace.save(path)
    back = load_trace(path)
    for name in ("k", "gap", "dist2", "diverged", "diverged_at"):
        got, want = getattr(back, name), getattr(trace, name)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    assert back.averages == trace.averages
    for label in trace.averages:
        np.testing.assert_array_equal(back.avg_gap[label], trace.avg_gap[label])
        np.testing.assert_array_equal(back.avg_dist2[label], trace.avg_dist2[label])
    assert back.config == trace.config
    assert (back.seed, back.wall_time, back.compile_time) == (3, 0.25, 0.0)


@pytest.mark.parametrize("content", [b"not a zip", None])
def test_load_rejects_what_is_not_a_trace(tmp_path: Path, content: bytes | None) -> None:
    path = tmp_path / "bad.npz"
    if content is None:
        np.savez(path, k=np.arange(3))
    else:
        path.write_bytes(content)
    with pytest.raises(InputError, match=r"bad\.npz"):
        load_trace(path)


def test_load_missing_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.npz"):
        load_trace(tmp_path / "missing.npz")


def test_means_and_standard_errors() -> None:
    trace = _trace()
    np.testing.assert_array_equal(trace.mean_gap(), trace.gap.mean(axis=0))
    assert np.isnan(trace.mean_gap()[2])  # a diverged replicate makes the mean NaN
    sem = trace.sem_dist2("uniform")
    np.testing.assert_allclose(sem, trace.avg_dist2["uniform"].std(axis=0, ddof=1) / np.sqrt(3))
    np.testing.assert_array_equal(
        trace.mean_gap("suffix(alpha=0.5)"), trace.avg_gap["suffix(alpha=0.5)"].mean(axis=0)
    )
    assert trace.replicates == 3


def test_unknown_average_lists_the_recorded_ones() -> None:
    with pytest.raises(UnknownNameError, match=r"recorded: uniform, suffix\(alpha=0.5\)"):
        _trace().mean_gap("polydecay(gamma=1)")


def test_to_dict_is_strict_json() -> None:
    data = _trace().to_dict()
    text = json.dumps(data, allow_nan=False)
    assert json.loads(text)["gap"][1][2] is None


def test_summary_names_the_run() -> None:
    text = _trace().summary()
    assert "toy" in text and "diverged: 1 of 3" in text and "suffix(alpha=0.5)" in text


def test_arrays_are_read_only() -> None:
    trace = _trace()
    with pytest.raises(ValueError, match="read-only"):
        trace.gap[0, 0] = 1.0
    with pytest.raises(ValueError, match="read-only"):
        trace.avg_dist2["uniform"][0, 0] = 1.0


def test_a_trace_knows_its_scenario_and_reruns_bit_identically() -> None:
    from empirical import Scenario, run

    scenario = Scenario(
        "ridge:n=100,d=3",
        "momentum:beta=0.5",
        "1/(lam*k)",
        steps=300,
        replicates=3,
        seed=4,
        batch_size=2,
        sampling="replacement",
        average="uniform",
    )
    trace = run(scenario)
    again = run(trace.scenario)
    np.testing.assert_array_equal(trace.gap, again.gap)
    np.testing.assert_array_equal(trace.avg_gap["uniform"], again.avg_gap["uniform"])
    data = trace.scenario.to_dict()
    assert (data["steps"], data["replicates"], data["seed"], data["average"]) == (
        300,
        3,
        4,
        "uniform",
    )


def test_a_trace_of_user_code_has_no_scenario() -> None:
    from empirical import optimizer, run
    from empirical.optimizers.base import Optimizer

    sgd = optimizer("sgd")
    user = Optimizer(init=sgd.init, update=sgd.update, name="mine")
    trace = run("quadratic:d=2", user, 0.1, steps=5, replicates=2, seed=0)
    with pytest.raises(InputError, match="user code"):
        _ = trace.scenario
