"""Symbolic half of ratecheck: step-size schedules, theorems and exact derivations."""

from theory.asymptotics import (
    BatchScaling,
    RateShape,
    batch_crossover,
    batch_scaling,
    iterations_to_eps,
    leading_term,
    minibatch_variance,
    rate_shape,
    samples_to_eps,
)
from theory.catalog import CATALOG, get_theorem, theorem_ids
from theory.errors import InputError, RatecheckError, UnknownNameError
from theory.expressions import format_expression, parse_expression
from theory.model_problems import DERIVATIONS, Derivation, get_derivation
from theory.robbins_monro import RobbinsMonroResult, robbins_monro
from theory.schedules import free_exponents, parse_schedule, schedule_constants
from theory.theorems import ASSUMPTIONS, Theorem

__all__ = [
    "ASSUMPTIONS",
    "CATALOG",
    "DERIVATIONS",
    "BatchScaling",
    "Derivation",
    "InputError",
    "RateShape",
    "RatecheckError",
    "RobbinsMonroResult",
    "Theorem",
    "UnknownNameError",
    "batch_crossover",
    "batch_scaling",
    "format_expression",
    "free_exponents",
    "get_derivation",
    "get_theorem",
    "iterations_to_eps",
    "leading_term",
    "minibatch_variance",
    "parse_expression",
    "parse_schedule",
    "rate_shape",
    "robbins_monro",
    "samples_to_eps",
    "schedule_constants",
    "theorem_ids",
]
