"""Time the theorem catalog: importing it and deriving every theorem's JSON form.

Plain script, run from the repository root: ``python bench/catalog.py [--repeat N]``. Each
repeat is a fresh interpreter (the SymPy caches start empty, as for a user's first
``ratecheck theory``); the table prints the median and the worst of the repeats, with the
load average before and after, since other work on the machine slows the timings down.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys

CODE = (
    "import json, time; t = time.perf_counter(); from theory.catalog import CATALOG; "
    "t1 = time.perf_counter(); [json.dumps(th.to_dict()) for th in CATALOG]; "
    "print(json.dumps([t1 - t, time.perf_counter() - t1, len(CATALOG)]))"
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs = [
        json.loads(
            subprocess.run(
                [sys.executable, "-c", CODE], capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(args.repeat)
    ]
    print(f"{'stage':<28}{'median s':>10}{'max s':>10}")
    for index, stage in enumerate(("import theory.catalog", "derive every theorem")):
        values = [run[index] for run in runs]
        print(f"{stage:<28}{statistics.median(values):>10.3f}{max(values):>10.3f}")
    print(f"theorems: {runs[0][2]}, repeats: {args.repeat}")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
