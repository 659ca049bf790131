"""Objectives with exact optima, and the registry that builds them from specs.

``objective("ridge:n=500,lam=0.01")`` builds a :class:`Ridge`; every key has a default,
so ``objective("ridge")`` works too. ``OBJECTIVES`` maps each name to its class; the
allowed keys of a name are the keyword parameters of its class (:func:`objective_keys`).
"""

from __future__ import annotations

import inspect

from empirical.objectives.base import Ball, Box, Objective, Oracle
from empirical.objectives.beale import Beale
from empirical.objectives.boundary import BoundaryOptimum
from empirical.objectives.hinge import Hinge
from empirical.objectives.lad import LAD
from empirical.objectives.least_squares import LeastSquares
from empirical.objectives.logistic import Logistic
from empirical.objectives.quadratic import NoisyQuadratic
from empirical.objectives.reddi import Reddi
from empirical.objectives.ridge import Ridge
from empirical.objectives.saddle import Saddle
from empirical.objectives.valley import Valley
from empirical.objectives.worst_case_gd import WorstCaseGD
from empirical.specs import split_spec
from theory import validation

OBJECTIVES: dict[str, type[Objective]] = {
    cls.name: cls
    for cls in (
        Ridge,
        LeastSquares,
        Logistic,
        Hinge,
        LAD,
        NoisyQuadratic,
        WorstCaseGD,
        Reddi,
        Beale,
        Valley,
        Saddle,
        BoundaryOptimum,
    )
}
"""Built-in objectives by name."""


def objective_keys(name: str) -> tuple[str, ...]:
    """The keys that the spec of objective ``name`` accepts."""
    signature = inspect.signature(_lookup(name).__init__)
    return tuple(key for key in signature.parameters if key != "self")


def objective(spec: str | Objective) -> Objective:
    """Build an objective from ``"NAME:key=val,..."``; an :class:`Objective` passes through."""
    if isinstance(spec, Objective):
        return spec
    if not isinstance(spec, str):
        raise validation.not_allowed(
            "objective", "spec", spec, "a spec 'NAME[:key=value,...]' or an Objective"
        )
    name, params = split_spec(spec, "objective")
    cls = _lookup(name)
    validation.keys(f"objective {name!r}", params, objective_keys(name))
    return cls(**params)


def _lookup(name: str) -> type[Objective]:
    return OBJECTIVES[validation.choice("objective", "name", name, OBJECTIVES)]


__all__ = [
    "LAD",
    "OBJECTIVES",
    "Ball",
    "Beale",
    "BoundaryOptimum",
    "Box",
    "Hinge",
    "LeastSquares",
    "Logistic",
    "NoisyQuadratic",
    "Objective",
    "Oracle",
    "Reddi",
    "Ridge",
    "Saddle",
    "Valley",
    "WorstCaseGD",
    "objective",
    "objective_keys",
]
