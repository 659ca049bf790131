"""Experimental half of ratecheck: objectives, optimizers, the multi-replicate runner.

``run(objective, optimizer, schedule, steps=K, replicates=R, seed=s)`` runs R replicates
at once and returns a :class:`Trace` of gaps and distances at checkpoints.
"""

from empirical.averaging import Average, average_weights, parse_average
from empirical.objectives import OBJECTIVES, Ball, Box, Objective, objective
from empirical.optimizers import OPTIMIZERS, Optimizer, optimizer
from empirical.runner import run
from empirical.sampling import SAMPLINGS, replicate_generators
from empirical.schedules import PlateauSchedule, StepSchedule, bind_schedule
from empirical.trace import Trace, geometric_checkpoints, load_trace

__all__ = [
    "OBJECTIVES",
    "OPTIMIZERS",
    "SAMPLINGS",
    "Average",
    "Ball",
    "Box",
    "Objective",
    "Optimizer",
    "PlateauSchedule",
    "StepSchedule",
    "Trace",
    "average_weights",
    "bind_schedule",
    "geometric_checkpoints",
    "load_trace",
    "objective",
    "optimizer",
    "parse_average",
    "replicate_generators",
    "run",
]
