"""One run to verify as one object: ``Scenario("ridge", "sgd", "1/(lam*k)", expect=...)``.

A :class:`Scenario` names everything that decides a run and its check: the objective,
optimizer and schedule (specs or objects), what is expected (a theorem id, ``"O(EXPR)"``
or ``"linear"``; None for a bare run), K = ``steps`` updates, R = ``replicates``, the
``seed``, the minibatch size b and sampling order, the verified average, the schedule's
extra ``constants`` and the test settings (level alpha, exponent tolerance delta, relative
tolerance rtol of constants, level alpha_c of the burn-in curvature test). Making one
validates every field once, in one place, and builds the objects a run needs
(:attr:`Scenario.parts`); the error of a bad field names it (:func:`field_of`).

``to_dict()`` gives plain data and ``Scenario.from_dict(data)`` makes the same scenario
again (exactly, for a scenario of specs); ``command()`` renders the ``ratecheck verify``
line that reruns it. :func:`empirical.run`, :func:`empirical.verify`, the suite loader,
the pytest plugin and the report's cache all describe a run by a Scenario.
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from numbers import Real
from typing import Any

import sympy as sp

from empirical import limits
from empirical.averaging import Average, parse_average
from empirical.objectives import objective as make_objective
from empirical.objectives.base import Objective
from empirical.optimizers import optimizer as make_optimizer
from empirical.optimizers import pasteable
from empirical.optimizers.base import Optimizer
from empirical.schedules import Schedule, bind_schedule
from empirical.verification.expectation import Expectation, parse_expectation
from empirical.verification.plan import Plan, plan_verification
from theory import validation
from theory.errors import RatecheckError
from theory.theorems import Theorem

__all__ = [
    "DEFAULT_REPLICATES",
    "DEFAULT_SEED",
    "DEFAULT_STEPS",
    "SAMPLINGS",
    "SETTINGS",
    "Parts",
    "Scenario",
    "command_line",
    "field_of",
]

DEFAULT_STEPS = 100_000
DEFAULT_REPLICATES = 30
DEFAULT_SEED = 0
SAMPLINGS: tuple[str, ...] = ("shuffle", "replacement", "cyclic")
"""Sampling orders of finite-sum minibatches."""
SETTINGS: dict[str, float] = {"alpha": 0.01, "delta": 0.05, "rtol": 0.1, "alpha_c": 0.2}
"""Default test settings: level alpha, exponent tolerance delta (STATISTICS.md §5),
relative tolerance rtol of exact constants, alpha_c of the burn-in curvature test."""


def field_error(field_name: str, exc: RatecheckError) -> RatecheckError:
    """``exc`` marked with the scenario field it is about (its ``field`` attribute)."""
    exc.field = field_name  # type: ignore[attr-defined]
    return exc


def field_of(exc: BaseException) -> str | None:
    """The scenario field a validation error is about, if it is about one."""
    return getattr(exc, "field", None)


_SIZE_FIELDS = frozenset({"steps", "replicates", "seed"})
"""Fields that size a run without changing what its parts are."""


@dataclass(frozen=True)
class Parts:
    """The objects a scenario's run and check use, built once from its fields."""

    objective: Objective
    optimizer: Optimizer
    schedule: Schedule
    average: Average | None
    expectation: Expectation | None
    plan: Plan | None


