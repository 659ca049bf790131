"""Local slopes of the non-smooth catalog cells far beyond the default K.

Plain script, run from the repository root with the packages importable:
``PYTHONPATH=. python bench/slow_side.py [--steps K] [--seeds N]``. For the correct
non-smooth cells of ``bench/power.py`` (projected SGD on LAD with c/sqrt(k) and a uniform
average, on the hinge loss with 1/(lam k) and a polynomial-decay average), it runs
``verify`` at the given K (default 1e7, R = 30) and prints, per seed, the log-log slope
of the mean gap over each half decade from k = 1e3, the bound with its constants over the
mean gap at K, and the verdict at that K.

It backs the ``truth`` column of those cells: the averaged gaps approach the theorem's
exponent from the slow side, with half-decade slopes slower than the theorem's for
decades past the default K = 1e5, while staying far below the bound. That is the case
the within-bound rule (:mod:`empirical.verdicts.headroom`) is for.
"""

from __future__ import annotations

import argparse
import itertools
import os
import time

import numpy as np

from bench.power import CATALOG

CELLS = ("lad-avg", "lad-avg-repl", "hinge-polydecay", "hinge-polydecay-repl")


def half_decade_slopes(k: np.ndarray, mean: np.ndarray, start: float) -> list[float]:
    """Slopes of log mean over [10^(j/2), 10^((j+1)/2)] from ``start`` up to k[-1]."""
    edges = 10.0 ** np.arange(np.log10(start), np.log10(k[-1]) + 1e-9, 0.5)
    index = [int(np.argmin(np.abs(np.log(k) - np.log(edge)))) for edge in edges]
    return [
        float(np.log(mean[b] / mean[a]) / np.log(k[b] / k[a])) for a, b in itertools.pairwise(index)
    ]


def main() -> None:
    from empirical.verification.verify import verify

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=float, default=1e7, help="K (default 1e7)")
    parser.add_argument("--seeds", type=int, default=3, help="seeds per cell (default 3)")
    args = parser.parse_args()
    steps = int(args.steps)
    if steps < 10**4 or args.seeds < 1:
        parser.error("--steps must be >= 1e4 and --seeds >= 1")
    print(f"K = {steps:.0e}, R = 30, seeds 0..{args.seeds - 1}; load {os.getloadavg()[0]:.2f}")
    cells = [cell for cell in CATALOG if cell.name in CELLS]
    for cell in cells:
        print(f"\n{cell.name}: {cell.describe()}")
        print("| seed | half-decade slopes from k = 1e3 | B/mean gap at K | verdict at K | s |")
        print("|---|---|---|---|---|")
        for seed in range(args.seeds):
            tic = time.perf_counter()
            result = verify(
                cell.objective_at(seed),
                cell.optimizer_path,
                cell.schedule,
                expect=cell.expect,
                seed=seed,
                steps=steps,
                sampling=cell.sampling,
                batch_size=cell.batch_size,
            )
            k = result.trace.k.astype(float)
            mean = np.nanmean(result.series, axis=0)
            slopes = " ".join(f"{s:+.2f}" for s in half_decade_slopes(k, mean, 1e3))
            assert result.plan.bound is not None
            margin = float(result.plan.bound(k)[-1] / mean[-1])
            verdict = f"{result.outcome} ({result.label})"
            seconds = time.perf_counter() - tic
            print(f"| {seed} | {slopes} | {margin:.3g} | {verdict} | {seconds:.0f} |")


if __name__ == "__main__":
    main()
