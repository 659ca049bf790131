"""Run a suite of checks: serially or in a process pool, with a result cache and progress.

``run_suite(specs)`` runs every :class:`CheckSpec` and returns one :class:`CheckResult`
per spec, in the order given:

* a ``verify`` check is one call ``empirical.verify(**spec.effective_params(quick))``,
  turned into a result by :func:`verification_check` (figure: the mean over replicates
  with the 10-90% replicate band, the fitted line over its window, the theorem's bound
  with the objective's constants);
* a ``custom`` check calls ``CUSTOM_CHECKS[spec.function](spec, params, progress=False)``.

An exception inside one check becomes a result with status ``error`` (verdict
``inconclusive``, label ``error``) whose reason names the exception; the other checks
run on. Every check is seeded by its own parameters, so ``jobs=N`` gives the results of a
serial run: the pool only changes where a check runs. Workers are started with ``spawn``
(no fork of a process whose numba threads are running) and use one numba thread each.
"""

from __future__ import annotations

import dataclasses
import importlib
import itertools
import multiprocessing
import os
import time
import traceback
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, as_completed
from pathlib import Path
from typing import Any

import numpy as np

from empirical.verification.result import VerificationResult
from empirical.verification.verify import verify
from reports.progress import SuiteProgress
from reports.suite.cache import ResultCache
from reports.suite.model import CUSTOM_CHECKS, CheckResult, CheckSpec, Curve, Panel, status_of
from theory.catalog import get_theorem
from theory.errors import InputError, RatecheckError

__all__ = [
    "BAND",
    "default_jobs",
    "error_result",
    "exit_code",
    "run_check",
    "run_suite",
    "verification_check",
    "verification_curve",
]

BAND = (0.1, 0.9)
"""Replicate quantiles drawn as the band around the mean."""

FIGURE_CACHE = "figures"
"""Subdirectory of the cache directory holding rendered figures by panel content."""
_FAILING = ("unexpected", "error")


def default_jobs() -> int:
    """The number of worker processes by default: every core."""
    return os.cpu_count() or 1


def exit_code(results: Sequence[CheckResult]) -> int:
    """0 when no check failed (as-expected, picture, inconclusive); 1 when one is
    ``unexpected`` or ``error``."""
    return 1 if any(result.status in _FAILING for result in results) else 0


# ---------------------------------------------------------------- one check


def error_result(spec: CheckSpec, exc: BaseException, wall_time: float = 0.0) -> CheckResult:
    """The result of a check that raised ``exc``: status ``error`` and the message.

    For an exception that is not a ratecheck input error (a bug), the reason also names
    the innermost frame where it was raised.
    """
    reason = f"{type(exc).__name__}: {exc}"
    if not isinstance(exc, RatecheckError):
        frames = traceback.extract_tb(exc.__traceback__)
        if frames:
            last = frames[-1]
            reason += f" (raised in {Path(last.filename).name}:{last.lineno}, {last.name})"
    return CheckResult(
        spec=spec,
        verdict="inconclusive",
        label="error",
        status="error",
        reason=f"The check could not run. {reason}",
        wall_time=wall_time,
    )


def run_check(spec: CheckSpec, quick: bool = False) -> CheckResult:
    """Run one check; an exception becomes an ``error`` result. ``wall_time`` is measured."""
    start = time.perf_counter()
    try:
        params = spec.effective_params(quick)
        if spec.kind == "verify":
            result = verification_check(spec, verify(**params, progress=False))
        elif spec.kind == "custom":
            if spec.function not in CUSTOM_CHECKS:
                raise InputError(
                    f"check {spec.id!r}: custom check function {spec.function!r} is not "
                    f"registered; registered: {', '.join(sorted(CUSTOM_CHECKS)) or '(none)'}"
                )
            result = CUSTOM_CHECKS[spec.function](spec, params, progress=False)
            if not isinstance(result, CheckResult):
                raise TypeError(
                    f"custom check {spec.function!r} returned {type(result).__name__}, "
                    "not a CheckResult"
                )
            if result.spec != spec:
                result = dataclasses.replace(result, spec=spec)
        else:
            raise InputError(f"check {spec.id!r}: kind {spec.kind!r}; allowed: verify, custom")
    except Exception as exc:
        return error_result(spec, exc, time.perf_counter() - start)
    return dataclasses.replace(result, wall_time=time.perf_counter() - start)


