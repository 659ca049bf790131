"""Measured false-alarm and detection rates of ``ratecheck verify`` at its default settings.

Plain script (no timed assertions anywhere), run from the repository root with the
packages importable: ``python bench/power.py [--seeds N] [--quick] [--workers W]
[--cells NAME,...]``. It calls :func:`empirical.verify` with the defaults of
``ratecheck verify`` (K = DEFAULT_STEPS updates, R = DEFAULT_REPLICATES replicates,
alpha = 0.01, delta = 0.05, rtol = 0.1, alpha_c = 0.2) on a catalog of configurations
(:data:`CATALOG`), ``--seeds`` times per cell (default 100). Seed s sets both the run's
seed and the objective's data seed, so each cell is measured over as many data sets as
noise streams (the deterministic GD cells vary through their data only).

Correct configurations satisfy the theory they are checked against, so a FAIL there is a
false alarm. Broken ones do not; a FAIL there is a detection. A broken cell is a *target*
when its asymptotic exponent differs from the theory's by >= 0.1, or it stalls or
diverges; the issue's targets are: false alarms <= 1% in every correct cell, detection
>= 95% in every target cell, one default ``ratecheck verify`` under 5 s. Each rate is
printed with its exact (Clopper-Pearson) binomial 95% interval, as is the PASS rate
(P(PASS | correct) for a correct cell; the target there is P(not PASS) <= 1%), beside the
inconclusive share, the labels of the verdicts, the median fitted exponent, the median
and the largest wall time of one verify inside a worker and the mean replicates used.

The non-smooth cells run projected SGD on a ball that holds w* (``lad:radius=3``,
``hinge:radius=4.48``), the bounded domain their theorems assume, so the bound with its
constants is checked. Their averaged gaps approach the theorem's exponent from the slow
side for decades (the half-decade slopes in the ``truth`` column are measured by
``bench/slow_side.py``), so a slope test alone would fail them; with the bound holding far
beyond the reach of a rerun, the verdict is PASS "within-bound" instead
(:mod:`empirical.verdicts.headroom`). A third table, not counted in the targets,
shows the same runs unconstrained (the bound cannot be checked, so the slope test
decides) and a weakly biased hinge run, which stalls only after K and cannot be told
from the correct one within K.

Sampling: with the default ``shuffle`` a finite sum is swept without replacement (random
reshuffling), which converges faster than the with-replacement 1/k (about k^-2 on ridge),
so a with-replacement rate is then only an upper bound that a broken schedule may also
meet. Cells whose brokenness shows only in the exponent therefore use
``sampling="replacement"`` or the streaming noisy quadratic (d = 10: with d = 1 the gap
is chi^2_1 and R = 30 is often INCONCLUSIVE). The broken optimizers are user-protocol
factories in ``bench/broken_optimizers.py``, loaded as ``path.py:NAME`` like a user's.

Work is spread over ``--workers`` processes (``concurrent.futures.ProcessPoolExecutor``,
default 2, one numba thread each). The load average is printed before and after, since
other work on the machine slows the timings down.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

from scipy.stats import binomtest

ROOT = Path(__file__).resolve().parents[1]
BROKEN = "bench/broken_optimizers.py"
DEFAULT_SEEDS = 100
QUICK_SEEDS = 10
FALSE_ALARM_TARGET = 0.01
DETECTION_TARGET = 0.95
SECONDS_TARGET = 5.0
CLI_CONFIG = [
    "--objective",
    "ridge",
    "--optimizer",
    "sgd",
    "--schedule",
    "1/(lam*k)",
    "--expect",
    "sgd-sc-smooth-last",
]
"""The default ``ratecheck verify`` timed as a fresh process (the 5 s target)."""


@dataclass(frozen=True)
class Cell:
    """One configuration checked by ``verify`` at its defaults, at every seed.

    ``objective`` is a spec without its data seed (added per run). ``truth`` states the
    asymptotic behaviour of the checked quantity; ``target`` marks a broken cell whose
    asymptotic exponent differs from the theory's by >= 0.1, or that stalls or diverges.
    ``counted`` is False for a cell printed apart, outside the targets: a correct run
    outside the theorem's hypotheses (no bounded domain, or G fails on the iterates, so the
    bound cannot be checked), or a broken run that no verifier can tell from a correct one
    within K (its defect shows only after K).
    """

    name: str
    broken: bool
    objective: str
    optimizer: str
    schedule: str
    expect: str
    truth: str
    target: bool = False
    sampling: str = "shuffle"
    counted: bool = True
    batch_size: int = 1
    seeded: bool = True
    steps: int | None = None

    def objective_at(self, seed: int) -> str:
        """The objective spec with the data seed (an objective without data has none)."""
        if not self.seeded:
            return self.objective
        return f"{self.objective}{',' if ':' in self.objective else ':'}seed={seed}"

    @property
    def optimizer_path(self) -> str:
        """The optimizer spec with a bench file made absolute (workers may run elsewhere)."""
        if self.optimizer.startswith("bench/"):
            return str(ROOT / self.optimizer)
        return self.optimizer

    def describe(self) -> str:
        batch = f" b={self.batch_size}" if self.batch_size != 1 else ""
        return (
            f"{self.objective} | {self.optimizer.removeprefix(BROKEN + ':')} | "
            f"eta={self.schedule} | {self.sampling}{batch} | expect {self.expect}"
        )


Q10 = "quadratic:d=10"
LAD_BALL = "lad:radius=3"
"""Projected SGD on the ball ||w|| <= 3 (D = 6), which holds w* at every seed (||w*|| <= 1.61
over seeds 0..99): the bounded domain of sgd-convex-uniform."""
HINGE_BALL = "hinge:radius=4.48"
"""Projected SGD on a ball holding w* at any seed: ||w*|| <= sqrt(2/lam) = 4.472 for the
hinge. G = max_i ||x_i|| + lam 4.48 then bounds every subgradient on the whole domain."""
CATALOG: tuple[Cell, ...] = (
    # ---- correct: the theory holds, so any FAIL is a false alarm
    Cell("ridge-sgd", False, "ridge", "sgd", "1/(lam*k)", "sgd-sc-smooth-last",
         "-1", sampling="replacement"),
    Cell("ridge-sgd-shuffle", False, "ridge", "sgd", "1/(lam*k)", "sgd-sc-smooth-last",
         "about -2 (random reshuffling)"),
    Cell("logistic-sgd", False, "logistic", "sgd", "1/(lam*k)", "sgd-sc-smooth-last",
         "-1", sampling="replacement"),
    Cell("quadratic-sgd", False, Q10, "sgd", "1/(lam*k)", "minibatch-sgd-quadratic-exact",
         "-1: exactly sigma^2/(2 lam k)"),
    Cell("ridge-minibatch", False, "ridge", "sgd", "1/(lam*k)", "sgd-sc-smooth-last",
         "-1", sampling="replacement", batch_size=8),
    Cell("lad-avg", False, LAD_BALL, "sgd", "R/(G*sqrt(k))", "sgd-convex-uniform",
         "<= -1/2 (bound); -0.2..-0.6 on 1e4..1e6, -0.5 by 1e7"),
    Cell("lad-avg-repl", False, LAD_BALL, "sgd", "R/(G*sqrt(k))", "sgd-convex-uniform",
         "<= -1/2 (bound); about -0.2 on 1e5..1e7", sampling="replacement"),
    Cell("hinge-polydecay", False, HINGE_BALL, "sgd", "1/(lam*k)", "sgd-sc-polydecay",
         "<= -1 (bound); -0.85..-1.1 on 1e5..1e7"),
    Cell("hinge-polydecay-repl", False, HINGE_BALL, "sgd", "1/(lam*k)", "sgd-sc-polydecay",
         "<= -1 (bound); about -0.8 on 1e4..1e7", sampling="replacement"),
    Cell("gd-linear", False, "ridge:n=100,d=50,lam=0.01", "sgd", "1/L", "gd-sc-smooth",
         "linear, faster: (1 - lam/L)^(2k)", batch_size=100),
    Cell("gd-linear-any", False, "ridge:n=100,d=50,lam=0.01", "sgd", "1/L", "linear",
         "linear", batch_size=100),
    Cell("gd-1/k", False, "least-squares:n=30", "sgd", "1/L", "gd-smooth-convex",
         "linear on the row space (faster)", batch_size=30),
    Cell("gd-c/k-slow", False, "quadratic:d=1,sigma=0", "sgd", "0.3/(lam*k)",
         "minibatch-sgd-quadratic-c-over-k-slow", "-0.6 (deterministic, c lam = 0.3 < 1/2)"),
    Cell("gd-worst-case", False, "worst-case-gd:N=1000", "sgd", "1/L", "gd-smooth-convex-tight",
         "= L R^2/(4k+2) at k = N = 1000 (local slope -0.25)", seeded=False, steps=1000),
    # ---- broken: a FAIL is a detection
    Cell("constant-step", True, "ridge", "sgd", "0.001", "O(1/k)",
         "0: stalls at the noise floor", target=True),
    Cell("step-k^-0.7", True, "ridge", "sgd", "1/k**0.7", "O(1/k)",
         "-0.7", target=True, sampling="replacement"),
    Cell("step-c/k^2", True, "ridge", "sgd", "1/(lam*k**2)", "O(1/k)",
         "0: stalls (summable steps)", target=True),
    Cell("step-c-lam-0.45", True, Q10, "sgd", "0.45/(lam*k)", "O(1/k)",
         "-0.9 (c lam = 0.45 < 1/2)", target=True),
    Cell("gradient-x0.25", True, Q10, f"{BROKEN}:scaled_sgd:scale=0.25", "1/(lam*k)",
         "minibatch-sgd-quadratic-exact", "-0.5 (c lam = 1/4)", target=True),
    Cell("biased-gradient", True, Q10, f"{BROKEN}:biased_sgd:bias=0.01", "1/(lam*k)",
         "minibatch-sgd-quadratic-exact", "0: stalls at d bias^2/(2 lam) = 5e-4",
         target=True),
    Cell("momentum-flipped", True, Q10, f"{BROKEN}:flipped_momentum:beta=0.9,flip=update",
         "1/(lam*k)", "minibatch-sgd-quadratic-exact", "+20: diverges, w - w* ~ k^(1/(1-beta))",
         target=True),
    Cell("early-average", True, Q10, f"{BROKEN}:early_average:power=0.75", "1/(lam*k)",
         "minibatch-sgd-quadratic-exact", "-0.5 (weights s^-0.75)", target=True),
    Cell("hinge-biased", True, HINGE_BALL, f"{BROKEN}:biased_sgd:bias=0.01", "1/(lam*k)",
         "sgd-sc-polydecay", "0: stalls (checked against a bound that holds)", target=True,
         sampling="replacement"),
    Cell("momentum-carry-flip", True, Q10, f"{BROKEN}:flipped_momentum:beta=0.9,flip=carry",
         "1/(lam*k)", "minibatch-sgd-quadratic-exact", "-1, constant c^2/(2c-1) = 5.3x, c = 1/1.9"),
    # ---- not counted in the targets
    Cell("lad-avg-free", False, "lad", "sgd", "R/(G*sqrt(k))", "sgd-convex-uniform",
         "as lad-avg, but no D", counted=False),
    Cell("hinge-polydecay-free", False, "hinge", "sgd", "1/(lam*k)", "sgd-sc-polydecay",
         "as hinge-polydecay-repl, but G fails on the iterates", sampling="replacement",
         counted=False),
    Cell("hinge-biased-weak", True, HINGE_BALL, f"{BROKEN}:biased_sgd:bias=0.003", "1/(lam*k)",
         "sgd-sc-polydecay", "0: stalls, but like the correct hinge (about -0.8) up to K",
         target=True, sampling="replacement", counted=False),
)  # fmt: skip


def _init_worker() -> None:
    import numba

    numba.set_num_threads(1)


def run_one(index: int, seed: int) -> dict[str, object]:
    """One default verify of CATALOG[index] at ``seed``: outcome, label, deciding check,
    fitted power-law exponent (None for linear fits), wall time, or the error."""
    from empirical.verification.verify import verify

    cell = CATALOG[index]
    tic = time.perf_counter()
    try:
        result = verify(
            cell.objective_at(seed),
            cell.optimizer_path,
            cell.schedule,
            expect=cell.expect,
            seed=seed,
            batch_size=cell.batch_size,
            sampling=cell.sampling,
            **({"steps": cell.steps} if cell.steps else {}),
        )
    except Exception as exc:  # recorded, not raised: one bad seed must not stop the table
        return {"outcome": "error", "label": f"{type(exc).__name__}: {exc}"[:120]}
    fit, plan = result.fit, result.plan
    exponent = None if fit is None or plan.linear else fit.exponent.value
    theory = "linear" if plan.linear else (f"{plan.shape.exponent:g}" if plan.shape else "-")
    return {
        "theory": theory,
        "outcome": result.outcome,
        "label": result.label,
        "check": result.reason.split(" check:", 1)[0] if result.outcome == "fail" else "",
        "exponent": exponent,
        "replicates": int(result.config["replicates"]),
        "seconds": time.perf_counter() - tic,
    }


def rate(count: int, n: int) -> str:
    """'12.0 [6.4, 20.0]': percentage with its exact binomial 95% interval."""
    if n == 0:
        return "n/a"
    ci = binomtest(count, n).proportion_ci(method="exact")
    return f"{100 * count / n:5.1f} [{100 * ci.low:4.1f}, {100 * ci.high:5.1f}]"


def labels(rows: list[dict[str, object]]) -> str:
    """Counts of FAIL labels (with the deciding check) and INCONCLUSIVE reasons."""
    fails = Counter(
        f"{r['label']}" + (f"({r['check']})" if r["check"] != "rate" else "")
        for r in rows
        if r["outcome"] == "fail"
    )
    open_ = Counter(str(r["label"]) for r in rows if r["outcome"] == "inconclusive")
    errors = [str(r["label"]) for r in rows if r["outcome"] == "error"]
    parts = []
    if fails:
        parts.append("F: " + " ".join(f"{k} {v}" for k, v in fails.most_common()))
    if open_:
        parts.append("I: " + " ".join(f"{k} {v}" for k, v in open_.most_common()))
    if errors:
        parts.append(f"errors {len(errors)} (first: {errors[0]})")
    return "; ".join(parts) or "-"


def median_or_dash(values: list[float], fmt: str) -> str:
    return format(statistics.median(values), fmt) if values else "-"


def cell_row(cell: Cell, rows: list[dict[str, object]]) -> tuple[str, int, float]:
    """The table line of ``cell``, its number of FAILs and its median seconds per verify."""
    n = len(rows)
    fails = sum(r["outcome"] == "fail" for r in rows)
    passes = sum(r["outcome"] == "pass" for r in rows)
    open_ = sum(r["outcome"] == "inconclusive" for r in rows)
    exponents = [float(r["exponent"]) for r in rows if r.get("exponent") is not None]
    seconds = [float(r["seconds"]) for r in rows if "seconds" in r]
    median_s = statistics.median(seconds) if seconds else float("nan")
    max_s = max(seconds) if seconds else float("nan")
    used = [int(r["replicates"]) for r in rows if "replicates" in r]
    mean_r = statistics.mean(used) if used else float("nan")
    target = "yes" if cell.target else ("no" if cell.broken else "-")
    theory = next((str(r["theory"]) for r in rows if "theory" in r), "?")
    line = (
        f"| {cell.name} | {theory} | {cell.truth} | {target} | {n} | {rate(fails, n)} | "
        f"{rate(passes, n)} | {100 * open_ / n:5.1f} | "
        f"{median_or_dash(exponents, '.3f')} | {median_s:.2f} | {max_s:.2f} | {mean_r:.0f} | "
        f"{labels(rows)} |"
    )
    return line, fails, passes, median_s


def time_cli() -> float:
    """Wall time of one default ``ratecheck verify`` in a fresh process."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    tic = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "reports.cli", "verify", *CLI_CONFIG],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    seconds = time.perf_counter() - tic
    if done.returncode not in (0, 1, 3):
        raise SystemExit(f"ratecheck verify failed (exit {done.returncode}): {done.stderr.strip()}")
    return seconds


