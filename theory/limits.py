"""The limits that bound what one input may cost, each checked before the work it bounds.

Every limit has a name, a default chosen from a measurement on a 2-core machine (stated
with it) and an environment variable ``RATECHECK_<NAME>`` that raises (or lowers) it,
read at each check so that a report's worker processes see the same value. A refusal
is a :class:`LimitError` (an :class:`~theory.errors.InputError`, exit code 2 on the
command line) in the vocabulary of :mod:`theory.validation`::

    scenario: steps = 1000000000000000 is not allowed; expected steps x replicates <= 1e+10
    replicate-steps (here 3e+16) (limit MAX_REPLICATE_STEPS = 1e+10; raise it with the
    environment variable RATECHECK_MAX_REPLICATE_STEPS)

This module is the bottom layer's: it imports nothing from ``empirical`` or ``reports``.
"""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from theory import validation
from theory.errors import InputError

__all__ = [
    "MAX_DATA_ARRAY_BYTES",
    "MAX_DATA_FILE_BYTES",
    "MAX_DENSE_DIMENSION",
    "MAX_DESIGN_ELEMENTS",
    "MAX_DIMENSION",
    "MAX_FORMULA_DEPTH",
    "MAX_FORMULA_LENGTH",
    "MAX_FORMULA_NODES",
    "MAX_REPLICATE_STEPS",
    "MAX_RUN_BYTES",
    "MAX_SUITE_BYTES",
    "MAX_SUITE_CHECKS",
    "MAX_TOML_DEPTH",
    "ROBBINS_MONRO_SECONDS",
    "Limit",
    "LimitError",
    "within",
]

T = TypeVar("T")


class LimitError(InputError):
    """An input whose cost is above one of the limits."""


@dataclass(frozen=True)
class Limit:
    """A named bound on a cost; ``value()`` is the default or ``RATECHECK_<name>``."""

    name: str
    default: float
    unit: str

    @property
    def variable(self) -> str:
        """The environment variable that sets this limit."""
        return f"RATECHECK_{self.name}"

    def value(self) -> float:
        """The limit in force: the environment variable's number if set, else the default."""
        text = os.environ.get(self.variable)
        if text is None or not text.strip():
            return self.default
        try:
            number = float(text)
        except ValueError:
            number = float("nan")
        if not number > 0 or number == float("inf"):
            raise validation.not_allowed(
                "environment", self.variable, text, f"a number > 0 ({self.unit})"
            )
        return number

    def rule(self) -> str:
        """``(limit NAME = value; raise it with the environment variable RATECHECK_NAME)``."""
        return (
            f"(limit {self.name} = {_number(self.value())}; raise it with the environment "
            f"variable {self.variable})"
        )

    def check(self, amount: float, where: str, name: str, given: object, what: str) -> None:
        """Raise :class:`LimitError` for ``name = given`` of ``where`` if ``amount`` (the
        cost ``what`` measures) is above the limit."""
        bound = self.value()
        if amount > bound:
            here = _number(amount) if abs(amount) < 1e6 else f"{amount:.3g}"
            expected = f"{what} <= {_number(bound)} {self.unit} (here {here}) "
            raise validation.not_allowed(where, name, given, expected + self.rule(), LimitError)


class _Expired(BaseException):
    """The timer of :func:`within` went off (not an Exception, so that no ``except
    Exception`` inside the timed work can swallow it)."""


def within(limit: Limit, task: str, work: Callable[[], T]) -> T:
    """``work()``, stopped with :class:`LimitError` ("could not <task> within N s") once
    it has run for ``limit.value()`` seconds of wall-clock time.

    The timer is SIGALRM (``setitimer``): it interrupts pure-Python work between two
    bytecodes, starts no thread or process and leaves nothing running afterwards. Signals
    reach only the main thread, so elsewhere (or when a timer is already set, whose owner
    keeps it) ``work`` runs without this limit.
    """
    seconds = limit.value()
    main = threading.current_thread() is threading.main_thread()
    if not main or signal.getitimer(signal.ITIMER_REAL)[0] > 0:
        return work()
    active = [True]

    def expire(signum: int, frame: object) -> None:
        if active[0]:
            raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        return work()
    except _Expired:
        raise LimitError(f"could not {task} within {_number(seconds)} s {limit.rule()}") from None
    finally:
        active[0] = False
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _number(x: float) -> str:
    """A limit or a cost as a message shows it: an integer below 1e6 or one that ``%.3g``
    would round as itself, else ``%.3g`` (``10000``, ``1048576``, ``1e+10``, ``0.5``)."""
    short = f"{x:.3g}"
    integral = float(x).is_integer()
    if integral and (abs(x) < 1e6 or float(short) != x):
        return f"{int(x)}"
    return short


