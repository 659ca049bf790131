"""Step-size schedules for a run: the theory's SymPy expression bound to an objective.

A schedule eta(k) is written once as a SymPy expression (``theory.schedules``) and
lambdified here once; its constants take the objective's values (``1/(lam*k)`` takes
the objective's ``lam``), which ``constants={...}`` may override or complete. The
values are passed to the lambdified function as float arguments, so they are used to
the last bit. Update k (k = 1, 2, ...) uses the step eta(k).

:class:`PlateauSchedule` is the practical rule "keep the step until the loss plateaus,
then divide it by 10", decided per replicate from the objective value on its own grid
of evaluation points.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import sympy as sp

from empirical.objectives.base import Objective
from empirical.specs import split_spec
from theory import symbols, validation
from theory.schedules import parse_schedule, schedule_constants


@dataclass(frozen=True)
class StepSchedule:
    """A schedule eta(k) with every constant bound: ``values(k)`` evaluates it on arrays.

    ``constants`` maps each constant of the expression to the value used.
    """

    expression: sp.Expr
    """The schedule as written (constants symbolic)."""
    bound: sp.Expr
    """The schedule with the constants' values substituted (for display); a function of k."""
    label: str
    constants: Mapping[str, float]
    _fn: Any = field(repr=False, compare=False)

    def values(self, k: np.ndarray) -> np.ndarray:
        """eta(k) for an int array of update indices k >= 1; float64, same shape.

        Raises InputError naming the first k where eta(k) is not finite and positive.
        """
        k = np.asarray(k)
        with np.errstate(all="ignore"):
            eta = np.broadcast_to(
                np.asarray(self._fn(k.astype(np.float64), *self.constants.values()), float), k.shape
            )
        bad = ~(np.isfinite(eta) & (eta > 0))
        if bad.any():
            first = int(np.flatnonzero(bad.ravel())[0])
            raise validation.not_allowed(
                f"schedule {self.label!r}",
                f"eta({int(k.ravel()[first])})",
                float(eta.ravel()[first]),
                f"a finite step > 0 (eta(k) = {self.bound})",
            )
        return np.array(eta, dtype=np.float64)

    def describe(self) -> str:
        """The schedule text recorded in a trace's config."""
        return self.label


@dataclass(frozen=True)
class PlateauSchedule:
    """eta_k = eta0 * s_r: "keep the step until the loss plateaus, then divide it by 10".

    Each replicate r has its own scale s_r, 1 at the start. Every ``every`` updates
    (k = every, 2 every, ...) the runner evaluates the objective F(w_k) (as F* + gap)
    and applies, per replicate, with best = +inf and bad = 0 at the start:

    * if F < best - tol * |best| (an improvement by more than the relative tolerance),
      then best = F and bad = 0;
    * else bad = bad + 1, and when bad reaches ``patience`` the scale is divided by
      ``factor`` and bad = 0 (best is kept).

    The new scale applies from the next update on. The evaluation grid is the rule's
    own (like an epoch in practice), so the run's checkpoints do not change it.
    """

    eta0: float
    factor: float = 10.0
    patience: int = 3
    tol: float = 1e-4
    every: int = 100
    expression: None = None

    def __post_init__(self) -> None:
        where = "schedule 'plateau'"
        checked = {
            "eta0": validation.real(where, "eta0", self.eta0, above=0.0),
            "factor": validation.real(where, "factor", self.factor, above=1.0),
            "patience": validation.integer(where, "patience", self.patience, minimum=1),
            "tol": validation.real(where, "tol", self.tol, at_least=0.0, below=1.0),
            "every": validation.integer(where, "every", self.every, minimum=1),
        }
        for key, value in checked.items():
            object.__setattr__(self, key, value)

    @property
    def label(self) -> str:
        return (
            f"plateau:eta0={self.eta0!r},factor={self.factor!r},"
            f"patience={self.patience},tol={self.tol!r},every={self.every}"
        )

    def values(self, k: np.ndarray) -> np.ndarray:
        """The base step eta0 for every k (the per-replicate scale multiplies it)."""
        return np.full(np.shape(k), float(self.eta0))

    def describe(self) -> str:
        """The schedule text recorded in a trace's config."""
        return self.label

    def tracker(self, replicates: int) -> PlateauTracker:
        """Fresh per-replicate state for one run."""
        return PlateauTracker(self, replicates)


