"""How a run stops: a signal interrupts it; code that tries to end the process does not.

* Within :func:`stop_on_signals`, SIGINT (Ctrl-C) and SIGTERM raise :class:`Interrupted`,
  a :class:`KeyboardInterrupt` that carries the signal, so that ``finally`` blocks run
  (worker processes are stopped) and the command line can exit with 128 + the signal's
  number (130, 143) and one line. A handler the host program installed itself is left
  alone, and so is an ignored signal (``nohup``, a background job).
* :data:`USER_EXITS` are what a check's own code may raise to leave: ``sys.exit(...)``
  and a ``KeyboardInterrupt`` it raises itself. Inside a check they are that check's
  error, never the run's end; an :class:`Interrupted` is the user's, and stops the run.
"""

from __future__ import annotations

import contextlib
import signal
import threading
from collections.abc import Iterator
from types import FrameType

__all__ = ["SIGNALS", "USER_EXITS", "Interrupted", "exception_text", "stop_on_signals"]

SIGNALS: tuple[signal.Signals, ...] = (signal.SIGINT, signal.SIGTERM)
"""The signals that interrupt a run."""
USER_EXITS: tuple[type[BaseException], ...] = (SystemExit, KeyboardInterrupt)
"""What code may raise to end the process; inside a check, an error of that check (but
not :class:`Interrupted`)."""


class Interrupted(KeyboardInterrupt):
    """The process received ``signum`` (SIGINT or SIGTERM): the run stops. ``detail``
    says what was (not) written, for the one line the command line prints."""

    def __init__(self, signum: int, detail: str = "") -> None:
        super().__init__(signal.Signals(signum).name)
        self.signum = int(signum)
        self.detail = detail

    @property
    def name(self) -> str:
        """``SIGINT`` or ``SIGTERM``."""
        return signal.Signals(self.signum).name


def _raise(signum: int, frame: FrameType | None) -> None:
    raise Interrupted(signum)


def _ours_to_replace(signum: int, handler: object) -> bool:
    """Whether the handler in place is Python's default (or already :func:`_raise`)."""
    default = signal.default_int_handler if signum == signal.SIGINT else signal.SIG_DFL
    return handler == default or handler is _raise


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within: SIGINT and SIGTERM raise :class:`Interrupted`, where their handlers are
    Python's defaults; the previous handlers come back on the way out. Outside the main
    thread (where no handler can be set) nothing changes."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = {signum: signal.getsignal(signum) for signum in SIGNALS}
    replaced = [signum for signum in SIGNALS if _ours_to_replace(signum, previous[signum])]
    for signum in replaced:
        signal.signal(signum, _raise)
    try:
        yield
    finally:
        for signum in replaced:
            signal.signal(signum, previous[signum])


def exception_text(exc: BaseException) -> str:
    """``Type: message``, saying what ``sys.exit(...)`` or a raised ``KeyboardInterrupt``
    did, since their messages alone say little (``SystemExit: 0``)."""
    if isinstance(exc, SystemExit):
        return f"SystemExit: the code called sys.exit({exc.code!r})"
    if isinstance(exc, KeyboardInterrupt) and not isinstance(exc, Interrupted):
        return "KeyboardInterrupt: raised by the code itself, not by a signal"
    return f"{type(exc).__name__}: {exc}"
