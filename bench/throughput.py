"""Throughput of the ratecheck runner against a numpy loop and scikit-learn's SGDRegressor.

Plain script (no timed assertions anywhere): ``python bench/throughput.py [--quick]``.
On ridge regression (n = 10,000; d = 20 and 200; b = 1 and 8) it runs, in one process,

(a) ``empirical.run``: R = 32 replicates of SGD for K updates with the default
    checkpoints and a uniform average; the first call's kernel compile/cache-load time
    is reported apart, and the rate is from a second call;
(b) a plain numpy loop over updates, vectorized over the R replicates, doing the same
    SGD steps (same minibatch gradient, step, average and checkpoint evaluations);
(c) scikit-learn's ``SGDRegressor`` (``learning_rate="invscaling"``, one replicate, no
    checkpoints) doing the same number of sample updates as one replicate, K b.

Rates are replicate-steps per second (a replicate-step is one update of one replicate)
and sample-gradients per second (replicate-steps times b), the unit compared with
scikit-learn, which updates one sample at a time. Needs the ``bench`` extra.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import numba
import numpy as np

from empirical.objectives import objective
from empirical.runner import run
from empirical.sampling import IndexSampler, replicate_generators
from empirical.trace import geometric_checkpoints

N = 10_000
R = 32
SCHEDULE = "1/(lam*k + L)"  # eta_k = 1/(lam k + L): stable from the first step


def ratecheck_rate(obj, steps: int, b: int) -> dict[str, float]:
    """(a): first call (compile or cache load) and the rate of a second call."""
    kw = {"steps": steps, "replicates": R, "seed": 0, "batch_size": b, "average": "uniform"}
    first = run(obj, "sgd", SCHEDULE, **kw)
    second = run(obj, "sgd", SCHEDULE, **kw)
    assert second.config["kernel"] == "compiled" and not second.diverged.any()
    return {
        "compile": first.compile_time,
        "first": first.wall_time,
        "seconds": second.wall_time,
        "rate": R * steps / second.wall_time,
    }


def numpy_rate(obj, steps: int, b: int) -> dict[str, float]:
    """(b): the same SGD steps, average and checkpoint evaluations in vectorized numpy."""
    lam, L = obj.constants["lam"], obj.constants["L"]
    X, y, reg = obj.X, obj.y, obj.reg
    sampler = IndexSampler(obj.n, b, "shuffle", replicate_generators(0, R))
    stops = geometric_checkpoints(steps)
    tic = time.perf_counter()
    W = np.tile(obj.w0, (R, 1)).astype(float)
    avg = np.zeros_like(W)
    done = 0
    for stop in stops:
        idx_block = sampler.draw(int(stop - done))
        for j in range(int(stop - done)):
            k = done + j + 1
            idx = idx_block[:, j]
            Xb = X[idx]
            residual = np.einsum("rbd,rd->rb", Xb, W) - y[idx]
            grad = np.einsum("rbd,rb->rd", Xb, residual) / b + reg * W
            W = W - (1.0 / (lam * k + L)) * grad
            avg += (W - avg) / k
        done = int(stop)
        obj.gap(W), obj.dist2(W), obj.gap(avg), obj.dist2(avg)
    seconds = time.perf_counter() - tic
    return {"seconds": seconds, "rate": R * steps / seconds}


def sklearn_rate(obj, steps: int, b: int) -> dict[str, float] | None:
    """(c): SGDRegressor on the same data, K b sample updates of one replicate."""
    try:
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.linear_model import SGDRegressor
    except ImportError:
        return None
    epochs = max(1, round(steps * b / obj.n))
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
        seconds = time.perf_counter() - tic
    return {"seconds": seconds, "rate": epochs * obj.n / seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="K = 20,000 and d = 20 only")
    args = parser.parse_args()
    steps = 20_000 if args.quick else 100_000
    dims = (20,) if args.quick else (20, 200)
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(
        f"ridge n={N}, R={R}, K={steps}, numba threads={numba.get_num_threads()}, "
        f"cores={os.cpu_count()}, load average before: {load}"
    )
    header = (
        f"{'d':>4} {'b':>3} | {'compile s':>9} {'ratecheck':>10} {'numpy':>9} {'sklearn':>9}"
        f" | {'rc/numpy':>8} {'rc/sklearn':>10}"
    )
    print("rates in M replicate-steps/s (sklearn: M sample updates/s; rc/sklearn per sample)")
    print(header)
    print("-" * len(header))
    for d in dims:
        obj = objective(f"ridge:n={N},d={d},lam=0.1,seed=0")
        for b in (1, 8):
            rc = ratecheck_rate(obj, steps, b)
            npy = numpy_rate(obj, steps, b)
            sk = sklearn_rate(obj, steps, b)
            sk_rate = f"{sk['rate'] / 1e6:9.2f}" if sk else f"{'n/a':>9}"
            sk_ratio = f"{rc['rate'] * b / sk['rate']:10.1f}" if sk else f"{'n/a':>10}"
            print(
                f"{d:>4} {b:>3} | {rc['compile']:9.2f} {rc['rate'] / 1e6:10.2f}"
                f" {npy['rate'] / 1e6:9.2f} {sk_rate} | {rc['rate'] / npy['rate']:8.1f} {sk_ratio}"
            )


if __name__ == "__main__":
    main()
