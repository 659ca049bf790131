"""A theorem's assumptions checked against an objective and its oracle, before any run.

Each assumption tag of :data:`theory.theorems.ASSUMPTIONS` is either a property of the
problem class (convex, strongly convex, smooth, the isotropic quadratic, additive noise,
exact gradients), which the objective must have or the theorem does not apply
(:class:`InputError` naming theorem, assumption and objective), or a regularity condition
that brings a constant (G, sigma, D, R, mu, L). Those constants come from the objective's
declared ``constants`` (under ``theory.symbols`` names); when one is not available the
theorem still gives the rate, and only the check of the bound with its constants is
skipped, with the reason recorded in :attr:`Constants.missing`.

Derived constants:

* per-sample-smooth: L is the per-sample smoothness ``Lmax``; for the additive-noise
  oracle every f(.; xi) = F + <xi, .> has F's smoothness L.
* smooth-at-optimum: mu = L for an unconstrained L-smooth F, since grad F(w*) = 0 gives
  F(w) - F* <= (L/2)||w - w*||^2.
* bounded-domain: D is the declared ``D``, else the domain's diameter (a box: ||hi - lo||;
  a ball: 2 radius).
* noise-at-optimum: sigma^2 = ``sigma2_star`` = (1/n) sum_i ||grad f_i(w*)||^2 for a
  finite sum; sigma for the Gaussian oracle; 0 for exact gradients.
* G declared with ``G_radius`` bounds gradients on the ball ||w - w*|| <= G_radius only;
  :attr:`Constants.ball` records that radius, and the check of a bound in G is made only
  if the run's iterates lie in that ball at every recorded checkpoint (the iterates
  between checkpoints are not seen).
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field

import numpy as np

from empirical.objectives.base import Ball, Box, Objective
from theory.errors import InputError
from theory.theorems import ASSUMPTIONS, Theorem

__all__ = ["Constants", "exact_gradients", "resolve_constants"]


@dataclass
class Constants:
    """Values of the theorem's constants that the objective provides, by symbol name.

    ``missing`` maps a constant the objective does not provide to the reason; ``ball`` is
    the radius of the ball on which G holds (None when G holds everywhere or is unused);
    ``projection`` says how to project this objective's SGD onto a ball ("" if it cannot).
    """

    values: dict[str, float] = field(default_factory=dict)
    missing: dict[str, str] = field(default_factory=dict)
    ball: float | None = None
    projection: str = ""


def projection_hint(objective: Objective) -> str:
    """How to make an unconstrained objective's SGD projected, if its class allows it."""
    if objective.domain is not None:
        return ""
    if "radius" not in inspect.signature(type(objective).__init__).parameters:
        return ""
    return (
        f"'{objective.name}:radius=R' (a ball ||w|| <= R holding w*) projects SGD onto a "
        "bounded domain, where D = 2R and G hold"
    )


def exact_gradients(objective: Objective, batch_size: int, sampling: str) -> bool:
    """Whether every oracle call returns grad F exactly.

    True for a deterministic oracle, a Gaussian oracle with sigma = 0, and a finite sum
    whose batch is all n samples drawn without replacement (sampling shuffle or cyclic).
    """
    if objective.oracle == "deterministic":
        return True
    if objective.oracle == "gaussian":
        return float(objective.constants.get("sigma", math.nan)) == 0.0
    return batch_size == objective.n and sampling != "replacement"


def _refuse(theorem: Theorem, tag: str, objective: Objective, why: str) -> InputError:
    return InputError(
        f"theorem {theorem.id!r} assumes {tag} ({ASSUMPTIONS[tag].statement.rstrip('.')}), "
        f"but objective "
        f"{objective.name!r} {why}; the theorem does not apply to this run"
    )


def _declared(objective: Objective, name: str) -> float | None:
    value = objective.constants.get(name)
    return None if value is None else float(value)


def _diameter(objective: Objective) -> float | None:
    declared = _declared(objective, "D")
    if declared is not None:
        return declared
    domain = objective.domain
    if isinstance(domain, Box):
        return float(np.linalg.norm(np.asarray(domain.hi) - np.asarray(domain.lo)))
    if isinstance(domain, Ball):
        return 2.0 * float(domain.radius)
    return None


