"""Golden outputs for refactors: record what ratecheck prints, then compare after a move.

Plain script, run from the repository root: ``python bench/golden.py record FILE`` runs
``ratecheck verify --format json`` (and the text form) on every cell of ``bench/power.py``
at ``--seeds`` seeds (default 2) and ``ratecheck report --quick``, and writes their
outputs, with timings removed, to FILE. ``python bench/golden.py compare FILE`` runs the
same commands again and prints every difference (exit 1 if there is one). A refactor that
preserves behaviour leaves the comparison empty.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from power import CATALOG, ROOT

TIMING_KEYS = {
    "created",
    "seconds",
    "elapsed",
    "wall_time",
    "started",
    "finished",
    "duration",
    "cached",
}


def strip_timings(value: Any) -> Any:
    """The value without timing fields (keys named in TIMING_KEYS, at any depth)."""
    if isinstance(value, dict):
        return {k: strip_timings(v) for k, v in value.items() if k not in TIMING_KEYS}
    if isinstance(value, list):
        return [strip_timings(v) for v in value]
    return value


def verify_command(index: int, seed: int, fmt: str) -> list[str]:
    cell = CATALOG[index]
    return [
        "ratecheck",
        "verify",
        "--objective",
        cell.objective_at(seed),
        "--optimizer",
        cell.optimizer_path,
        "--schedule",
        cell.schedule,
        "--expect",
        cell.expect,
        "--seed",
        str(seed),
        "--batch-size",
        str(cell.batch_size),
        "--sampling",
        cell.sampling,
        "--format",
        fmt,
    ]


def run_verify(index: int, seed: int) -> tuple[str, dict[str, Any]]:
    key = f"{CATALOG[index].name}@{seed}"
    out: dict[str, Any] = {}
    for fmt in ("json", "text"):
        done = subprocess.run(verify_command(index, seed, fmt), capture_output=True, text=True)
        text = done.stdout
        body: Any = strip_timings(json.loads(text)) if fmt == "json" and text else text
        out[fmt] = {"exit": done.returncode, "stdout": body, "stderr": done.stderr}
    return key, out


def run_report() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "report"
        done = subprocess.run(
            ["ratecheck", "report", "--quick", "--out", str(out)],
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        results = out / "results.json"
        body = strip_timings(json.loads(results.read_text())) if results.exists() else None
        return {"exit": done.returncode, "results": body}


def collect(seeds: int, workers: int) -> dict[str, Any]:
    jobs = [(i, s) for i in range(len(CATALOG)) for s in range(seeds)]
    with ThreadPoolExecutor(workers) as pool:
        verifies = dict(pool.map(lambda job: run_verify(*job), jobs))
    return {"root": str(ROOT), "verify": verifies, "report": run_report()}


def normalized(value: Any, root: str) -> Any:
    """The value as compared: timings removed, the checkout's path replaced by ``<ROOT>``
    (records from another checkout compare equal) and text reflowed (a longer path wraps
    the same words differently)."""
    value = json.loads(json.dumps(strip_timings(value)).replace(root, "<ROOT>"))
    for outputs in value["verify"].values():
        outputs["text"]["stdout"] = " ".join(outputs["text"]["stdout"].split())
    return value


def differences(old: Any, new: Any, path: str = "") -> list[str]:
    """Paths where ``old`` and ``new`` differ, with both values."""
    if isinstance(old, dict) and isinstance(new, dict):
        found = []
        for key in sorted(set(old) | set(new)):
            found += differences(old.get(key), new.get(key), f"{path}/{key}")
        return found
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        found = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            found += differences(a, b, f"{path}[{i}]")
        return found
    return [] if old == new else [f"{path}: {str(old)[:200]!r} -> {str(new)[:200]!r}"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["record", "compare"])
    parser.add_argument("file", type=Path)
    parser.add_argument("--seeds", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    if args.action == "record":
        args.file.write_text(json.dumps(collect(args.seeds, args.workers), indent=1))
        print(f"recorded {args.file}")
        return
    old = json.loads(args.file.read_text())
    new = collect(args.seeds, args.workers)
    args.file.with_suffix(".new.json").write_text(json.dumps(new, indent=1))
    found = differences(normalized(old, old.pop("root")), normalized(new, new.pop("root")))
    for line in found:
        print(line)
    print(f"{len(found)} difference(s)")
    sys.exit(1 if found else 0)


if __name__ == "__main__":
    main()
