"""Wall time of ``ratecheck report``: cold, cached, and ``--quick``.

Plain script (no timed assertions anywhere): ``python bench/report.py [--jobs N]
[--suite SUITE.toml]``. Each run is a fresh process (``python -m reports.cli report`` or
``run SUITE.toml``) writing into a temporary directory:

1. cold: an empty result cache and an empty numba cache (``NUMBA_CACHE_DIR``), so the
   kernels are compiled: what a fresh machine pays on its first run;
2. cached: the same command again with the result cache of run 1: nothing is computed,
   the report is rendered from the cache;
3. quick: ``--quick`` with an empty result cache and the numba cache of run 1;
4. quick, cold: ``--quick`` with empty result and numba caches (what CI pays).

Targets (issue 5, on the 2-core machine): cold <= 90 s, cached <= 10 s, quick < 30 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"cold": 90.0, "cached": 10.0, "quick": 30.0, "quick, cold": 30.0}


def timed_run(
    command: list[str], out: Path, cache: Path, numba_cache: Path, quick: bool
) -> dict[str, object]:
    """Run one report in a fresh process; seconds, exit code and the statuses it wrote."""
    env = {
        **os.environ,
        "RATECHECK_CACHE_DIR": str(cache),
        "NUMBA_CACHE_DIR": str(numba_cache),
        "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
    }
    argv = [sys.executable, "-m", "reports.cli", *command, "--out", str(out)]
    argv += ["--quick"] if quick else []
    start = time.perf_counter()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - start
    statuses: Counter[str] = Counter()
    results = out / "results.json"
    if results.is_file():
        statuses.update(c["status"] for c in json.loads(results.read_text())["checks"])
    if done.returncode == 2:
        sys.stderr.write(done.stderr)
    return {"seconds": seconds, "exit": done.returncode, "statuses": dict(statuses)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="default: every core")
    parser.add_argument("--suite", default=None, help="a TOML suite instead of the built-in")
    args = parser.parse_args()
    command = ["report"] if args.suite is None else ["run", str(Path(args.suite).resolve())]
    if args.jobs is not None:
        command += ["--jobs", str(args.jobs)]
    print(f"command: ratecheck {' '.join(command)}  (cores: {os.cpu_count()})")
    rows = []
    with tempfile.TemporaryDirectory(prefix="ratecheck-bench-") as tmp:
        base = Path(tmp)
        numba_warm = base / "numba-warm"
        plan = [
            ("cold", base / "cache-1", numba_warm, False),
            ("cached", base / "cache-1", numba_warm, False),
            ("quick", base / "cache-2", numba_warm, True),
            ("quick, cold", base / "cache-3", base / "numba-cold", True),
        ]
        for name, cache, numba_cache, quick in plan:
            outcome = timed_run(command, base / f"out-{len(rows)}", cache, numba_cache, quick)
            rows.append((name, outcome))
    print(f"{'run':<12} {'seconds':>8} {'target':>8}  {'ok':<3} {'exit':>4}  statuses")
    for name, outcome in rows:
        seconds, target = outcome["seconds"], TARGETS[name]
        ok = "yes" if seconds <= target else "NO"
        statuses = ", ".join(f"{n} {s}" for s, n in sorted(outcome["statuses"].items()))
        print(f"{name:<12} {seconds:8.1f} {target:8.0f}  {ok:<3} {outcome['exit']:>4}  {statuses}")


if __name__ == "__main__":
    main()