# ---------------------------------------------------------------- verify -> result


def _iterate_text(result: VerificationResult) -> str:
    average = result.plan.average
    return "last iterate" if average is None else f"{average.to_spec()} average"


def _y_label(result: VerificationResult) -> str:
    point = r"w_k" if result.plan.average is None else r"\bar{w}_k"
    if result.plan.quantity == "dist2":
        return rf"$E\,\|{point} - w^*\|^2$"
    return rf"$E\,[F({point}) - F^*]$"


def _fixed_factor(result: VerificationResult) -> tuple[float, float]:
    """(power, log power) of the known factor h(k) the headline fit divided out."""
    fit, shape = result.fit, result.plan.shape
    if fit is None or not fit.fixed_factor or shape is None:
        return 0.0, 0.0
    return (shape.exponent if shape.linear else 0.0), shape.log_power


def _fit_line(result: VerificationResult) -> dict[str, Any] | None:
    """The headline fit over its window: its rate with the intercept that best matches
    the log of the mean curve there (least squares with the rate held fixed)."""
    fit = result.fit
    if fit is None or fit.model == "plateau":
        return None
    k = np.asarray(result.trace.k, dtype=np.float64)
    mean = result.mean_series()
    inside = (k >= fit.window[0]) & (k <= fit.window[1])
    ks, values = k[inside], mean[inside]
    power, log_power = _fixed_factor(result)
    rate = fit.exponent.value
    with np.errstate(all="ignore"):
        shape = power * np.log(ks)
        if fit.model == "power_log" and fit.log_power is not None:
            log_power = fit.log_power.value
        if log_power:
            shape = shape + log_power * np.log(np.log(ks))
        shape = shape + (rate * ks if fit.model == "linear" else rate * np.log(ks))
        residual = np.log(values) - shape
    usable = np.isfinite(residual)
    if not usable.any():
        return None
    line = np.exp(residual[usable].mean() + shape)
    level = f"{100 * fit.exponent.level:g}%"
    low, high = fit.exponent.interval(fit.exponent.level)
    if fit.model == "linear":
        text = (
            f"fit: rho^k, rho = {np.exp(rate):.4g} ({level} CI {np.exp(low):.4g} to "
            f"{np.exp(high):.4g})"
        )
    else:
        text = f"fit: k^p, p = {rate:.3f} ({level} CI {low:.3f} to {high:.3f})"
    if fit.fixed_factor:
        text += f" x {fit.fixed_factor}"
    return {
        "k": ks[usable].tolist(),
        "value": line[usable].tolist(),
        "label": text + f", k in [{fit.window[0]}, {fit.window[1]}]",
    }


def _bound_line(result: VerificationResult) -> dict[str, Any] | None:
    """The theorem's B(k) with the run's constants, from k = max(1, valid_from)."""
    plan = result.plan
    theorem = plan.expectation.theorem
    if plan.bound is None or theorem is None:
        return None
    k = np.asarray(result.trace.k, dtype=np.float64)
    k = k[k >= max(1, theorem.valid_from)]
    values = plan.bound(k)
    word = {"upper": "bound", "exact": "exact value", "asymptotic": "leading term"}
    constants = ", ".join(f"{name}={value:.4g}" for name, value in sorted(plan.values.items()))
    return {
        "k": k.tolist(),
        "value": np.asarray(values, dtype=np.float64).tolist(),
        "label": f"theory {word.get(plan.bound_kind or '', 'bound')} B(k) of {theorem.id}"
        + (f" ({constants})" if constants else ""),
    }