class PlateauTracker:
    """The per-replicate state of :class:`PlateauSchedule` during one run."""

    def __init__(self, schedule: PlateauSchedule, replicates: int) -> None:
        self.schedule = schedule
        self.scale = np.ones(replicates)
        self._best = np.full(replicates, np.inf)
        self._bad = np.zeros(replicates, dtype=np.int64)

    def observe(self, value: np.ndarray) -> None:
        """Apply the rule to the objective values (R,) at an evaluation point."""
        sched = self.schedule
        with np.errstate(invalid="ignore"):
            improved = value < self._best - sched.tol * np.abs(self._best)
        improved |= np.isinf(self._best) & np.isfinite(value)
        self._best = np.where(improved, value, self._best)
        self._bad = np.where(improved, 0, self._bad + 1)
        cut = self._bad >= sched.patience
        self.scale = np.where(cut, self.scale / sched.factor, self.scale)
        self._bad = np.where(cut, 0, self._bad)


Schedule = StepSchedule | PlateauSchedule

PLATEAU_KEYS = ("eta0", "factor", "patience", "tol", "every")


def parse_plateau(spec: str) -> PlateauSchedule:
    """``"plateau:eta0=0.1,factor=10,patience=3,tol=1e-4,every=100"`` -> a PlateauSchedule."""
    expected = "plateau:eta0=...[,key=value...], or a formula in k without ':'"
    rule = spec.strip().partition(":")[0].strip() if isinstance(spec, str) else spec
    validation.choice(f"schedule {spec!r}", "rule", rule, ("plateau",), expected=expected)
    _, params = split_spec(spec, "schedule")
    validation.keys(f"schedule {spec!r}", params, PLATEAU_KEYS, required=("eta0",))
    return PlateauSchedule(**params)


def bind_schedule(
    schedule: str | sp.Expr | float | Schedule,
    objective: Objective,
    constants: Mapping[str, float] | None = None,
) -> Schedule:
    """Bind a schedule to an objective's constants (overridden by ``constants``).

    Strings starting with ``plateau`` give a :class:`PlateauSchedule`, as does any
    ``NAME:...`` (a ``:`` is never part of a formula, so the name is a misspelt rule and
    :func:`parse_plateau` says so); other strings, SymPy expressions and numbers go
    through ``theory.schedules.parse_schedule``.
    """
    if isinstance(schedule, StepSchedule | PlateauSchedule):
        return schedule
    if isinstance(schedule, str):
        rule, colon, _ = schedule.strip().partition(":")
        if rule.strip() == "plateau" or (colon and rule.strip().isidentifier()):
            return parse_plateau(schedule)
    expression = parse_schedule(schedule)  # type: ignore[arg-type]
    label = schedule.strip() if isinstance(schedule, str) else str(expression)
    values = _binding(expression, label, objective, constants)
    names = schedule_constants(expression)
    args = [symbols.CONSTANTS[name] for name in names]
    fn = sp.lambdify([symbols.k, *args], expression, modules="numpy")
    bound = expression.subs({sym: values[name] for sym, name in zip(args, names, strict=True)})
    return StepSchedule(
        expression=expression,
        bound=bound,
        label=label,
        constants={name: values[name] for name in names},
        _fn=fn,
    )


def _binding(
    expression: sp.Expr,
    label: str,
    objective: Objective,
    constants: Mapping[str, float] | None,
) -> dict[str, float]:
    """Values for the constants of the schedule: the objective's, then ``constants``."""
    overrides = dict(constants or {})
    validation.keys(f"schedule {label!r}", overrides, symbols.CONSTANTS, name="constant")
    for key, value in overrides.items():
        validation.real(f"schedule {label!r}", key, value)
    available = {key: float(val) for key, val in objective.constants.items()}
    available.update({key: float(val) for key, val in overrides.items()})
    needed = schedule_constants(expression)
    missing = [name for name in needed if name not in available]
    if missing:
        have = ", ".join(f"{key}={val:g}" for key, val in objective.constants.items())
        expected = (
            f"a value from objective {objective.name!r} (its constants: {have or '(none)'}) "
            "or from constants={...}"
        )
        raise validation.missing(f"schedule {label!r}", missing, expected)
    return {name: available[name] for name in needed}
