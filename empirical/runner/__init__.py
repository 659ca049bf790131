"""The multi-replicate runner: :func:`run` advances R replicates at once and records a
:class:`Trace` (loop: blocks and checkpoints; stepping: the compiled and numpy steppers;
kernels: the fused numba kernels; sampling: per-replicate streams; progress: the bar)."""

from empirical.runner.loop import run
from empirical.runner.trace import Trace, geometric_checkpoints, load_trace

__all__ = ["Trace", "geometric_checkpoints", "load_trace", "run"]
