"""How many replicates an inconclusive constant check asks for, against what it needs.

Plain script, run from the repository root with the packages importable:
``PYTHONPATH=. python bench/sizing.py [--seeds N] [--sizes 120,200,280,400]``. For the
quadratic cell of ``bench/power.py`` (SGD with 1/(lam k) against the exact theorem, whose
constant check is a TOST on gap / C(k) in [1 - rtol, 1 + rtol]), it prints

* per seed at R = 30: the ratio estimate, the R the verdict asks for (sized at the value
  in the interval closest to the theory's 1) and the R the point estimate would ask for;
* per R in ``--sizes``: P(PASS) of the constant check over the seeds (other seeds), with
  its exact binomial 95% interval.

It backs the sizing rule of :func:`empirical.verdicts.value.constant_design`: the R asked
at stage 1 should reach P(PASS) near the 95% power it is sized for.
"""

from __future__ import annotations

import argparse
import math
import os
import statistics

from bench.power import rate
from empirical import Scenario, verify
from empirical.fitting import needed_replicates
from empirical.verdicts.core import POWER

SCENARIO = {
    "objective": "quadratic:d=10",
    "optimizer": "sgd",
    "schedule": "1/(lam*k)",
    "expect": "minibatch-sgd-quadratic-exact",
}


def constant(seed: int, replicates: int) -> dict:
    """The constant check's JSON of one verify at R = ``replicates``."""
    scenario = Scenario.from_dict({**SCENARIO, "replicates": replicates, "seed": seed})
    return verify(scenario).to_dict()["checks"]["constant"]


def point_estimate_ask(check: dict) -> int | None:
    """The R sized at the point estimate (the rule before the design margin)."""
    stat, rtol = check["statistic"], check["tolerance"]
    sigma = stat["se"] * math.sqrt(check["n_replicates"])
    return needed_replicates(sigma, rtol - abs(stat["estimate"] - 1), check["alpha"], POWER)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--sizes", default="120,200,280,400")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    print(f"# load average {os.getloadavg()[0]:.2f}, seeds {args.seeds}")
    print(f"{'seed':>5} {'ratio':>7} {'outcome':>13} {'asks':>6} {'point-estimate asks':>20}")
    asks, old = [], []
    for seed in range(args.seeds):
        check = constant(seed, 30)
        ask, point = check.get("needed_replicates"), point_estimate_ask(check)
        if check["outcome"] == "inconclusive":
            asks.append(ask or 0)
            old.append(point or 0)
        ratio = check["statistic"]["estimate"]
        print(f"{seed:>5} {ratio:>7.4f} {check['outcome']:>13} {ask!s:>6} {point!s:>20}")
    if asks:
        print(
            f"median ask {statistics.median(asks):.0f}, point-estimate {statistics.median(old):.0f}"
        )
    print(f"\n{'R':>5} {'P(PASS) constant, % [95% CI]':>30}")
    for size in sizes:
        passed = sum(constant(1000 + seed, size)["outcome"] == "pass" for seed in range(args.seeds))
        print(f"{size:>5} {rate(passed, args.seeds):>30}")


if __name__ == "__main__":
    main()