def _noise(objective: Objective, exact: bool, at_optimum: bool) -> tuple[float | None, str]:
    """sigma of the oracle (everywhere, or at w* only), or None with the reason."""
    if exact:
        return 0.0, ""
    if objective.oracle == "gaussian":
        sigma = _declared(objective, "sigma")
        if sigma is not None:
            return sigma, ""
    if at_optimum:
        star = _declared(objective, "sigma2_star")
        if star is not None:
            return math.sqrt(star), ""
        return None, f"objective {objective.name!r} declares no sigma2_star (noise at w*)"
    return None, (
        f"objective {objective.name!r} declares no bound sigma on the gradient noise "
        "everywhere (a finite sum's gradient variance grows with ||w||)"
    )


def resolve_constants(
    theorem: Theorem, objective: Objective, *, batch_size: int, sampling: str
) -> Constants:
    """Check ``theorem``'s assumptions on ``objective`` and collect its constants' values.

    Raises :class:`InputError` when a class assumption fails (module docstring).
    """
    out = Constants()
    exact = exact_gradients(objective, batch_size, sampling)
    name = objective.name

    def need(ok: bool, tag: str, why: str) -> None:
        if not ok:
            raise _refuse(theorem, tag, objective, why)

    def give(symbol: str, value: float | None, why: str = "") -> None:
        if value is None:
            out.missing.setdefault(symbol, why or f"objective {name!r} declares no {symbol}")
        else:
            out.values[symbol] = value
            out.missing.pop(symbol, None)

    for tag in theorem.assumptions:
        if tag == "convex":
            need(objective.convex, tag, "is not convex")
        elif tag == "strongly-convex":
            need(objective.strongly_convex, tag, "is not strongly convex")
            give("lam", _declared(objective, "lam"))
        elif tag == "smooth":
            need(objective.smooth, tag, "is not smooth")
            give("L", _declared(objective, "L"))
        elif tag == "per-sample-smooth":
            need(objective.smooth and objective.convex, tag, "is not convex and smooth")
            per_sample = _declared(objective, "Lmax")
            if per_sample is None and objective.oracle in ("gaussian", "deterministic"):
                per_sample = _declared(objective, "L")
            give("L", per_sample, f"objective {name!r} declares no per-sample smoothness Lmax")
        elif tag == "smooth-at-optimum":
            need(objective.smooth, tag, "is not smooth")
            mu = _declared(objective, "L") if objective.domain is None else None
            give("mu", mu, f"objective {name!r} is constrained, so grad F(w*) may not vanish")
        elif tag in ("lipschitz", "bounded-second-moment"):
            give("G", _declared(objective, "G"))
            out.ball = _declared(objective, "G_radius")
            out.projection = projection_hint(objective)
        elif tag in ("bounded-variance", "noise-at-optimum"):
            sigma, why = _noise(objective, exact, at_optimum=tag == "noise-at-optimum")
            give("sigma", sigma, why)
        elif tag == "bounded-domain":
            unconstrained = f"objective {name!r} is unconstrained (no diameter D)"
            hint = projection_hint(objective)
            give("D", _diameter(objective), unconstrained + (f"; {hint}" if hint else ""))
        elif tag == "initial-distance":
            give("R", _declared(objective, "R"))
        elif tag == "quadratic":
            need(objective.family == "quadratic", tag, f"is of family {objective.family!r}")
            lam, L = _declared(objective, "lam"), _declared(objective, "L")
            need(lam is not None and lam == L, tag, f"has curvatures from lam = {lam} to L = {L}")
            need(objective.domain is None, tag, "is constrained")
            give("lam", lam)
        elif tag == "additive-noise":
            need(objective.oracle == "gaussian", tag, f"has a {objective.oracle} oracle")
            give("sigma", _declared(objective, "sigma"))
        elif tag == "deterministic":
            need(
                exact,
                tag,
                f"has a {objective.oracle} oracle and batch size {batch_size}"
                + (
                    f" < n = {objective.n} (use the full batch --batch-size {objective.n} "
                    "with shuffle or cyclic sampling)"
                    if objective.oracle == "finite-sum"
                    else ""
                ),
            )
    return out
