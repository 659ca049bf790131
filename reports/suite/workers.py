"""Run tasks in spawned worker processes, one task at a time per worker, knowing which
task each worker runs.

:func:`run_in_workers` hands each task to an idle worker and reports its outcome through
callbacks. A worker that dies while running a task (killed, out of memory, ``os._exit``)
costs that task only: ``died(task, exitcode)`` is called, a fresh worker takes its place
and the other workers run on. (A :class:`concurrent.futures.ProcessPoolExecutor` breaks
as a whole instead, failing every pending task, and cannot say which one killed it.)

Workers ignore SIGINT: a Ctrl-C reaches the whole process group, and it is the parent's to
act on. No worker outlives the call running: when it ends by an exception (an
:class:`~reports.suite.stopping.Interrupted` included) every worker is terminated, then
killed if it has not ended within :data:`GRACE` seconds; at the normal end each is told to
exit and not waited for, so that its interpreter's teardown overlaps the caller's next
step (the interpreter joins it at exit).
"""

from __future__ import annotations

import contextlib
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from typing import Any, TypeVar

__all__ = ["GRACE", "run_in_workers"]

T = TypeVar("T")
R = TypeVar("R")

GRACE = 2.0
"""Seconds a terminated worker has to end before it is killed."""
_STOP = None
"""The message that tells a worker to exit."""


def _serve(
    conn: Connection, function: Callable[[Any], Any], initializer: Callable[[], None]
) -> None:
    """A worker: receive a task, send back ``("done", function(task))``, or ``("failed",
    exception)`` when it raised or its result cannot be sent; until told to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    initializer()
    while True:
        try:
            task = conn.recv()
        except EOFError:  # the parent is gone
            return
        if task is _STOP:
            return
        try:
            reply: tuple[str, Any] = ("done", function(task))
        except Exception as exc:
            reply = ("failed", exc)
        try:
            conn.send(reply)
        except Exception as exc:  # the result (or the exception) does not pickle
            conn.send(("failed", RuntimeError(f"its result could not be sent back: {exc}")))


@contextlib.contextmanager
def _sigint_blocked() -> Iterator[None]:
    """SIGINT blocked in this thread while a worker starts: the worker inherits the
    blocked signal across exec, so a Ctrl-C during its imports leaves no traceback there,
    and this process receives it (through another thread, or when it is unblocked)."""
    previous = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    task: Any = None
    busy: bool = False


def _start(function: Callable[[Any], Any], initializer: Callable[[], None]) -> _Worker:
    context = multiprocessing.get_context("spawn")
    conn, child = context.Pipe()
    process = context.Process(target=_serve, args=(child, function, initializer))
    with _sigint_blocked():
        process.start()
    child.close()
    return _Worker(process, conn)


def _stop(worker: _Worker) -> None:
    with contextlib.suppress(OSError):
        worker.conn.send(_STOP)
    worker.conn.close()


def _terminate(workers: Sequence[_Worker]) -> None:
    """SIGTERM to every worker, then SIGKILL to those still running after :data:`GRACE`."""
    for worker in workers:
        with contextlib.suppress(OSError, ValueError):
            worker.process.terminate()
    for worker in workers:
        worker.process.join(GRACE)
        if worker.process.exitcode is None:
            worker.process.kill()
            worker.process.join()
        worker.conn.close()


def _nothing() -> None:
    """The default initializer."""


def run_in_workers(
    function: Callable[[T], R],
    tasks: Sequence[T],
    workers: int,
    *,
    started: Callable[[T], None],
    finished: Callable[[T, R], None],
    failed: Callable[[T, BaseException], None],
    died: Callable[[T, int | None], None],
    initializer: Callable[[], None] = _nothing,
) -> None:
    """Run ``function(task)`` for every task in up to ``workers`` spawned processes.

    ``function`` and ``initializer`` are sent to the workers by module and name (so must be
    importable there); ``initializer()`` runs once in each worker. For each task:
    ``started(task)`` when a worker takes it, then one of ``finished(task, result)``;
    ``failed(task, exc)`` when ``function`` raised, or the task or its result could not be
    sent between the processes; ``died(task, exitcode)`` when the worker running it ended
    (``exitcode`` < 0: killed by that signal). Callbacks run in the calling thread.
    """
    queue: deque[T] = deque(tasks)
    pool = [_start(function, initializer) for _ in range(min(workers, len(queue)))]
    try:
        while True:
            for i, worker in enumerate(pool):
                while not worker.busy and queue:
                    worker = pool[i] = _hand(worker, queue, function, initializer, started, failed)
            busy = [worker for worker in pool if worker.busy]
            if not busy:
                break
            ready = set(wait([w.conn for w in busy] + [w.process.sentinel for w in busy]))
            for worker in busy:
                if worker.conn in ready or worker.process.sentinel in ready:
                    _collect(worker, finished, failed, died)
            pool = _replace_dead(pool, bool(queue), function, initializer)
    except BaseException:
        _terminate(pool)
        raise
    for worker in pool:
        _stop(worker)


def _replace_dead(
    pool: list[_Worker],
    needed: bool,
    function: Callable[[Any], Any],
    initializer: Callable[[], None],
) -> list[_Worker]:
    """``pool`` with each worker that has ended replaced by a fresh one if more are
    ``needed`` (tasks are waiting), else left out."""
    alive = []
    for worker in pool:
        if worker.process.is_alive():
            alive.append(worker)
        else:
            worker.conn.close()
            if needed:
                alive.append(_start(function, initializer))
    return alive


def _hand(
    worker: _Worker,
    queue: deque[T],
    function: Callable[[Any], Any],
    initializer: Callable[[], None],
    started: Callable[[T], None],
    failed: Callable[[T, BaseException], None],
) -> _Worker:
    """Give ``worker`` the next task of ``queue``; the worker that has it (a fresh one if
    ``worker`` turned out to have died while idle)."""
    task = queue.popleft()
    try:
        worker.conn.send(task)
    except OSError:  # the pipe is broken: the idle worker died; the task goes to a new one
        worker.conn.close()
        queue.appendleft(task)
        return _start(function, initializer)
    except Exception as exc:  # the task does not pickle
        failed(task, exc)
        return worker
    worker.task, worker.busy = task, True
    started(task)
    return worker


def _collect(
    worker: _Worker,
    finished: Callable[[T, R], None],
    failed: Callable[[T, BaseException], None],
    died: Callable[[T, int | None], None],
) -> None:
    """The outcome of the task of ``worker``, whose pipe or process sentinel is ready."""
    task = worker.task
    try:
        if worker.conn.poll():
            kind, value = worker.conn.recv()
            worker.task, worker.busy = None, False
            (finished if kind == "done" else failed)(task, value)
            return
    except (EOFError, OSError):  # the pipe closed without a reply: the worker died
        pass
    except Exception as exc:  # a reply that does not unpickle here
        worker.task, worker.busy = None, False
        failed(task, exc)
        return
    worker.process.join()
    worker.task, worker.busy = None, False
    died(task, worker.process.exitcode)
