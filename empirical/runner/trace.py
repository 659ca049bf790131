"""The record of a multi-replicate run: gaps and distances at checkpoints, per replicate.

Index convention: ``k`` counts updates; the iterate at checkpoint k is ``w_k`` (k = 0 is
the start ``w_0``). An average at checkpoint k is over ``w_1..w_k``; at k = 0 it is
undefined and recorded as NaN. A replicate that diverged at update ``diverged_at`` has
NaN gap and distance at every checkpoint k >= diverged_at.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from empirical.scenario import Scenario, optimizer_spec
from theory.errors import InputError, UnknownNameError

TRACE_FORMAT = "ratecheck-trace/1"
"""Format tag written into saved traces."""
_STAGE_KEYS = ("replicates", "first_replicate", "kernel")
"""Config entries in which two stages of one run may differ."""


def geometric_checkpoints(steps: int, per_decade: int = 10) -> np.ndarray:
    """Checkpoints 1 <= k <= steps spaced about ``per_decade`` per decade, plus ``steps``.

    The integers round(10**(j / per_decade)), j = 0, 1, ..., deduplicated, kept while
    <= steps, then ``steps`` itself.
    """
    top = int(np.ceil(np.log10(steps) * per_decade)) if steps > 1 else 0
    grid = np.rint(10.0 ** (np.arange(top + 1) / per_decade)).astype(np.int64)
    return np.unique(np.append(grid[grid <= steps], steps))


@dataclass(frozen=True, eq=False)
class Trace:
    """Gaps F(w_k) - F* and distances ||w_k - w*||^2 of R replicates at J checkpoints.

    ``avg_gap[label]`` and ``avg_dist2[label]`` hold the same for each iterate average
    (labels as :class:`empirical.averaging.Average` prints them). The arrays are made
    read-only: a trace is a record.
    """

    k: np.ndarray
    """Checkpoints (J,), int: number of updates."""
    gap: np.ndarray
    """(R, J): F(w_k) - F*."""
    dist2: np.ndarray
    """(R, J): ||w_k - w*||^2."""
    avg_gap: Mapping[str, np.ndarray]
    avg_dist2: Mapping[str, np.ndarray]
    diverged: np.ndarray
    """(R,) bool: the replicate produced a non-finite iterate or one with ||w|| > 1e100."""
    diverged_at: np.ndarray
    """(R,) int: the update at which it diverged, -1 if it did not."""
    config: Mapping[str, Any]
    """JSON-ready description of the run (objective, optimizer, schedule, ...)."""
    seed: int
    wall_time: float
    """Seconds spent in the run, compilation included."""
    compile_time: float
    """Seconds spent compiling (or loading) the kernel in this run; 0 on the numpy path."""

    def __post_init__(self) -> None:
        arrays = [self.k, self.gap, self.dist2, self.diverged, self.diverged_at]
        for array in [*arrays, *self.avg_gap.values(), *self.avg_dist2.values()]:
            array.flags.writeable = False

    @property
    def replicates(self) -> int:
        """Number of replicates R."""
        return int(self.gap.shape[0])

    @classmethod
    def concatenate(cls, first: Trace, second: Trace) -> Trace:
        """The replicates of ``first`` followed by those of ``second``, a later stage of the
        same run (same checkpoints and config; ``second`` starts where ``first`` ends), as
        one trace: equal to a single run of all their replicates."""

        def stage(cfg: Mapping[str, Any]) -> dict[str, Any]:
            return {key: value for key, value in cfg.items() if key not in _STAGE_KEYS}

        if not np.array_equal(first.k, second.k) or stage(first.config) != stage(second.config):
            raise InputError("trace: the stages differ in their checkpoints or their run")
        follows = int(first.config.get("first_replicate", 0)) + first.replicates
        if int(second.config.get("first_replicate", 0)) != follows:
            raise InputError(
                f"trace: the second stage starts at replicate "
                f"{second.config.get('first_replicate')}, not {follows}"
            )
        config = {**first.config, "replicates": first.replicates + second.replicates}
        return cls(
            k=np.array(first.k),
            gap=np.vstack([first.gap, second.gap]),
            dist2=np.vstack([first.dist2, second.dist2]),
            avg_gap={key: np.vstack([v, second.avg_gap[key]]) for key, v in first.avg_gap.items()},
            avg_dist2={
                key: np.vstack([v, second.avg_dist2[key]]) for key, v in first.avg_dist2.items()
            },
            diverged=np.concatenate([first.diverged, second.diverged]),
            diverged_at=np.concatenate([first.diverged_at, second.diverged_at]),
            config=config,
            seed=first.seed,
            wall_time=first.wall_time + second.wall_time,
            compile_time=first.compile_time + second.compile_time,
        )

    @property
    def averages(self) -> tuple[str, ...]:
        """Labels of the recorded averages."""
        return tuple(self.avg_gap)

    def _series(self, quantity: str, average: str | None) -> np.ndarray:
        if average is None:
            return self.gap if quantity == "gap" else self.dist2
        table = self.avg_gap if quantity == "gap" else self.avg_dist2
        if average not in table:
            raise UnknownNameError(
                f"average: no average {average!r} in this trace; recorded: "
                f"{', '.join(table) or '(none)'}"
            )
        return table[average]

    def mean_gap(self, average: str | None = None) -> np.ndarray:
        """Mean over replicates of the gap at each checkpoint (J,) (NaN once any diverged)."""
        return self._series("gap", average).mean(axis=0)

    def sem_gap(self, average: str | None = None) -> np.ndarray:
        """Standard error of :meth:`mean_gap`: sample std (ddof=1) / sqrt(R)."""
        return _sem(self._series("gap", average))

    def mean_dist2(self, average: str | None = None) -> np.ndarray:
        """Mean over replicates of ||w_k - w*||^2 at each checkpoint (J,)."""
        return self._series("dist2", average).mean(axis=0)

    def sem_dist2(self, average: str | None = None) -> np.ndarray:
        """Standard error of :meth:`mean_dist2`."""
        return _sem(self._series("dist2", average))

    @property
    def scenario(self) -> Scenario:
        """The :class:`~empirical.scenario.Scenario` of this run, from its config (built-in
        objective and optimizer, at most one average; ``run(trace.scenario)`` reruns it
        with default checkpoints and start)."""
        cfg = self.config
        optimizer = cfg.get("optimizer", {})
        if not optimizer.get("builtin"):
            raise InputError(
                f"trace: optimizer {optimizer.get('name')!r} is user code; a scenario needs "
                "its spec (path:NAME), which a trace does not record"
            )
        averages = list(cfg.get("averages", []))
        if len(averages) > 1:
            raise InputError(
                f"trace: it records {len(averages)} averages ({', '.join(averages)}); a "
                "scenario verifies one"
            )
        described = cfg.get("objective", {})
        params = ",".join(f"{k}={v}" for k, v in described.get("params", {}).items())
        return Scenario(
            f"{described.get('name')}:{params}" if params else str(described.get("name")),
            optimizer_spec(optimizer),
            str(cfg.get("schedule")),
            steps=int(cfg.get("steps", self.k[-1])),
            replicates=self.replicates,
            seed=self.seed,
            batch_size=int(cfg.get("batch_size", 1)),
            sampling=str(cfg.get("sampling", "shuffle")),
            average=averages[0] if averages else None,
            constants=dict(cfg.get("constants") or {}),
        )

    def summary(self) -> str:
        """A few lines: the run and the mean gaps at the first and last checkpoints."""
        cfg = self.config
        lines = [
            f"Trace: {cfg.get('objective', {}).get('name', '?')} x {cfg.get('optimizer', '?')}"
            f" x {cfg.get('schedule', '?')}, R={self.replicates}, K={int(self.k[-1])},"
            f" seed={self.seed}, kernel={cfg.get('kernel', '?')}",
            f"  diverged: {int(self.diverged.sum())} of {self.replicates}",
            f"  wall time {self.wall_time:.3g} s (compile {self.compile_time:.3g} s)",
        ]
        for label in (None, *self.averages):
            mean = self.mean_gap(label)
            lines.append(
                f"  mean gap [{label or 'last'}]: k={int(self.k[0])}: {mean[0]:.4g}, "
                f"k={int(self.k[-1])}: {mean[-1]:.4g}"
            )
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict of every field (arrays as nested lists, NaN as None)."""
        return {
            "format": TRACE_FORMAT,
            "k": self.k.tolist(),
            "gap": _jsonable(self.gap),
            "dist2": _jsonable(self.dist2),
            "avg_gap": {key: _jsonable(val) for key, val in self.avg_gap.items()},
            "avg_dist2": {key: _jsonable(val) for key, val in self.avg_dist2.items()},
            "diverged": self.diverged.tolist(),
            "diverged_at": self.diverged_at.tolist(),
            "config": dict(self.config),
            "seed": self.seed,
            "wall_time": self.wall_time,
            "compile_time": self.compile_time,
        }

    def save(self, path: str | Path) -> None:
        """Write the trace to ``path`` (.npz; the config and labels as JSON inside)."""
        labels = list(self.avg_gap)
        meta = {
            "format": TRACE_FORMAT,
            "config": self.config,
            "averages": labels,
            "seed": self.seed,
            "wall_time": self.wall_time,
            "compile_time": self.compile_time,
        }
        arrays = {
            "k": self.k,
            "gap": self.gap,
            "dist2": self.dist2,
            "diverged": self.diverged,
            "diverged_at": self.diverged_at,
        }
        for i, label in enumerate(labels):
            arrays[f"avg_gap_{i}"] = self.avg_gap[label]
            arrays[f"avg_dist2_{i}"] = self.avg_dist2[label]
        with open(path, "wb") as handle:
            np.savez(handle, meta=np.array(json.dumps(meta, allow_nan=True)), **arrays)


