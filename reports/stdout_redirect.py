"""Keep stdout for the document: what other code prints meanwhile goes to stderr.

``ratecheck verify --format json`` promises that stdout holds exactly one JSON document,
but it imports and runs a user's optimizer, which may print. :func:`stdout_to_stderr`
sends to stderr, while the computation runs, both Python's ``print`` (``sys.stdout``; all
that ``contextlib.redirect_stdout`` would catch) and writes to file descriptor 1 itself:
C extensions, numba's ``print``, ``os.write(1, ...)``, child processes. C's own stdio
buffers are flushed before descriptor 1 is restored, so that their text lands on stderr
too rather than at exit on stdout.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator

__all__ = ["stdout_to_stderr"]


def _flush_c_stdio() -> None:
    """``fflush(NULL)``: write out what C code has buffered for any stream."""
    with contextlib.suppress(OSError, TypeError, AttributeError):  # no C library (Windows)
        ctypes.CDLL(None).fflush(None)


def _flush(*streams: object) -> None:
    for stream in streams:
        with contextlib.suppress(AttributeError, OSError, ValueError):  # None, or closed
            stream.flush()  # type: ignore[attr-defined]


@contextlib.contextmanager
def stdout_to_stderr() -> Iterator[None]:
    """While the block runs, everything written to stdout goes to stderr (module docstring)."""
    _flush(sys.stdout, sys.__stdout__)
    saved = None
    with contextlib.suppress(OSError):  # no descriptor 1 or 2 (an embedding host): print only
        saved = os.dup(1)
        os.dup2(2, 1)
    try:
        with contextlib.redirect_stdout(sys.stderr):
            yield
    finally:
        _flush(sys.stdout, sys.__stdout__, sys.stderr)
        _flush_c_stdio()
        if saved is not None:
            os.dup2(saved, 1)
            os.close(saved)
