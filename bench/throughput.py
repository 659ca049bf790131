"""Throughput of the ratecheck runner against a numpy loop and scikit-learn's SGDRegressor.

Plain script (no timed assertions anywhere): ``python bench/throughput.py [--quick]``.
On ridge regression (n = 10,000; d = 20 and 200; b = 1 and 8) it runs, in one process,

(a) ``empirical.run``: R = 32 replicates of SGD for K updates with the default
    checkpoints and a uniform average; the first call's kernel compile/cache-load time
    is reported apart, and the rates are from the later calls, on all of numba's
    threads and on one;
(b) a plain numpy loop over updates, vectorized over the R replicates, doing the same
    SGD steps (numpy's epoch permutations, same minibatch gradient, step, average and
    checkpoint evaluations);
(c) scikit-learn's ``SGDRegressor`` (``learning_rate="invscaling"``, one replicate, no
    checkpoints) doing the same number of sample updates as one replicate, K b.

Each measurement is repeated (``--repeat``, default 3) and the fastest is kept: other
work on the machine only slows a run down. The load average before and after is
printed so that a reader knows whether other work ran. Rates are replicate-steps per
second (a replicate-step is one update of one replicate) and sample-gradients per second
(replicate-steps times b), the unit compared with scikit-learn, which updates one
sample at a time. The ratios compare rates measured in the same run. Needs the
``bench`` extra.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings
from collections.abc import Callable

import numba
import numpy as np

from empirical.objectives import objective
from empirical.runner.loop import run
from empirical.runner.sampling import replicate_generators
from empirical.runner.trace import geometric_checkpoints

N = 10_000
R = 32
SCHEDULE = "1/(lam*k + L)"  # eta_k = 1/(lam k + L): stable from the first step


def best_of(repeat: int, measure: Callable[[], float]) -> float:
    """The shortest of ``repeat`` timings (seconds) returned by ``measure``."""
    return min(measure() for _ in range(repeat))


def ratecheck_rate(obj, steps: int, b: int, repeat: int) -> dict[str, float]:
    """(a): the first call (compile or cache load), then the best of ``repeat`` calls,
    on all of numba's threads and on one."""
    kw = {"steps": steps, "replicates": R, "seed": 0, "batch_size": b, "average": "uniform"}
    first = run(obj, "sgd", SCHEDULE, **kw)

    def measure() -> float:
        trace = run(obj, "sgd", SCHEDULE, **kw)
        assert trace.config["kernel"] == "compiled" and not trace.diverged.any()
        return trace.wall_time

    seconds = best_of(repeat, measure)
    threads = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        one_thread = best_of(repeat, measure)
    finally:
        numba.set_num_threads(threads)
    return {
        "compile": first.compile_time,
        "rate": R * steps / seconds,
        "rate_1": R * steps / one_thread,
    }


def numpy_rate(obj, steps: int, b: int, repeat: int) -> dict[str, float]:
    """(b): the same SGD steps, average and checkpoint evaluations in vectorized numpy."""
    lam, L = obj.constants["lam"], obj.constants["L"]
    X, y, reg = obj.X, obj.y, obj.reg
    stops = geometric_checkpoints(steps)

    def measure() -> float:
        tic = time.perf_counter()
        epochs = -(-steps * b // obj.n)
        streams = [
            np.concatenate([rng.permutation(obj.n) for _ in range(epochs)])
            for rng in replicate_generators(0, R)
        ]
        batches = np.stack([stream[: steps * b] for stream in streams]).reshape(R, steps, b)
        W = np.tile(obj.w0, (R, 1)).astype(float)
        avg = np.zeros_like(W)
        done = 0
        for stop in stops:
            for k in range(done + 1, int(stop) + 1):
                idx = batches[:, k - 1]
                Xb = X[idx]
                residual = np.einsum("rbd,rd->rb", Xb, W) - y[idx]
                grad = np.einsum("rbd,rb->rd", Xb, residual) / b + reg * W
                W = W - (1.0 / (lam * k + L)) * grad
                avg += (W - avg) / k
            done = int(stop)
            obj.gap(W), obj.dist2(W), obj.gap(avg), obj.dist2(avg)
        return time.perf_counter() - tic

    seconds = best_of(repeat, measure)
    return {"seconds": seconds, "rate": R * steps / seconds}


def sklearn_rate(obj, steps: int, b: int, repeat: int) -> dict[str, float] | None:
    """(c): SGDRegressor on the same data, K b sample updates of one replicate."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import SGDRegressor
    except ImportError:
        return None
    epochs = max(1, round(steps * b / obj.n))

    def measure() -> float:
        model = SGDRegressor(
            loss="squared_error",
            penalty="l2",
            alpha=obj.reg,
            fit_intercept=False,
            learning_rate="invscaling",
            eta0=0.01,
            power_t=0.5,
            max_iter=epochs,
            tol=None,
            shuffle=True,
            random_state=0,
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            tic = time.perf_counter()
            model.fit(obj.X, obj.y)
            return time.perf_counter() - tic

    seconds = best_of(repeat, measure)
    return {"seconds": seconds, "rate": epochs * obj.n / seconds}


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="K = 20,000 and d = 20 only")
    parser.add_argument("--repeat", type=int, default=3, help="timings per measurement (best)")
    args = parser.parse_args()
    steps = 20_000 if args.quick else 100_000
    dims = (20,) if args.quick else (20, 200)
    print(
        f"ridge n={N}, R={R}, K={steps}, numba threads={numba.get_num_threads()}, "
        f"cores={os.cpu_count()}, best of {args.repeat} timings"
    )
    print(f"load average (1, 5, 15 min) before: {load()}")
    header = (
        f"{'d':>4} {'b':>3} | {'compile s':>9} {'ratecheck':>10} {'1 thread':>9} {'numpy':>9}"
        f" {'sklearn':>9} | {'rc/numpy':>8} {'rc/sklearn':>10}"
    )
    print(
        "rates in M replicate-steps/s (sklearn: M sample updates/s; rc/sklearn per sample);"
        " '1 thread': ratecheck on one numba thread; ratios use all threads"
    )
    print(header)
    print("-" * len(header))
    for d in dims:
        obj = objective(f"ridge:n={N},d={d},lam=0.1,seed=0")
        for b in (1, 8):
            rc = ratecheck_rate(obj, steps, b, args.repeat)
            npy = numpy_rate(obj, steps, b, args.repeat)
            sk = sklearn_rate(obj, steps, b, args.repeat)
            sk_rate = f"{sk['rate'] / 1e6:9.2f}" if sk else f"{'n/a':>9}"
            sk_ratio = f"{rc['rate'] * b / sk['rate']:10.1f}" if sk else f"{'n/a':>10}"
            print(
                f"{d:>4} {b:>3} | {rc['compile']:9.2f} {rc['rate'] / 1e6:10.2f}"
                f" {rc['rate_1'] / 1e6:9.2f} {npy['rate'] / 1e6:9.2f} {sk_rate}"
                f" | {rc['rate'] / npy['rate']:8.1f} {sk_ratio}"
            )
    print(f"load average (1, 5, 15 min) after:  {load()}")
    print(f"numba threading layer: {numba.threading_layer()}")


if __name__ == "__main__":
    main()