def load_trace(path: str | Path) -> Trace:
    """Read a trace written by :meth:`Trace.save`."""
    try:
        with np.load(path, allow_pickle=False) as data:
            arrays = {key: data[key] for key in data.files}
    except (OSError, ValueError) as err:
        raise InputError(f"trace file {str(path)!r}: cannot read it ({err})") from None
    try:
        meta = json.loads(str(arrays["meta"]))
        if meta.get("format") != TRACE_FORMAT:
            raise ValueError(f"format {meta.get('format')!r}, expected {TRACE_FORMAT!r}")
        labels = meta["averages"]
        return Trace(
            k=arrays["k"],
            gap=arrays["gap"],
            dist2=arrays["dist2"],
            avg_gap={label: arrays[f"avg_gap_{i}"] for i, label in enumerate(labels)},
            avg_dist2={label: arrays[f"avg_dist2_{i}"] for i, label in enumerate(labels)},
            diverged=arrays["diverged"],
            diverged_at=arrays["diverged_at"],
            config=meta["config"],
            seed=meta["seed"],
            wall_time=meta["wall_time"],
            compile_time=meta["compile_time"],
        )
    except (KeyError, ValueError) as err:
        raise InputError(f"trace file {str(path)!r}: not a ratecheck trace ({err})") from None


def _sem(values: np.ndarray) -> np.ndarray:
    R = values.shape[0]
    if R < 2:
        return np.full(values.shape[1], np.nan)
    return values.std(axis=0, ddof=1) / np.sqrt(R)


def _jsonable(values: np.ndarray) -> list:
    return np.where(np.isfinite(values), values, None).tolist()