def verification_curve(result: VerificationResult, label: str | None = None) -> Curve:
    """The figure data of one verification: the mean of the checked quantity over the
    replicates with the :data:`BAND` quantiles, the fitted line and the theory's B(k)."""
    series = np.asarray(result.series, dtype=np.float64)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        low, high = np.nanquantile(series, BAND, axis=0)
    replicates = series.shape[0]
    return Curve(
        label=label or f"mean of R={replicates} runs ({_iterate_text(result)})",
        k=np.asarray(result.trace.k, dtype=np.float64).tolist(),
        mean=result.mean_series().tolist(),
        low=low.tolist(),
        high=high.tolist(),
        band=f"{100 * BAND[0]:g}-{100 * BAND[1]:g}% of replicates",
        fit=_fit_line(result),
        bound=_bound_line(result),
        style="semilogy" if result.plan.linear else "loglog",
        y_label=_y_label(result),
    )


def _expected_rate(expected: dict[str, Any]) -> str:
    rate, mode = expected.get("rate"), expected.get("mode")
    if mode == "linear":
        return "linear (rho^k, rho < 1)"
    if rate is None:
        return "the bound's values (a floor, no rate)"
    if mode == "match":
        return f"{rate} (attained)"
    return f"O({rate})"


def _metrics(result: VerificationResult) -> dict[str, Any]:
    trace, fit = result.trace, result.fit
    mean = result.mean_series()
    metrics: dict[str, Any] = {
        "replicates": trace.replicates,
        "steps": int(trace.k[-1]),
        "diverged replicates": int(np.sum(trace.diverged)),
        f"mean at k={int(trace.k[-1])}": float(mean[-1]),
    }
    if fit is not None:
        metrics["fit model"] = fit.model
        metrics["fit window"] = f"[{fit.window[0]}, {fit.window[1]}]"
        metrics["fit decades"] = round(fit.decades, 3)
    if result.plan.bound is not None:
        bound = float(result.plan.bound(np.asarray(trace.k[-1:], dtype=np.float64))[0])
        metrics[f"B(k) at k={int(trace.k[-1])}"] = bound
    return metrics


def verification_check(
    spec: CheckSpec, result: VerificationResult, *, wall_time: float = 0.0
) -> CheckResult:
    """The :class:`CheckResult` of a check decided by one verification ``result``."""
    verdict = result.to_dict()
    exponent = verdict["exponent"]
    fit = result.fit
    cfg = result.config
    title = (
        f"{cfg['objective']}, {cfg['optimizer']}, eta_k = {cfg['schedule']}, "
        f"b = {cfg['batch_size']}"
    )
    return CheckResult(
        spec=spec,
        verdict=result.outcome,  # type: ignore[arg-type]
        label=result.label,
        status=status_of(spec, result.outcome, result.label),
        reason=result.reason,
        verdicts=(verdict,),
        panels=(Panel(title=title, curves=(verification_curve(result),)),),
        metrics=_metrics(result),
        expected_rate=_expected_rate(verdict["expected"]),
        exponent=None
        if exponent["estimate"] is None
        else {
            **exponent,
            "level": fit.exponent.level if fit is not None else None,
        },
        wall_time=wall_time,
    )


# ---------------------------------------------------------------- the suite


def _check_specs(specs: Sequence[CheckSpec]) -> list[CheckSpec]:
    specs = list(specs)
    seen: set[str] = set()
    for spec in specs:
        if not isinstance(spec, CheckSpec):
            raise InputError(f"suite: expected CheckSpec entries, got {type(spec).__name__}")
        if spec.id in seen:
            raise InputError(f"suite: check id {spec.id!r} appears twice; ids must be unique")
        seen.add(spec.id)
        if spec.theorem is not None:
            get_theorem(spec.theorem)
    return specs


def _check_jobs(jobs: int | None) -> int:
    if jobs is None:
        return default_jobs()
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise InputError(f"jobs: expected an integer >= 1, got {jobs!r}")
    return jobs


