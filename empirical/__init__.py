"""Experimental half of ratecheck: objectives, optimizers, the multi-replicate runner.

A :class:`Scenario` describes one run and its check. ``run(scenario)`` (or
``run(objective, optimizer, schedule, steps=K, replicates=R, seed=s)``) runs R replicates
at once and returns a :class:`Trace` of gaps and distances at checkpoints;
``fit_rate`` fits its rate with replicate-level inference, and ``verify`` runs and checks
a configuration against a theorem or a rate.
"""

from empirical.averaging import Average, average_weights, parse_average
from empirical.fitting import RateFit, fit_minibatch, fit_rate
from empirical.objectives import OBJECTIVES, Ball, Box, Objective, objective
from empirical.optimizers import OPTIMIZERS, Optimizer, optimizer
from empirical.runner.loop import run
from empirical.runner.sampling import replicate_generators
from empirical.runner.trace import Trace, geometric_checkpoints, load_trace
from empirical.scenario import SAMPLINGS, Scenario
from empirical.schedules import PlateauSchedule, StepSchedule, bind_schedule
from empirical.verdicts import (
    RateShape,
    Verdict,
    check_bound,
    check_constant,
    check_match,
    check_upper,
)
from empirical.verification.expectation import Expectation, parse_expectation
from empirical.verification.verify import VerificationResult, verify, verify_trace

__all__ = [
    "OBJECTIVES",
    "OPTIMIZERS",
    "SAMPLINGS",
    "Average",
    "Ball",
    "Box",
    "Expectation",
    "Objective",
    "Optimizer",
    "PlateauSchedule",
    "RateFit",
    "RateShape",
    "Scenario",
    "StepSchedule",
    "Trace",
    "Verdict",
    "VerificationResult",
    "average_weights",
    "bind_schedule",
    "check_bound",
    "check_constant",
    "check_match",
    "check_upper",
    "fit_minibatch",
    "fit_rate",
    "geometric_checkpoints",
    "load_trace",
    "objective",
    "optimizer",
    "parse_average",
    "parse_expectation",
    "replicate_generators",
    "run",
    "verify",
    "verify_trace",
]
