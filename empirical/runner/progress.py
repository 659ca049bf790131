"""A one-line progress bar on stderr for long runs (no dependency).

It appears only once a run has taken ``delay`` seconds (2 by default) and only when
enabled: by default, when stderr is a terminal. Otherwise it prints nothing.
"""

from __future__ import annotations

import sys
import time
from typing import TextIO

BAR_WIDTH = 30


class Progress:
    """Progress of ``total`` updates; call :meth:`update` with the updates done so far."""

    def __init__(
        self,
        total: int,
        enabled: bool | None = None,
        delay: float = 2.0,
        stream: TextIO | None = None,
        label: str = "ratecheck",
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else bool(enabled)
        self.total = total
        self.delay = delay
        self.label = label
        self._start = time.perf_counter()
        self._shown = False

    def update(self, done: int) -> None:
        """Redraw the bar (if enabled and ``delay`` seconds have passed)."""
        if not self.enabled:
            return
        elapsed = time.perf_counter() - self._start
        if elapsed < self.delay:
            return
        frac = done / self.total if self.total else 1.0
        filled = round(BAR_WIDTH * frac)
        eta = elapsed * (1.0 - frac) / frac if frac > 0 else float("nan")
        bar = "#" * filled + "-" * (BAR_WIDTH - filled)
        self.stream.write(
            f"\r{self.label} [{bar}] {100 * frac:5.1f}% k={done}/{self.total} "
            f"{elapsed:6.1f}s elapsed, ~{eta:6.1f}s left"
        )
        self.stream.flush()
        self._shown = True

    def close(self) -> None:
        """End the line if a bar was drawn."""
        if self._shown:
            self.stream.write("\n")
            self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