@dataclass(frozen=True)
class Scenario:
    """One run and what it is checked against (module docstring)."""

    objective: str | Objective
    optimizer: str | Optimizer
    schedule: str | float | sp.Expr | Schedule
    expect: str | Theorem | None = None
    steps: int = DEFAULT_STEPS
    replicates: int | None = None
    seed: int = DEFAULT_SEED
    batch_size: int = 1
    sampling: str = "shuffle"
    average: str | Average | None = None
    constants: Mapping[str, float] = field(default_factory=dict)
    alpha: float = SETTINGS["alpha"]
    delta: float = SETTINGS["delta"]
    rtol: float = SETTINGS["rtol"]
    alpha_c: float = SETTINGS["alpha_c"]

    def __post_init__(self) -> None:
        _set = object.__setattr__
        for name in SETTINGS:
            value = getattr(self, name)
            if name in ("alpha", "alpha_c"):
                _set(self, name, _field(name, validation.fraction, "scenario", name, value))
            else:
                _set(
                    self, name, _field(name, validation.real, "scenario", name, value, at_least=0.0)
                )
        _set(self, "constants", _field("constants", _constants, self.constants))
        expectation = None
        if self.expect is not None:
            expectation = _field("expect", parse_expectation, self.expect)
        objective = _field("objective", _objective, self.objective)
        optimizer = _field("optimizer", _optimizer, self.optimizer)
        _set(self, "sampling", _field("sampling", check_sampling, self.sampling))
        n = objective.n if objective.oracle == "finite-sum" else None
        batch = _field("batch_size", check_batch_size, self.batch_size, n, objective.name)
        if objective.oracle == "deterministic" and batch != 1:
            expected = (
                f"1: objective {objective.name!r} has a deterministic oracle (exact gradients)"
            )
            raise field_error(
                "batch_size", validation.not_allowed("scenario", "batch_size", batch, expected)
            )
        _set(self, "batch_size", batch)
        schedule = _field(
            "schedule", bind_schedule, self.schedule, objective, self.constants or None
        )
        average = _field("average", parse_average, self.average)
        plan = None
        if expectation is not None:
            plan = _field(
                "expect",
                plan_verification,
                expectation,
                objective,
                optimizer.name if optimizer.builtin else None,
                schedule,
                batch_size=batch,
                sampling=self.sampling,
                average=average,
            )
        verified = plan.average if plan is not None else average
        _check_sizes(self, objective, verified)
        _set(self, "_parts", Parts(objective, optimizer, schedule, average, expectation, plan))

    @property
    def auto(self) -> bool:
        """Whether the replicates are sized by the data (``replicates=None``): a first stage
        of DEFAULT_REPLICATES, and a second one only if the first cannot decide."""
        return self.replicates is None

    @property
    def stage_replicates(self) -> int:
        """Replicates of the run: ``replicates``, or the first stage's when auto."""
        return DEFAULT_REPLICATES if self.replicates is None else self.replicates

    @property
    def parts(self) -> Parts:
        """The objective, optimizer, bound schedule, average, expectation and plan."""
        parts = self.__dict__.get("_parts")
        if parts is None:  # unpickled: rebuild from the fields
            parts = Scenario(**self._fields())._parts
            object.__setattr__(self, "_parts", parts)
        return parts

    def __getstate__(self) -> dict[str, Any]:
        return self._fields()

    def __setstate__(self, state: dict[str, Any]) -> None:
        for name, value in state.items():
            object.__setattr__(self, name, value)

    def _fields(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}

    def replace(self, **changes: Any) -> Scenario:
        """This scenario with some fields changed. A change of the run's size only (steps,
        replicates, seed) keeps the built parts; any other change validates again."""
        if set(changes) <= _SIZE_FIELDS:
            sized = Scenario.__new__(Scenario)
            for name, value in {**self._fields(), **changes}.items():
                object.__setattr__(sized, name, value)
            parts = self.parts
            _check_sizes(
                sized, parts.objective, parts.plan.average if parts.plan else parts.average
            )
            object.__setattr__(sized, "_parts", parts)
            return sized
        return Scenario(**{**self._fields(), **changes})

    def to_dict(self) -> dict[str, Any]:
        """Plain data: specs, numbers and a dict of constants (objects as their specs)."""
        data = self._fields()
        data["objective"] = objective_spec(self.objective)
        data["optimizer"] = optimizer_spec(self.optimizer)
        if not isinstance(self.schedule, str | Real) or isinstance(self.schedule, bool):
            data["schedule"] = self.parts.schedule.describe()
        if isinstance(self.expect, Theorem):
            data["expect"] = self.expect.id
        if isinstance(self.average, Average):
            data["average"] = self.average.to_spec()
        data["constants"] = dict(self.constants)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Scenario:
        """The scenario ``data`` describes (as :meth:`to_dict` writes it; missing fields
        take their defaults). Unknown keys are refused, naming the allowed ones."""
        if not isinstance(data, Mapping):
            raise validation.not_allowed("scenario", "data", data, "a mapping of fields")
        allowed = [f.name for f in fields(cls)]
        validation.keys(
            "scenario", data, allowed, ("objective", "optimizer", "schedule"), name="field"
        )
        return cls(**data)

    def record(self, steps: int | None = None) -> dict[str, Any]:
        """The scenario as a verification records it: specs, the bound schedule's text,
        the verified average (``"none"``) and the expectation's canonical text."""
        parts = self.parts
        average = parts.plan.average if parts.plan is not None else parts.average
        return {
            "objective": objective_spec(self.objective),
            "optimizer": optimizer_spec(self.optimizer),
            "schedule": str(parts.schedule.describe()),
            "batch_size": self.batch_size,
            "sampling": self.sampling,
            "average": average.to_spec() if average else "none",
            "steps": self.steps if steps is None else steps,
            "replicates": self.replicates,
            "seed": self.seed,
            "expect": parts.expectation.describe() if parts.expectation else None,
            "constants": dict(self.constants),
            **{name: getattr(self, name) for name in SETTINGS},
        }

    def command(self) -> str:
        """The ``ratecheck verify`` command line that reruns this scenario."""
        if self.expect is None:
            raise validation.missing(
                "scenario", ["expect"], "a theorem id, 'O(EXPR)' or 'linear' (a command needs one)"
            )
        return command_line(self.record())