def load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=DEFAULT_SEEDS, help="seeds per cell")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SEEDS} seeds per cell")
    parser.add_argument("--workers", type=int, default=2, help="worker processes (default 2)")
    parser.add_argument("--cells", default="", help="comma-separated cell names (default all)")
    args = parser.parse_args()
    if args.quick:
        args.seeds = QUICK_SEEDS
    if args.seeds < 1 or args.workers < 1:
        parser.error("--seeds and --workers must be >= 1")
    names = [name.strip() for name in args.cells.split(",") if name.strip()]
    unknown = sorted(set(names) - {cell.name for cell in CATALOG})
    if unknown:
        parser.error(
            f"unknown cell(s) {', '.join(unknown)}; known: {', '.join(c.name for c in CATALOG)}"
        )
    args.indices = [i for i, cell in enumerate(CATALOG) if not names or cell.name in names]
    return args


def main() -> None:
    from empirical.verification.verify import DEFAULT_REPLICATES, DEFAULT_STEPS

    args = parse_args()
    os.environ["NUMBA_NUM_THREADS"] = "1"  # inherited by the workers before numba loads
    start = time.perf_counter()
    print(
        f"ratecheck verify at its defaults: K={DEFAULT_STEPS}, R={DEFAULT_REPLICATES}, "
        f"alpha=0.01, delta=0.05, rtol=0.1, alpha_c=0.2; {args.seeds} seeds per cell "
        f"(seed s = run seed and data seed), {args.workers} workers x 1 numba thread, "
        f"{os.cpu_count()} cores"
    )
    print(f"load average (1, 5, 15 min) before: {load()}")
    cli_cold = time_cli()
    print("\ncatalog (objective | optimizer | step | sampling | expect):")
    for i in args.indices:
        cell = CATALOG[i]
        print(f"  {cell.name:22s} {cell.describe()}")

    jobs = [(i, seed) for seed in range(args.seeds) for i in args.indices]
    results: dict[int, list[dict[str, object]]] = {i: [] for i in args.indices}
    context = get_context("spawn")
    with ProcessPoolExecutor(args.workers, mp_context=context, initializer=_init_worker) as pool:
        indices, seeds = zip(*jobs, strict=True)
        for done, ((i, _), row) in enumerate(
            zip(jobs, pool.map(run_one, indices, seeds, chunksize=4), strict=True), 1
        ):
            results[i].append(row)
            if done % max(1, len(jobs) // 20) == 0:
                elapsed = time.perf_counter() - start
                print(f"  {done}/{len(jobs)} verifies, {elapsed:.0f} s", file=sys.stderr)
    cli_warm = time_cli()

    print_tables(args.indices, results, args.seeds)
    print(
        f"  one default ratecheck verify < {SECONDS_TARGET:g} s: "
        f"{'MET' if cli_warm < SECONDS_TARGET else 'MISSED'} (a fresh process: "
        f"{cli_cold:.1f} s before the table, {cli_warm:.1f} s after it)"
    )
    print(f"load average (1, 5, 15 min) after: {load()}; total {time.perf_counter() - start:.0f} s")


def print_tables(indices: list[int], results: dict[int, list[dict[str, object]]], n: int) -> None:
    """The correct and broken tables, then the false-alarm and detection targets."""
    header = (
        "| cell | theory p | true exponent | target | n | FAIL % [95% CI] | PASS % [95% CI] | "
        "INC % | median p | median s | max s | mean R | verdicts |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|"
    )
    fails: dict[str, int] = {}
    passes: dict[str, int] = {}
    seconds: dict[str, float] = {}
    groups = (
        ("correct (FAIL = false alarm)", lambda c: c.counted and not c.broken),
        ("broken (FAIL = detection)", lambda c: c.counted and c.broken),
        (
            "not counted in the targets: correct runs outside the theorem's hypotheses (bound "
            "not checkable), and a broken run that looks correct up to K",
            lambda c: not c.counted,
        ),
    )
    for title, member in groups:
        chosen = [i for i in indices if member(CATALOG[i])]
        if chosen:
            print(f"\n{title}:\n{header}")
        for i in chosen:
            name = CATALOG[i].name
            line, fails[name], passes[name], seconds[name] = cell_row(CATALOG[i], results[i])
            print(line)
    correct = [CATALOG[i].name for i in indices if CATALOG[i].counted and not CATALOG[i].broken]
    targets = [CATALOG[i].name for i in indices if CATALOG[i].counted and CATALOG[i].target]
    alarms = [
        f"{c} {100 * fails[c] / n:.0f}%" for c in correct if fails[c] > FALSE_ALARM_TARGET * n
    ]
    missed = [f"{c} {100 * fails[c] / n:.0f}%" for c in targets if fails[c] < DETECTION_TARGET * n]
    print("\nsummary against the targets:")
    if correct:
        pooled = sum(fails[c] for c in correct)
        print(
            f"  false alarms <= 1% in every correct cell: "
            f"{'MET' if not alarms else 'MISSED in ' + ', '.join(alarms)} "
            f"(pooled: {rate(pooled, n * len(correct)).strip()} over {len(correct)} cells)"
        )
        undecided = [
            f"{c} {100 * (n - passes[c]) / n:.0f}%"
            for c in correct
            if n - passes[c] > FALSE_ALARM_TARGET * n
        ]
        pooled = sum(n - passes[c] for c in correct)
        print(
            f"  not PASS <= 1% in every correct cell: "
            f"{'MET' if not undecided else 'MISSED in ' + ', '.join(undecided)} "
            f"(pooled: {rate(pooled, n * len(correct)).strip()} over {len(correct)} cells)"
        )
    if targets:
        pooled = sum(fails[c] for c in targets)
        print(
            f"  detection >= 95% in every target broken cell: "
            f"{'MET' if not missed else 'MISSED in ' + ', '.join(missed)} "
            f"(pooled: {rate(pooled, n * len(targets)).strip()} over {len(targets)} cells)"
        )
    slowest = max(seconds, key=lambda name: seconds[name])
    print(f"  slowest median verify inside a worker: {slowest} {seconds[slowest]:.2f} s")


if __name__ == "__main__":
    main()
