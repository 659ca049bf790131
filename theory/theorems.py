"""A convergence theorem as data: problem class, method, schedule, iterate, bound, source.

The assumption vocabulary (``ASSUMPTIONS``) is small and closed; each tag states one
property of the objective or oracle and names the constant it brings (a symbol of
:mod:`theory.symbols`). A :class:`Theorem` checks on construction that every constant
in its bound comes from an assumption, its schedule or its averaging parameter.

A theorem also carries the instances that attain its rate (``attained_on``) and its
exhibit: a run, as plain data, on which ``empirical.verify`` checks it (``EXHIBIT_KEYS``).

Index convention: k counts updates; ``w_0`` is the start and ``w_k`` the iterate after
k updates. A paper bound on its ``w_T`` (the start being its ``w_1``) is stated here as
``B(k) = B_paper(k + 1)``. Averages here are over ``w_1..w_k`` (the start excluded),
which is not the papers' average over their ``w_1..w_T``; averaged bounds are therefore
re-derived in this index, as each theorem's notes say.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import sympy as sp
from sympy.core.relational import Relational

from theory import asymptotics, validation
from theory import symbols as S
from theory.errors import InputError

__all__ = [
    "ASSUMPTIONS",
    "EXHIBIT_KEYS",
    "ITERATES",
    "KINDS",
    "METHODS",
    "QUANTITIES",
    "Assumption",
    "Theorem",
]


@dataclass(frozen=True)
class Assumption:
    """One tag of the assumption vocabulary."""

    tag: str
    statement: str
    constant: sp.Symbol | None


ASSUMPTIONS: MappingProxyType[str, Assumption] = MappingProxyType(
    {
        a.tag: a
        for a in (
            Assumption("convex", "F is convex on W.", None),
            Assumption(
                "strongly-convex",
                "F(u) >= F(w) + <g, u - w> + (lam/2)||u - w||^2 for all u, w in W, g in dF(w).",
                S.lam,
            ),
            Assumption("smooth", "grad F is L-Lipschitz on W.", S.L),
            Assumption(
                "per-sample-smooth", "every f(.; xi) is convex and L-smooth, almost surely.", S.L
            ),
            Assumption(
                "smooth-at-optimum",
                "F(w) - F* <= (mu/2)||w - w*||^2 on W (Rakhlin et al.'s SM*).",
                S.mu,
            ),
            Assumption("lipschitz", "||g|| <= G for every subgradient g of F on W.", S.G),
            Assumption(
                "bounded-second-moment",
                "E||g_hat||^2 <= G^2 at every point of W (a second moment, not a variance).",
                S.G,
            ),
            Assumption(
                "bounded-variance", "E||g_hat - grad F(w)||^2 <= sigma^2 at every w.", S.sigma
            ),
            Assumption(
                "noise-at-optimum", "E||grad f(w*; xi)||^2 <= sigma^2 (noise at w* only).", S.sigma
            ),
            Assumption("bounded-domain", "W is closed convex with diameter <= D.", S.D),
            Assumption("initial-distance", "||w_0 - w*|| <= R.", S.R),
            Assumption(
                "quadratic",
                "F(w) = (lam/2)||w - w*||^2, unconstrained (the isotropic model problem).",
                S.lam,
            ),
            Assumption(
                "additive-noise",
                "g_hat = grad F(w) + xi, xi i.i.d., mean 0, E||xi||^2 = sigma^2, independent of w.",
                S.sigma,
            ),
            Assumption("deterministic", "the oracle returns the exact gradient (no noise).", None),
            Assumption(
                "non-smooth-allowed", "the result does not need F to be differentiable.", None
            ),
        )
    }
)
"""The assumption tags, each with its statement and the constant it brings."""

METHODS = ("sgd", "minibatch-sgd", "gd", "nesterov", "any")
"""``minibatch-sgd``: the gradient is the mean of b i.i.d. draws (b appears in the bound;
b = 1 is plain SGD). ``any``: a lower bound over every method with k oracle calls."""
ITERATES = ("last", "uniform", "suffix", "polydecay", "any")
"""Which point the bound is about; ``any`` is any output built from k oracle calls."""
QUANTITIES = ("gap", "dist2")
"""``gap`` = E[F(w) - F*], ``dist2`` = E||w - w*||^2."""
KINDS = ("upper", "lower", "exact", "asymptotic")
"""``asymptotic``: B is the leading-order equivalent as k -> oo, not a bound at each k."""

EXHIBIT_KEYS = (
    "objective",
    "optimizer",
    "schedule",
    "expect",
    "steps",
    "replicates",
    "seed",
    "batch_size",
    "sampling",
    "average",
    "constants",
)
"""The keys of an exhibit: the keyword arguments of ``empirical.verify``, as plain data."""
_EXHIBIT_REQUIRED = ("objective", "optimizer", "schedule", "expect")

_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
_KNOWN = frozenset(S.ALL.values())


def _symbolic(where: str, name: str, value: object, *, optional: bool = False) -> None:
    """Refuse a ``value`` that is not a SymPy expression in the symbols of theory.symbols."""
    if value is None and optional:
        return
    if not isinstance(value, sp.Expr):
        raise validation.not_allowed(where, name, value, "a SymPy expression")
    unknown = value.free_symbols - _KNOWN
    if unknown:
        names = ", ".join(sorted(map(str, unknown)))
        expected = f"an expression in the symbols of theory.symbols, not look-alikes ({names})"
        raise validation.not_allowed(where, name, value, expected)


def _two_power_law_terms(bound: sp.Expr) -> bool:
    """Is ``bound`` a sum of a b-free and a b-dependent term, both products of powers?

    Only then is the batch-size crossover an algebraic equation (the minibatch bound
    2 D^2 L/k + 2 D sigma/sqrt(b k)); a linear rate or a log factor would make it
    transcendental, and SymPy's solve may not return.
    """
    terms = sp.Add.make_args(sp.expand(bound))
    with_b = [t for t in terms if S.b in t.free_symbols]
    if len(terms) != 2 or len(with_b) != 1:
        return False
    return all(
        not t.has(sp.exp, sp.log) and all(S.k not in p.exp.free_symbols for p in t.atoms(sp.Pow))
        for t in terms
    )


@dataclass(frozen=True)
class Theorem:
    """A named convergence result with its bound ``B(k)`` and where it comes from.

    ``attained_on`` names the built-in objectives on which the rate is attained (there a
    run is checked against it as a match, not as an upper bound); ``exhibit`` is a run
    that verifies the theorem, as the keyword arguments of ``empirical.verify``
    (:data:`EXHIBIT_KEYS`, ``expect`` being this theorem's id).

    Derived properties (:attr:`leading`, :attr:`shape`, :attr:`k_to_eps`) are computed by
    :mod:`theory.asymptotics` from ``bound`` and ``conditions``.
    """

    id: str
    title: str
    method: str
    assumptions: tuple[str, ...]
    schedule: sp.Expr | None
    iterate: str
    iterate_param: sp.Expr | None
    quantity: str
    bound: sp.Expr
    kind: str
    valid_from: int
    conditions: tuple[Relational, ...]
    attained_by: str | None
    source: str
    verified: bool
    """True only if nothing about the statement, its constant or its theorem number is
    marked "(unverified)" in THEORY.md and any re-derivation in our index is tested."""
    verification: str
    """What was checked, or what is unverified."""
    notes: str = field(default="")
    attained_on: tuple[str, ...] = ()
    exhibit: Mapping[str, Any] | None = field(default=None, hash=False)

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not _ID.match(self.id):
            expected = "kebab-case: lowercase words and digits joined by -"
            raise validation.not_allowed("theorem", "id", self.id, expected)
        where = f"theorem {self.id!r}"
        validation.choice(where, "method", self.method, METHODS)
        validation.choice(where, "iterate", self.iterate, ITERATES)
        validation.choice(where, "quantity", self.quantity, QUANTITIES)
        validation.choice(where, "kind", self.kind, KINDS)
        if not isinstance(self.assumptions, tuple) or not self.assumptions:
            expected = "a non-empty tuple of assumption tags"
            raise validation.not_allowed(where, "assumptions", self.assumptions, expected)
        for tag in self.assumptions:
            validation.choice(where, "assumption", tag, ASSUMPTIONS)
        _symbolic(where, "bound", self.bound)
        _symbolic(where, "schedule", self.schedule, optional=True)
        _symbolic(where, "iterate_param", self.iterate_param, optional=True)
        if S.k not in self.bound.free_symbols:
            expected = "an expression that depends on k"
            raise validation.not_allowed(where, "bound", self.bound, expected)
        validation.integer(where, "valid_from", self.valid_from, minimum=0)
        if not isinstance(self.conditions, tuple):
            expected = "a tuple of SymPy relationals"
            raise validation.not_allowed(where, "conditions", self.conditions, expected)
        for i, cond in enumerate(self.conditions):
            if not isinstance(cond, Relational):
                expected = "a SymPy relational (one that evaluates to True/False states nothing)"
                raise validation.not_allowed(where, f"conditions[{i}]", cond, expected)
            _symbolic(where, f"conditions[{i}]", cond.lhs - cond.rhs)
        self._check_constants(where)
        self._check_batch(where)
        if not isinstance(self.attained_on, tuple) or not all(
            isinstance(name, str) and name for name in self.attained_on
        ):
            expected = "a tuple of objective names"
            raise validation.not_allowed(where, "attained_on", self.attained_on, expected)
        if self.exhibit is not None:
            object.__setattr__(self, "exhibit", self._checked_exhibit(where, self.exhibit))

    def _checked_exhibit(self, where: str, exhibit: object) -> Mapping[str, Any]:
        """The exhibit, read-only and in the order of :data:`EXHIBIT_KEYS`, once its keys
        are those of ``empirical.verify``."""
        if not isinstance(exhibit, Mapping):
            expected = "a dict of keyword arguments of empirical.verify"
            raise validation.not_allowed(where, "exhibit", exhibit, expected)
        unknown = [key for key in exhibit if key not in EXHIBIT_KEYS]
        if unknown:
            expected = f"one of {', '.join(EXHIBIT_KEYS)}"
            raise validation.not_allowed(where, "exhibit key", unknown[0], expected)
        missing = [key for key in _EXHIBIT_REQUIRED if key not in exhibit]
        if missing:
            expected = f"the required keys {', '.join(_EXHIBIT_REQUIRED)}"
            raise validation.missing(f"{where} exhibit", missing, expected)
        if exhibit["expect"] != self.id:
            expected = f"the theorem's own id, {self.id!r}"
            raise validation.not_allowed(where, "exhibit['expect']", exhibit["expect"], expected)
        return MappingProxyType({key: exhibit[key] for key in EXHIBIT_KEYS if key in exhibit})

    def _check_constants(self, where: str) -> None:
        brought = {ASSUMPTIONS[t].constant for t in self.assumptions} - {None}
        for extra in (self.schedule, self.iterate_param):
            if extra is not None:
                brought |= extra.free_symbols
        used = set(self.bound.free_symbols)
        for cond in self.conditions:
            used |= cond.free_symbols
        missing = sorted(used - brought - {S.k, S.b}, key=str)
        if missing:
            expected = "constants that an assumption, the schedule or iterate_param brings"
            raise validation.not_allowed(where, "constants", missing, expected)

    def _check_batch(self, where: str) -> None:
        has_b = S.b in self.bound.free_symbols
        if has_b and self.method not in ("minibatch-sgd", "any"):
            expected = "minibatch-sgd or any, as the bound depends on the batch size b"
            raise validation.not_allowed(where, "method", self.method, expected)
        if self.method == "minibatch-sgd" and not has_b:
            expected = "a bound in the batch size b, as the method is minibatch-sgd"
            raise validation.not_allowed(where, "bound", self.bound, expected)

    # ------------------------------------------------------------------ derived

    @property
    def leading(self) -> sp.Expr:
        """The bound's asymptotic equivalent as k -> oo."""
        return asymptotics.leading_term(self.bound, S.k, self.conditions)

    @property
    def shape(self) -> asymptotics.RateShape:
        """Exponent, log power, contraction and floor of the bound."""
        return asymptotics.rate_shape(self.bound, self.conditions)

    @property
    def order(self) -> sp.Expr:
        """The gauge of the bound without constants, e.g. ``log(k)/k``."""
        return self.shape.order

    @property
    def k_to_eps(self) -> sp.Expr | None:
        """Leading-order k with ``B(k) = eps`` as eps -> 0; None if B has a floor > 0."""
        if self.shape.floor != 0:
            return None
        return asymptotics.iterations_to_eps(self.bound, self.conditions)

    # ------------------------------------------------------------------ output

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready description; expressions as SymPy strings.

        ``exponent`` is a float when it is a number, else the expression as a string
        (e.g. ``"-2*c*lam"``), and None for a linear rate.
        """
        shape = self.shape
        k_eps = self.k_to_eps

        def text(expr: sp.Expr | None) -> str | None:
            return None if expr is None else sp.sstr(expr)

        def number_or_text(expr: sp.Expr | None) -> float | str | None:
            if expr is None:
                return None
            return float(expr) if expr.is_number else sp.sstr(expr)

        return {
            "id": self.id,
            "title": self.title,
            "method": self.method,
            "assumptions": list(self.assumptions),
            "schedule": text(self.schedule),
            "iterate": self.iterate,
            "iterate_param": text(self.iterate_param),
            "quantity": self.quantity,
            "bound": text(self.bound),
            "kind": self.kind,
            "valid_from": self.valid_from,
            "conditions": [text(c) for c in self.conditions],
            "leading": text(self.leading),
            "order": text(shape.order),
            "exponent": number_or_text(shape.exponent),
            "log_power": int(shape.log_power)
            if shape.log_power.is_Integer
            else number_or_text(shape.log_power),
            "contraction": text(shape.contraction),
            "floor": number_or_text(shape.floor),
            "k_to_eps": text(k_eps),
            "attained_by": self.attained_by,
            "attained_on": list(self.attained_on),
            "exhibit": None if self.exhibit is None else dict(self.exhibit),
            "source": self.source,
            "verified": self.verified,
            "verification": self.verification,
            "notes": self.notes,
        }

    def _derivation_line(self) -> str:
        """How the rate was read off the bound, with the values SymPy found."""
        shape = self.shape
        floor = "" if shape.floor == 0 else f" (after removing the floor {shape.floor})"
        if shape.contraction is not None:
            return f"contraction lim B(k+1)/B(k) = {shape.contraction}{floor}"
        if shape.log_power == 0:
            return f"exponent lim k d/dk log B(k) = {shape.exponent}{floor}"
        return (
            f"exponent lim k d/dk log(B(k)/log(k)**{shape.log_power}) = {shape.exponent}, "
            f"log power {shape.log_power}{floor}"
        )

    def _batch_lines(self) -> list[str]:
        """Samples to eps and the batch-size crossover, for two-term minibatch bounds."""
        if not _two_power_law_terms(self.bound):
            return []
        try:
            crossover = asymptotics.batch_crossover(self.bound)
        except InputError:
            return []
        samples = asymptotics.samples_to_eps(self.bound, self.conditions)
        return [
            f"  samples      b*k to eps: {samples}",
            f"  crossover    the two terms are equal at b = {crossover} for a budget of n samples",
        ]

    def summary(self) -> str:
        """A short plain-text description, one fact per line."""
        point = {"last": "w_k", "any": "w_hat"}.get(self.iterate, "wbar_k")
        what = {"gap": f"E[F({point}) - F*]", "dist2": f"E||{point} - w*||^2"}[self.quantity]
        relation = {"upper": "<=", "lower": ">=", "exact": "=", "asymptotic": "~"}[self.kind]
        schedule = "none" if self.schedule is None else f"eta_k = {self.schedule}"
        iterate = (
            self.iterate
            if self.iterate_param is None
            else (f"{self.iterate} ({self.iterate_param})")
        )
        k_eps = self.k_to_eps
        reach = f"never (floor {self.shape.floor})" if k_eps is None else str(k_eps)
        lines = [
            f"{self.id}: {self.title}",
            f"  method       {self.method}; {schedule}; iterate {iterate}",
            f"  assumptions  {', '.join(self.assumptions)}",
            f"  bound        {what} {relation} {self.bound}   (k >= {self.valid_from})",
            f"  conditions   {', '.join(map(str, self.conditions)) or 'none'}",
            f"  leading      {self.leading}",
            f"  order        {self.order}",
            f"  derivation   {self._derivation_line()}",
            f"  k to eps     {reach}",
            *self._batch_lines(),
            f"  attained by  {self.attained_by or 'no instance listed'}",
            f"  attained on  {', '.join(self.attained_on) or 'no built-in objective'}",
            f"  source       {self.source}",
            f"  verified     {'yes' if self.verified else 'NO'}: {self.verification}",
        ]
        if self.notes:
            lines.append(f"  notes        {self.notes}")
        return "\n".join(lines)
