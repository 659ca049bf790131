"""Run a suite of checks: serially or in a process pool, with a result cache and progress.

``run_suite(specs)`` runs every :class:`CheckSpec` and returns one :class:`CheckResult`
per spec, in the order given:

* a ``verify`` check is one call ``empirical.verify(spec.scenario(quick))``,
  turned into a result by :func:`reports.suite.verification.verification_check`;
* a ``custom`` check calls ``spec.function(spec, params, progress=False)``.

An exception inside one check becomes a result with status ``error`` (verdict
``inconclusive``, label ``error``) whose reason names the exception; the other checks
run on. So does ``sys.exit(...)`` or a ``KeyboardInterrupt`` raised by the check's own
code (:data:`reports.suite.stopping.USER_EXITS`), and, with ``jobs`` > 1, the death of the
worker process running the check (killed, out of memory, ``os._exit``): the reason gives
its exit code or signal, and the other workers run on. With ``jobs=1`` a check runs in this
process, so one that ends the process ends the run. A SIGINT or SIGTERM stops the run
(:func:`reports.suite.stopping.stop_on_signals`): :class:`~reports.suite.stopping.Interrupted`
propagates and no worker is left running.

Every check is seeded by its own parameters, so ``jobs=N`` gives the results of a
serial run: the pool only changes where a check runs. Workers are started with ``spawn``
(no fork of a process whose numba threads are running) and use one numba thread each; a
spec reaches a worker pickled, its function by module and qualified name, so the worker
imports the function's module to receive it (:mod:`reports.suite.workers`).
Writing the report is the caller's: :func:`reports.render.write_report`.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import signal
import time
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path

from empirical.runner.loop import run
from empirical.verification.verify import verify
from reports.progress import SuiteProgress
from reports.suite.cache import result_cache
from reports.suite.model import CheckResult, CheckSpec, check_name
from reports.suite.stopping import USER_EXITS, Interrupted, exception_text, stop_on_signals
from reports.suite.verification import verification_check
from reports.suite.workers import run_in_workers
from theory import validation
from theory.catalog import get_theorem
from theory.errors import RatecheckError

__all__ = ["death_result", "default_jobs", "error_result", "run_check", "run_suite"]


def default_jobs() -> int:
    """The number of worker processes by default: every core."""
    return os.cpu_count() or 1


# ---------------------------------------------------------------- one check


def _error(spec: CheckSpec, reason: str, wall_time: float = 0.0) -> CheckResult:
    return CheckResult(
        spec=spec,
        verdict="inconclusive",
        label="error",
        status="error",
        reason=f"The check could not run. {reason}",
        wall_time=wall_time,
    )


def error_result(spec: CheckSpec, exc: BaseException, wall_time: float = 0.0) -> CheckResult:
    """The result of a check that raised ``exc``: status ``error`` and the message.

    For an exception that is not a ratecheck input error (a bug), the reason also names
    the innermost frame where it was raised.
    """
    reason = exception_text(exc)
    if not isinstance(exc, RatecheckError):
        frames = traceback.extract_tb(exc.__traceback__)
        if frames:
            last = frames[-1]
            reason += f" (raised in {Path(last.filename).name}:{last.lineno}, {last.name})"
    return _error(spec, reason, wall_time)


def death_result(spec: CheckSpec, exitcode: int | None) -> CheckResult:
    """The result of a check whose worker process died running it, with ``exitcode``
    (negative: the number of the signal that killed it)."""
    if exitcode is not None and exitcode < 0:
        name = signal.Signals(-exitcode).name if -exitcode in signal.valid_signals() else "?"
        how = f"exit code {exitcode} / signal {name}: killed, e.g. by the out-of-memory killer"
    else:
        how = f"exit code {exitcode}: the check's code ended the process, e.g. with os._exit"
    return _error(spec, f"The worker process running it died ({how}); the other checks ran on.")


def run_check(spec: CheckSpec, quick: bool = False) -> CheckResult:
    """Run one check; an exception, ``sys.exit(...)`` or a ``KeyboardInterrupt`` it raises
    becomes an ``error`` result (an :class:`Interrupted` propagates). ``wall_time`` is
    measured."""
    start = time.perf_counter()
    where = f"check {spec.id!r}"
    try:
        params = spec.effective_params(quick)
        if spec.kind == "verify":
            result = verification_check(spec, verify(spec.scenario(quick)))
        elif spec.kind == "custom":
            if not callable(spec.function):
                expected = "a callable: a custom check needs a function"
                raise validation.not_allowed(where, "function", spec.function, expected)
            result = spec.function(spec, params, progress=False)
            if not isinstance(result, CheckResult):
                raise TypeError(
                    f"custom check {check_name(spec.function)!r} returned "
                    f"{type(result).__name__}, not a CheckResult"
                )
            if result.spec != spec:
                result = dataclasses.replace(result, spec=spec)
        else:
            raise validation.not_allowed(where, "kind", spec.kind, "verify or custom")
    except Interrupted:  # the user's Ctrl-C or a SIGTERM: the run stops
        raise
    except (Exception, *USER_EXITS) as exc:
        return error_result(spec, exc, time.perf_counter() - start)
    return dataclasses.replace(result, wall_time=time.perf_counter() - start)


# ---------------------------------------------------------------- the suite


def _check_specs(specs: Sequence[CheckSpec]) -> list[CheckSpec]:
    specs = list(specs)
    seen: set[str] = set()
    for i, spec in enumerate(specs):
        if not isinstance(spec, CheckSpec):
            raise validation.not_allowed("run_suite", f"specs[{i}]", spec, "a CheckSpec")
        if spec.id in seen:
            expected = "an id that no other check uses"
            raise validation.not_allowed("run_suite", f"specs[{i}].id", spec.id, expected)
        seen.add(spec.id)
        if spec.theorem is not None:
            get_theorem(spec.theorem)
    return specs


def _check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    return validation.integer("run_suite", "jobs", jobs, minimum=1)


def _init_worker() -> None:
    """Worker start-up: one numba thread (the pool is the parallelism)."""
    import numba

    numba.set_num_threads(1)


def _run_serial(
    specs: Sequence[CheckSpec],
    quick: bool,
    done: Callable[[CheckSpec, CheckResult], None],
    progress: SuiteProgress,
) -> None:
    for spec in specs:
        progress.started(spec.id)
        done(spec, run_check(spec, quick))


def _compile_kernel_here() -> None:
    """Compile (or load) the runner's kernel once in this process before workers start.

    Each spawned worker would otherwise compile it at the same time (~17 s each on a cold
    numba cache); after this they load it from numba's on-disk cache in well under a second.
    """
    run("quadratic", "sgd", 0.1, steps=2, replicates=1, seed=0, kernel="compiled")


def _run_pool(
    specs: Sequence[CheckSpec],
    quick: bool,
    workers: int,
    done: Callable[[CheckSpec, CheckResult], None],
    progress: SuiteProgress,
) -> None:
    """Run ``specs`` in ``workers`` spawned processes (:func:`run_in_workers`): a check
    whose worker dies gets :func:`death_result`, and the others run on."""
    _compile_kernel_here()
    run_in_workers(
        functools.partial(run_check, quick=quick),
        specs,
        workers,
        started=lambda spec: progress.started(spec.id),
        finished=done,
        failed=lambda spec, exc: done(spec, error_result(spec, exc)),
        died=lambda spec, exitcode: done(spec, death_result(spec, exitcode)),
        initializer=_init_worker,
    )


def run_suite(
    specs: Sequence[CheckSpec],
    *,
    jobs: int | None = None,
    quick: bool = False,
    cache: bool | str | os.PathLike[str] = True,
    progress: bool | None = None,
) -> list[CheckResult]:
    """Run every check of ``specs``; return their results in the same order.

    ``jobs``: worker processes (default: every core; 1 runs in this process). ``quick``
    applies each spec's ``quick`` overrides. ``cache``: True uses the default cache
    directory (:func:`reports.suite.cache.default_cache_dir`), a path uses that directory,
    False runs everything afresh (:func:`reports.suite.cache.result_cache`). ``progress``:
    None shows progress on a terminal only. A SIGINT or SIGTERM raises
    :class:`~reports.suite.stopping.Interrupted` (a ``KeyboardInterrupt``) after stopping
    every worker.
    """
    specs = _check_specs(specs)
    workers = _check_jobs(jobs)
    store = result_cache(cache)
    results: dict[str, CheckResult] = {}
    pending = []
    for spec in specs:  # before the progress display: a warning about an entry is one line
        hit = store.load(spec, quick) if store is not None else None
        if hit is None:
            pending.append(spec)
        else:
            results[spec.id] = hit
    display = SuiteProgress(len(specs), enabled=progress)
    for hit in results.values():
        display.finished(hit.spec.id, hit.status, hit.wall_time, cached=True)

    def done(spec: CheckSpec, result: CheckResult) -> None:
        results[spec.id] = result
        if store is not None:
            store.store(spec, quick, result)
        display.finished(spec.id, result.status, result.wall_time)

    try:
        workers = min(workers, len(pending))
        with stop_on_signals():
            if workers <= 1:
                _run_serial(pending, quick, done, display)
            else:
                _run_pool(pending, quick, workers, done, display)
    finally:
        display.close()
    return [results[spec.id] for spec in specs]
