"""Progress of a suite on stderr: which checks run, how many are done, the time elapsed.

One line per finished check (``[ 3/14] as-expected  check-id  4.2 s``) and a status line
below them (``running check-id | 3/14 done | 12.3 s elapsed``), redrawn every ``interval``
seconds.
Shown only when enabled: by default, when the stream is a terminal.
"""

from __future__ import annotations

import sys
import threading
import time
from typing import TextIO

_CLEAR = "\r\x1b[K"


class SuiteProgress:
    """Progress of ``total`` checks; call :meth:`started`, :meth:`finished`, :meth:`close`."""

    def __init__(
        self,
        total: int,
        enabled: bool | None = None,
        stream: TextIO | None = None,
        interval: float = 0.5,
    ) -> None:
        self.stream = sys.stderr if stream is None else stream
        self.enabled = _isatty(self.stream) if enabled is None else bool(enabled)
        self.total = total
        self.done = 0
        self.running: list[str] = []
        self._start = time.perf_counter()
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None
        if self.enabled and interval > 0:
            self._ticker = threading.Thread(target=self._tick, args=(interval,), daemon=True)
            self._ticker.start()

    def _tick(self, interval: float) -> None:
        while not self._stop.wait(interval):
            with self._lock:
                self._draw()

    def _status(self) -> str:
        elapsed = time.perf_counter() - self._start
        running = ", ".join(self.running[:3]) + (" ..." if len(self.running) > 3 else "")
        head = f"running {running} | " if running else ""
        return f"{head}{self.done}/{self.total} done | {elapsed:.1f} s elapsed"

    def _draw(self) -> None:
        self.stream.write(_CLEAR + self._status())
        self.stream.flush()

    def started(self, check_id: str) -> None:
        """A check has started."""
        if not self.enabled:
            return
        with self._lock:
            self.running.append(check_id)
            self._draw()

    def finished(self, check_id: str, status: str, seconds: float, cached: bool = False) -> None:
        """A check has finished with ``status`` after ``seconds`` (or came from the cache)."""
        if not self.enabled:
            return
        with self._lock:
            if check_id in self.running:
                self.running.remove(check_id)
            self.done += 1
            width = len(str(self.total))
            when = "cached" if cached else f"{seconds:.1f} s"
            line = f"[{self.done:>{width}}/{self.total}] {status:<12} {check_id}  {when}"
            self.stream.write(_CLEAR + line + "\n")
            self._draw()

    def close(self) -> None:
        """Stop redrawing and end the status line."""
        self._stop.set()
        if self._ticker is not None:
            self._ticker.join()
        if self.enabled:
            with self._lock:
                self.stream.write(_CLEAR + self._status() + "\n")
                self.stream.flush()


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
