"""Symbolic half of ratecheck: step-size schedules, theorems and exact derivations."""

from theory.errors import InputError, RatecheckError, UnknownNameError

__all__ = ["InputError", "RatecheckError", "UnknownNameError"]
