"""Estimates of functions of estimates, their standard errors by the delta method.

For independent estimates a and b with standard errors s_a and s_b: exp(a) has se
exp(a) s_a; a - b has se sqrt(s_a^2 + s_b^2); log(a/b) (a, b > 0) has se
sqrt((s_a/a)^2 + (s_b/b)^2). Two estimates combine with the smaller of their degrees of
freedom (a conservative t reference) and the level of the first.
"""

from __future__ import annotations

import math

from empirical.fitting import Estimate

__all__ = ["difference", "exp_of", "log_ratio"]


def exp_of(estimate: Estimate) -> Estimate:
    """exp(theta) of a log-scale estimate: se exp(theta) se_theta, the same t reference."""
    value = math.exp(estimate.value)
    return Estimate(value, value * estimate.se, estimate.dof, estimate.level)


def difference(a: Estimate, b: Estimate) -> Estimate:
    """a - b for independent estimates: se sqrt(s_a^2 + s_b^2), the smaller dof."""
    return Estimate(a.value - b.value, math.hypot(a.se, b.se), min(a.dof, b.dof), a.level)


def log_ratio(a: Estimate, b: Estimate) -> Estimate:
    """log(a/b) for independent positive estimates: se sqrt((s_a/a)^2 + (s_b/b)^2), the
    smaller dof."""
    se = math.hypot(a.se / a.value, b.se / b.value)
    return Estimate(math.log(a.value / b.value), se, min(a.dof, b.dof), a.level)
