"""The multi-replicate runner: exact expectations, reproducibility, averages, validation."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest

from empirical.averaging import average_weights, parse_average
from empirical.objectives import objective
from empirical.runner.loop import run
from empirical.runner.progress import Progress
from empirical.runner.sampling import replicate_generators
from empirical.runner.trace import load_trace
from theory.errors import InputError, UnknownNameError

LAM, SIGMA = 2.0, 1.5


@pytest.mark.parametrize(("b", "seed"), [(1, 0), (8, 1)])
def test_noisy_quadratic_matches_the_exact_expected_gap(b: int, seed: int) -> None:
    """eta_k = 1/(lam k): E[F(w_k) - F*] = sigma^2/(2 b lam k) for k >= 1 (THEORY 10.1)."""
    trace = run(
        f"quadratic:d=1,lam={LAM},sigma={SIGMA}",
        "sgd",
        "1/(lam*k)",
        steps=1000,
        replicates=4000,
        seed=seed,
        batch_size=b,
    )
    exact = SIGMA**2 / (2 * b * LAM * trace.k)
    z = (trace.mean_gap() - exact) / trace.sem_gap()
    assert len(trace.k) > 25 and trace.k[0] == 1
    assert np.all(np.abs(z) < 4), z


def _quadratic_reference(obj, schedule, steps: int, R: int, seed: int, b: int) -> np.ndarray:
    """Iterates w_1..w_K (R, K, d) of SGD on the noisy quadratic, by a plain loop."""
    iterates = np.empty((R, steps, obj.d))
    for r, rng in enumerate(replicate_generators(seed, R)):
        z = rng.standard_normal((steps, obj.d)) / np.sqrt(b)
        w = np.array(obj.w0, dtype=float)
        for k in range(1, steps + 1):
            w = w - schedule(k) * (obj.h * (w - obj.w_star) + obj.sigma * z[k - 1])
            iterates[r, k - 1] = w
    return iterates


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
def test_last_iterate_and_averages_match_a_plain_loop(kernel: str) -> None:
    obj = objective("quadratic:d=2,lam=0.5,L=2,sigma=0.7,r0=3")
    steps, R, b = 60, 3, 2
    averages = ["uniform", "suffix:alpha=0.3", "suffix:alpha=1", "polydecay:gamma=1.5"]
    trace = run(
        obj, "sgd", "0.8/(lam*k**0.7)", steps=steps, replicates=R, seed=4, batch_size=b,
        average=averages, checkpoints=range(steps + 1), kernel=kernel,
    )  # fmt: skip
    iterates = _quadratic_reference(obj, lambda k: 0.8 / (0.5 * k**0.7), steps, R, 4, b)
    np.testing.assert_allclose(trace.gap[:, 0], obj.gap(np.array(obj.w0)[None, :])[0])
    np.testing.assert_allclose(trace.dist2[:, 1:], [obj.dist2(w) for w in iterates], rtol=1e-12)
    for spec in averages:
        avg = parse_average(spec)
        assert np.all(np.isnan(trace.avg_gap[avg.label][:, 0]))  # no average of zero iterates
        for k in range(1, steps + 1):
            points = np.einsum("s,rsd->rd", average_weights(avg, k), iterates[:, :k])
            np.testing.assert_allclose(trace.avg_gap[avg.label][:, k], obj.gap(points), rtol=1e-10)
            np.testing.assert_allclose(
                trace.avg_dist2[avg.label][:, k], obj.dist2(points), rtol=1e-10
            )


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
def test_shuffled_minibatches_follow_the_epoch_permutations(kernel: str) -> None:
    obj = objective("ridge:n=7,d=2,lam=0.1,seed=2")
    steps, R, b, eta = 20, 2, 3, 0.05
    trace = run(
        obj, "sgd", eta, steps=steps, replicates=R, seed=9, batch_size=b,
        checkpoints=range(steps + 1), kernel=kernel,
    )  # fmt: skip
    for r, rng in enumerate(replicate_generators(9, R)):
        stream = np.concatenate([rng.permutation(7) for _ in range(steps * b // 7 + 1)])
        w = np.zeros(2)
        for k in range(1, steps + 1):
            idx = stream[(k - 1) * b : k * b]
            X, y = obj.X[idx], obj.y[idx]
            w = w - eta * (X.T @ (X @ w - y) / b + obj.reg * w)
            assert trace.dist2[r, k] == pytest.approx(obj.dist2(w[None, :])[0], rel=1e-12)


RUN = {
    "objective": "logistic:n=30,d=3,lam=0.1",
    "optimizer": "momentum:beta=0.5",
    "schedule": "1/(L*sqrt(k))",
}


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
def test_reruns_are_bit_identical_and_replicates_do_not_depend_on_R(kernel: str) -> None:
    obj = objective(RUN["objective"])
    kw = {"steps": 200, "seed": 3, "batch_size": 2, "average": ["uniform", "suffix:alpha=0.5"]}
    first = run(obj, RUN["optimizer"], RUN["schedule"], replicates=4, kernel=kernel, **kw)
    again = run(obj, RUN["optimizer"], RUN["schedule"], replicates=4, kernel=kernel, **kw)
    more = run(obj, RUN["optimizer"], RUN["schedule"], replicates=9, kernel=kernel, **kw)
    for name in ("gap", "dist2"):
        np.testing.assert_array_equal(getattr(first, name), getattr(again, name))
        np.testing.assert_array_equal(getattr(first, name), getattr(more, name)[:4])
    for label in first.averages:
        np.testing.assert_array_equal(first.avg_gap[label], again.avg_gap[label])
        np.testing.assert_array_equal(first.avg_dist2[label], more.avg_dist2[label][:4])
    assert len({tuple(row) for row in more.gap}) == 9  # replicates differ from each other


def test_divergence_is_a_result() -> None:
    trace = run("ridge:n=40,d=3,lam=0.1", "sgd", "30/L", steps=400, replicates=3, seed=0)
    assert trace.diverged.all() and np.all(trace.diverged_at > 0)
    assert "diverged: 3 of 3" in trace.summary()


def test_per_replicate_start_and_checkpoint_zero() -> None:
    obj = objective("quadratic:d=2,sigma=0")
    starts = np.array([[1.0, 2.0], [0.0, -1.0], [3.0, 3.0]])
    trace = run(obj, "sgd", 0.5, steps=3, replicates=3, seed=0, w0=starts, checkpoints=[0, 3])
    np.testing.assert_allclose(trace.dist2[:, 0], obj.dist2(starts))
    np.testing.assert_allclose(trace.dist2[:, 1], obj.dist2(starts) * 0.5**6)  # h = 1: halved
    assert trace.config["w0"] == starts.tolist()


def test_plateau_schedule_gets_below_the_constant_step_noise_floor() -> None:
    kw = {"steps": 3000, "replicates": 20, "seed": 2}
    spec = "quadratic:d=1,lam=1,sigma=1"
    rule = "plateau:eta0=0.5,patience=2,tol=0.01,every=50"
    constant = run(spec, "sgd", 0.5, **kw)
    plateau = run(spec, "sgd", rule, **kw)
    assert plateau.config["schedule"] == "plateau:eta0=0.5,factor=10.0,patience=2,tol=0.01,every=50"
    # the constant step stalls at its noise floor eta sigma^2/(2 (2 - eta lam)) = 1/6
    assert constant.mean_gap()[-1] == pytest.approx(1 / 6, rel=0.5)
    assert plateau.mean_gap()[-1] < constant.mean_gap()[-1] / 10
    # the rule evaluates on its own grid: the checkpoints do not change the run
    sparse = run(spec, "sgd", rule, checkpoints=[3000], **kw)
    np.testing.assert_array_equal(sparse.gap[:, 0], plateau.gap[:, -1])


def test_config_round_trips_through_a_saved_trace(tmp_path: Path) -> None:
    trace = run(
        "ridge:n=20,d=2", "adam:beta1=0.8", "c/sqrt(k)", steps=30, replicates=2, seed=1,
        average="polydecay:gamma=1", constants={"c": 0.1},
    )  # fmt: skip
    cfg = trace.config
    assert cfg["objective"]["name"] == "ridge" and cfg["optimizer"]["name"] == "adam"
    assert cfg["optimizer"]["hyperparams"]["beta1"] == 0.8
    assert cfg["schedule"] == "c/sqrt(k)" and cfg["schedule_constants"] == {"c": 0.1}
    assert cfg["averages"] == ["polydecay:gamma=1"] and cfg["kernel"] == "compiled"
    assert cfg["checkpoints"] == trace.k.tolist() and cfg["steps"] == 30
    json.dumps(cfg, allow_nan=False)
    trace.save(tmp_path / "t.npz")
    back = load_trace(tmp_path / "t.npz")
    assert back.config == cfg
    np.testing.assert_array_equal(
        back.avg_gap["polydecay(gamma=1)"], trace.avg_gap["polydecay(gamma=1)"]
    )


def test_two_dimensional_picture_objective_runs_the_numpy_path() -> None:
    trace = run("beale", "adam", 0.01, steps=100, replicates=1, seed=0)
    assert trace.config["kernel"] == "numpy" and trace.compile_time == 0.0
    assert trace.gap[0, -1] < trace.gap[0, 0]


BASE = {"steps": 10, "replicates": 2, "seed": 0}
ERRORS = [
    ({"steps": 0}, InputError, "^scenario: steps = 0 is not allowed; expected an integer >= 1$"),
    (
        {"steps": 2.5},
        InputError,
        r"scenario: steps = 2\.5 is not allowed; expected an integer >= 1",
    ),
    ({"replicates": 0}, InputError, "scenario: replicates = 0 is not allowed; expected an integer"),
    ({"seed": -1}, InputError, "scenario: seed = -1 is not allowed; expected an integer >= 0"),
    ({"seed": True}, InputError, "scenario: seed = True is not allowed; expected an integer >= 0"),
    (
        {"batch_size": 41},
        InputError,
        r"batch_size = 41 is not allowed; expected an integer in \[1, 40\]: .* n = 40 samples",
    ),
    ({"sampling": "random"}, UnknownNameError, "expected one of shuffle, replacement, cyclic"),
    ({"w0": [np.nan, 0.0, 0.0]}, InputError, r"^run: w0 = \[nan, 0\.0, 0\.0\] is not allowed"),
    (
        {"w0": [0.0, 0.0]},
        InputError,
        r"^run: w0 = .* expected finite numbers of shape \(3,\) or \(2, 3\)",
    ),
    ({"objective": "ridg"}, UnknownNameError, "^objective: name = 'ridg' is not allowed"),
    ({"optimizer": "adamw"}, UnknownNameError, "^optimizer: name = 'adamw' is not allowed"),
    (
        {"checkpoints": [5, 11]},
        InputError,
        r"^run: checkpoints = .* 0\.\.steps=10 .*\[11\] are outside",
    ),
    (
        {"checkpoints": []},
        InputError,
        r"^run: checkpoints = \[\] is not allowed; expected a non-empty",
    ),
    ({"checkpoints": [1.5]}, InputError, r"^run: checkpoints = \[1\.5\] is not allowed"),
    (
        {"checkpoints": 7},
        InputError,
        "^run: checkpoints = 7 is not allowed; expected a non-empty list",
    ),
    ({"average": 3}, InputError, "average"),
    (
        {"kernel": "fast"},
        UnknownNameError,
        "^run: kernel = 'fast' is not allowed; expected one of auto",
    ),
    ({"average": "median"}, UnknownNameError, "^average: name = 'median' is not allowed"),
    ({"average": ["uniform", "uniform"]}, InputError, "uniform given more than once"),
    ({"schedule": "c/k"}, InputError, "^schedule 'c/k': c is missing"),
    ({"objective": "worst-case-gd", "batch_size": 2}, InputError, "deterministic oracle"),
    ({"objective": "reddi", "w0": [2.0]}, InputError, "inside the domain of objective 'reddi'"),
    ({"objective": "beale", "kernel": "compiled"}, InputError, "no compiled kernel"),
]


@pytest.mark.parametrize(("override", "error", "fragment"), ERRORS)
def test_bad_input_raises_a_named_error(override: dict, error: type, fragment: str) -> None:
    args = {"objective": "ridge:n=40,d=3", "optimizer": "sgd", "schedule": "0.1", **BASE}
    args.update(override)
    with pytest.raises(error, match=fragment):
        run(args.pop("objective"), args.pop("optimizer"), args.pop("schedule"), **args)


def test_progress_bar_is_silent_off_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    run("ridge:n=20,d=2", "sgd", 0.1, steps=50, replicates=2, seed=0)
    assert capsys.readouterr().err == ""


def test_progress_bar_draws_after_its_delay() -> None:
    stream = io.StringIO()
    bar = Progress(200, enabled=True, delay=0.0, stream=stream)
    bar.update(50)
    bar.close()
    assert "25.0% k=50/200" in stream.getvalue() and stream.getvalue().endswith("\n")
    quiet = io.StringIO()
    late = Progress(200, enabled=True, delay=60.0, stream=quiet)
    late.update(100)
    late.close()
    assert quiet.getvalue() == "" and not Progress(10, stream=io.StringIO()).enabled


@pytest.mark.parametrize("kernel", ["compiled", "numpy"])
def test_a_later_stage_continues_the_replicates_bit_identically(kernel: str) -> None:
    """Replicates r0 .. r0 + R - 1 of a run are those of a single larger run."""
    from empirical import Scenario, Trace

    scenario = Scenario("ridge:n=200,d=4", "sgd", "1/(lam*k)", steps=400, seed=3, average="uniform")
    whole = run(scenario.replace(replicates=7), kernel=kernel)
    first = run(scenario.replace(replicates=3), kernel=kernel)
    second = run(scenario.replace(replicates=4), kernel=kernel, first_replicate=3)
    joined = Trace.concatenate(first, second)
    np.testing.assert_array_equal(joined.gap, whole.gap)
    np.testing.assert_array_equal(joined.avg_gap["uniform"], whole.avg_gap["uniform"])
    assert joined.replicates == 7 and second.config["first_replicate"] == 3
    with pytest.raises(InputError, match="starts at replicate"):
        Trace.concatenate(first, first)