def _cache(cache: bool | str | os.PathLike[str]) -> ResultCache | None:
    if cache is False:
        return None
    return ResultCache(None if cache is True else cache)


def _init_worker(modules: tuple[str, ...]) -> None:
    """Worker start-up: one numba thread (the pool is the parallelism), and the modules
    that register the suite's custom checks."""
    import numba

    numba.set_num_threads(1)
    for module in modules:
        importlib.import_module(module)


def _custom_modules(specs: Sequence[CheckSpec]) -> tuple[str, ...]:
    modules = {
        CUSTOM_CHECKS[spec.function].__module__
        for spec in specs
        if spec.kind == "custom" and spec.function in CUSTOM_CHECKS
    }
    return tuple(sorted(modules))


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
    from empirical.runner.loop import run

    run("quadratic", "sgd", 0.1, steps=2, replicates=1, seed=0, kernel="compiled")


def _run_pool(
    specs: Sequence[CheckSpec],
    quick: bool,
    workers: int,
    done: Callable[[CheckSpec, CheckResult], None],
    progress: SuiteProgress,
) -> None:
    """Run ``specs`` in ``workers`` spawned processes. The pool is not joined on the way
    out: its idle workers take a second or two to tear their interpreters down, which
    then overlaps with rendering (the interpreter joins them at exit)."""
    _compile_kernel_here()
    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(_custom_modules(specs),),
    )
    try:
        futures: dict[Future[CheckResult], CheckSpec] = {
            pool.submit(run_check, spec, quick): spec for spec in specs
        }
        queue = iter(specs)
        for spec in itertools.islice(queue, workers):
            progress.started(spec.id)
        for future in as_completed(futures):
            spec = futures[future]
            try:
                result = future.result()
            except Exception as exc:  # a worker died (BrokenProcessPool) or unpickling failed
                result = error_result(spec, exc)
            done(spec, result)
            following = next(queue, None)
            if following is not None:
                progress.started(following.id)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def run_suite(
    specs: Sequence[CheckSpec],
    *,
    out: str | os.PathLike[str] | None = None,
    jobs: int | None = None,
    quick: bool = False,
    cache: bool | str | os.PathLike[str] = True,
    progress: bool | None = None,
) -> list[CheckResult]:
    """Run every check of ``specs``; return their results in the same order.

    ``jobs``: worker processes (default: every core; 1 runs in this process). ``quick``
    applies each spec's ``quick`` overrides. ``cache``: True uses the default cache
    directory (:func:`reports.suite.cache.default_cache_dir`), a path uses that directory,
    False runs everything afresh. ``progress``: None shows progress on a terminal only.
    ``out``: if given, the report (HTML, Markdown, JSON, figures) is written there; with a
    cache, its figures are kept in the cache's ``figures/`` directory too, so that an
    unchanged rerun copies them instead of drawing them again.
    """
    specs = _check_specs(specs)
    workers = _check_jobs(jobs)
    store = _cache(cache)
    display = SuiteProgress(len(specs), enabled=progress)
    results: dict[str, CheckResult] = {}
    pending = []
    for spec in specs:
        hit = store.load(spec, quick) if store is not None else None
        if hit is None:
            pending.append(spec)
        else:
            results[spec.id] = hit
            display.finished(spec.id, hit.status, hit.wall_time, cached=True)

    def done(spec: CheckSpec, result: CheckResult) -> None:
        results[spec.id] = result
        if store is not None:
            store.store(spec, quick, result)
        display.finished(spec.id, result.status, result.wall_time)

    try:
        workers = min(workers, len(pending))
        if workers <= 1:
            _run_serial(pending, quick, done, display)
        else:
            _run_pool(pending, quick, workers, done, display)
    finally:
        display.close()
    ordered = [results[spec.id] for spec in specs]
    if out is not None:
        from reports.render import write_report

        figures = store.directory / FIGURE_CACHE if store is not None else None
        write_report(ordered, out, quick=quick, figure_cache=figures)
    return ordered