def command_line(record: Mapping[str, Any]) -> str:
    """``ratecheck verify --objective ... --expect ...`` from a :meth:`Scenario.record`
    (settings and constants only where they differ from the defaults), every word quoted
    for a POSIX shell, so that it runs when pasted in any directory.

    A user optimizer file is given by its absolute path. A ``package.module:NAME`` found
    through a directory that is not one of the interpreter's own (the working directory,
    a ``tests/`` directory pytest put on ``sys.path``) is prefixed with
    ``PYTHONPATH=DIR${PYTHONPATH:+:$PYTHONPATH}``: DIR first, so the same module is found,
    and any PYTHONPATH of the shell kept after it (never an empty entry, which would add
    the working directory)."""
    optimizer, import_dir = pasteable(str(record["optimizer"]))
    words = ["ratecheck", "verify"]
    for flag in ("objective", "optimizer", "schedule", "batch-size", "sampling", "average"):
        value = optimizer if flag == "optimizer" else record[flag.replace("-", "_")]
        words += [f"--{flag}", str(value)]
    for flag in ("steps", "replicates", "seed", "expect"):
        if record[flag] is not None:  # replicates None: sized by the data (the default)
            words += [f"--{flag}", str(record[flag])]
    for key, default in SETTINGS.items():
        if record[key] != default:
            words += [f"--{key.replace('_', '-')}", repr(record[key])]
    if record["constants"]:
        words += ["--constants", ",".join(f"{k}={v!r}" for k, v in record["constants"].items())]
    if import_dir is None:
        return shlex.join(words)
    return f"PYTHONPATH={shlex.quote(str(import_dir))}${{PYTHONPATH:+:$PYTHONPATH}} " + shlex.join(
        words
    )


def objective_spec(objective: str | Objective) -> str:
    """``name:key=value,...`` of an objective spec or object."""
    if isinstance(objective, str):
        return objective.strip()
    params = ",".join(f"{key}={value}" for key, value in objective.params.items())
    return f"{objective.name}:{params}" if params else objective.name


def optimizer_spec(optimizer: str | Optimizer | Mapping[str, Any]) -> str:
    """``name:key=value,...`` of an optimizer spec, object or recorded description."""
    if isinstance(optimizer, str):
        return optimizer.strip()
    if isinstance(optimizer, Optimizer):
        name, hyper = optimizer.name, optimizer.hyperparams
    else:
        name, hyper = str(optimizer.get("name", "custom")), optimizer.get("hyperparams", {})
    params = ",".join(f"{key}={value}" for key, value in hyper.items())
    return f"{name}:{params}" if params else name


def check_sampling(sampling: object, where: str = "scenario") -> str:
    """Return ``sampling`` if it names a sampling order, else raise listing the allowed ones."""
    return validation.choice(where, "sampling", sampling, SAMPLINGS)


def check_batch_size(
    batch_size: object, n: int | None, objective_name: str, where: str = "scenario"
) -> int:
    """Validate the minibatch size: an integer with 1 <= b (<= n for a finite sum)."""
    b = validation.integer(where, "batch_size", batch_size, minimum=1)
    if n is not None and b > n:
        expected = f"an integer in [1, {n}]: objective {objective_name!r} has n = {n} samples"
        raise validation.not_allowed(where, "batch_size", batch_size, expected)
    return b


def _field(name: str, check: Any, *args: Any, **kwargs: Any) -> Any:
    """``check(*args, **kwargs)``, its error marked as one of field ``name``."""
    try:
        return check(*args, **kwargs)
    except RatecheckError as exc:
        if field_of(exc) is None:
            field_error(name, exc)
        raise


def _check_sizes(scenario: Scenario, objective: Objective, average: Average | None) -> None:
    """Set the size fields (steps, replicates, seed) of ``scenario`` to validated integers
    (replicates may be None: sized by the data) and refuse a run (of the first stage, when
    sized by the data) above the limits of :mod:`empirical.limits`."""
    for name, minimum in (("steps", 1), ("replicates", 1), ("seed", 0)):
        value = getattr(scenario, name)
        if name != "replicates" or value is not None:
            checked = _field(name, validation.integer, "scenario", name, value, minimum=minimum)
            object.__setattr__(scenario, name, checked)
    R, K = scenario.stage_replicates, scenario.steps
    _field("steps", limits.check_steps, "scenario", R, K)
    suffix = average is not None and average.kind == "suffix"
    size = limits.run_size(
        objective,
        R,
        K,
        limits.checkpoint_bound(K),
        int(average is not None),
        int(suffix),
        scenario.batch_size,
    )
    _field("replicates", limits.check_memory, "scenario", size)


def _constants(value: object) -> dict[str, float]:
    """The schedule's extra constants: a mapping of names to numbers."""
    if value is None:
        return {}
    if not isinstance(value, Mapping) or not all(validation.is_number(v) for v in value.values()):
        raise validation.not_allowed(
            "scenario", "constants", value, "a mapping of names to numbers"
        )
    return {str(key): item for key, item in value.items()}


def _objective(spec: str | Objective) -> Objective:
    return spec if isinstance(spec, Objective) else make_objective(spec)


def _optimizer(spec: str | Optimizer) -> Optimizer:
    return spec if isinstance(spec, Optimizer) else make_optimizer(spec)