MAX_REPLICATE_STEPS = Limit("MAX_REPLICATE_STEPS", 1e10, "replicate-steps")
"""Updates of one run summed over its replicates (steps x replicates). The fastest path
measured, the compiled kernel on ``quadratic`` with SGD, makes 2.9e7 replicate-steps/s,
so 1e10 is about 6 minutes there, 21 minutes for ``ridge`` (7.9e6/s) and hours on the
numpy path (7e5 to 1.8e6/s); the default run is 3e6."""
MAX_RUN_BYTES = Limit("MAX_RUN_BYTES", 4 * 2**30, "bytes")
"""Estimated memory of the arrays one run allocates (4 GiB, a sixth of this machine's
23 GiB, so that two report workers and the rest of the machine fit beside it)."""
MAX_DIMENSION = Limit("MAX_DIMENSION", 1e6, "coordinates")
"""The dimension d of an objective (``quadratic:d=1000000`` builds in 0.1 s; a run's
arrays are then bounded by MAX_RUN_BYTES)."""
MAX_DENSE_DIMENSION = Limit("MAX_DENSE_DIMENSION", 2000, "coordinates")
"""The dimension d of a linear-model objective (ridge, logistic, ...), which builds and
factors a d x d matrix: ``ridge:n=4000,d=2000`` builds in 24 s."""
MAX_DESIGN_ELEMENTS = Limit("MAX_DESIGN_ELEMENTS", 1e7, "entries")
"""Entries n x d of a synthetic design (``ridge:n=1000000,d=10`` builds in 1.7 s, 80 MB)."""
MAX_DATA_FILE_BYTES = Limit("MAX_DATA_FILE_BYTES", 2**30, "bytes")
"""Size of a data file (``data=PATH``, ``.csv`` or ``.npz``) on disk (1 GiB)."""
MAX_DATA_ARRAY_BYTES = Limit("MAX_DATA_ARRAY_BYTES", 2**30, "bytes")
"""Size of each array a data file holds, decompressed and as float64 (1 GiB): checked
from the zip and ``.npy`` headers before anything is decompressed or allocated."""
MAX_SUITE_CHECKS = Limit("MAX_SUITE_CHECKS", 10_000, "checks")
"""Checks of a suite, grids expanded (counted before expanding them); validating one
takes 0.9 ms (1000 grid points in 0.9 s), so 10000 take about 10 s."""
MAX_SUITE_BYTES = Limit("MAX_SUITE_BYTES", 2**20, "bytes")
"""Size of a suite file (1 MiB; ``examples/suite.toml`` is 2 kB)."""
MAX_TOML_DEPTH = Limit("MAX_TOML_DEPTH", 50, "levels")
"""Nesting of a suite's TOML (brackets, braces and dotted keys): Python's reader raises
RecursionError at 332 nested inline tables (498 arrays), takes 2.4 s for a 10000-part
dotted key and runs out of memory at 100000; ``examples/suite.toml`` has 3 levels."""
MAX_FORMULA_LENGTH = Limit("MAX_FORMULA_LENGTH", 500, "characters")
"""Length of a formula (a schedule, an expected rate)."""
MAX_FORMULA_NODES = Limit("MAX_FORMULA_NODES", 200, "nodes")
"""Pieces (numbers, names, operations, calls) of a formula; the largest bound in the
theorem catalog has 66."""
MAX_FORMULA_DEPTH = Limit("MAX_FORMULA_DEPTH", 50, "levels")
"""Nesting of the operations of a formula."""
ROBBINS_MONRO_SECONDS = Limit("ROBBINS_MONRO_SECONDS", 30, "seconds")
"""Wall-clock time of one Robbins-Monro decision; the slowest in the tests takes 2.2 s."""
