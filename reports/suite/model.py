"""What a suite is made of: checks, their results, and the curves a figure draws.

A *check* is one claim tested by experiment. ``kind="verify"`` checks are one call of
:func:`empirical.verify` whose keyword arguments are ``params``; ``kind="custom"``
checks hold the function (a :data:`CustomCheck`) that runs whatever the claim needs
(several runs, a variance measurement, trajectories) and returns a :class:`CheckResult`.
A spec's :meth:`CheckSpec.to_dict` is JSON-ready, the function given by its name
(:func:`check_name`), so that it can be hashed for the cache and written into
``results.json``.

The *expectation* of a check is the verdict the claim predicts: ``"pass"`` for a
positive claim; ``"fail"`` (optionally with a label such as ``"stalls"``) for a
negative claim, where the expected failure is the expected outcome; ``"picture"`` for
checks that only draw (no verdict).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from empirical.scenario import Scenario
from theory.errors import InputError

Kind = Literal["verify", "custom"]
Status = Literal["as-expected", "unexpected", "inconclusive", "picture", "error"]
Verdict = Literal["pass", "fail", "inconclusive", "picture"]
Style = Literal["loglog", "semilogy", "path", "linear"]
"""How a :class:`Curve` is drawn: the axes' scales, or a trajectory (``path``)."""


@dataclass(frozen=True)
class CheckSpec:
    """One check of a suite.

    ``params`` for ``kind="verify"``: the keyword arguments of ``empirical.verify``
    (``objective``, ``optimizer``, ``schedule``, ``expect``, ``steps``, ``replicates``,
    ``seed``, ``batch_size``, ``sampling``, ``average``) as JSON-ready values; for
    ``kind="custom"``: the keyword arguments of the function ``function``, called as
    ``function(spec, params, progress=False)``.
    ``quick`` holds the overrides that make the check CI-sized under ``--quick``.
    """

    id: str
    title: str
    claim: str
    kind: Kind
    params: Mapping[str, Any]
    expect: str = "pass"
    expect_label: str | None = None
    theorem: str | None = None
    function: CustomCheck | None = None
    quick: Mapping[str, Any] = field(default_factory=dict)
    section: str = ""

    def effective_params(self, quick: bool) -> dict[str, Any]:
        """``params`` with the ``quick`` overrides applied when ``quick`` is true."""
        return {**self.params, **(self.quick if quick else {})}

    def scenario(self, quick: bool) -> Scenario:
        """The :class:`~empirical.scenario.Scenario` a ``verify`` check runs."""
        if self.kind != "verify":
            raise InputError(f"check {self.id}: a {self.kind} check has no single scenario")
        return Scenario.from_dict(self.effective_params(quick))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (also the cache key's content)."""
        return {
            "id": self.id,
            "title": self.title,
            "claim": self.claim,
            "kind": self.kind,
            "params": dict(self.params),
            "expect": self.expect,
            "expect_label": self.expect_label,
            "theorem": self.theorem,
            "function": None if self.function is None else check_name(self.function),
            "quick": dict(self.quick),
            "section": self.section,
        }


@dataclass(frozen=True)
class Curve:
    """One line of a check's figure: a mean over replicates with a band.

    ``k`` and ``mean`` are equal-length lists; ``low``/``high`` the band (e.g. a 95%
    interval of the mean, or the 10-90% replicate quantiles; ``band`` says which);
    ``fit`` the fitted line over its window as ``{"k": [...], "value": [...], "label"}``
    and ``bound`` the theory's bound with the objective's constants, same layout.
    ``x``/``y`` instead of ``k``/``mean`` for trajectory pictures (``style="path"``).
    """

    label: str
    k: list[float]
    mean: list[float]
    low: list[float] | None = None
    high: list[float] | None = None
    band: str = ""
    fit: Mapping[str, Any] | None = None
    bound: Mapping[str, Any] | None = None
    style: Style = "loglog"
    x_label: str = "k (updates)"
    y_label: str = "E[F(w_k) - F*]"

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "label": self.label,
            "k": list(self.k),
            "mean": list(self.mean),
            "low": None if self.low is None else list(self.low),
            "high": None if self.high is None else list(self.high),
            "band": self.band,
            "fit": None if self.fit is None else dict(self.fit),
            "bound": None if self.bound is None else dict(self.bound),
            "style": self.style,
            "x_label": self.x_label,
            "y_label": self.y_label,
        }


@dataclass(frozen=True)
class Panel:
    """One figure of a check: a title and the curves drawn together."""

    title: str
    curves: tuple[Curve, ...]
    contour: Mapping[str, Any] | None = None
    """For trajectory pictures: ``{"x": [...], "y": [...], "z": [[...]]}`` level data."""

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "title": self.title,
            "curves": [c.to_dict() for c in self.curves],
            "contour": None if self.contour is None else dict(self.contour),
        }


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check.

    ``verdicts`` are objects with the fields of ``ratecheck verify --format json``
    (schema ``ratecheck.verdict/2``), one per run the check made (a custom check may
    make several, e.g. one per batch size); ``verdict``/``label`` summarize the check;
    ``status`` compares it with the spec's expectation; ``reason`` says why in a
    sentence or two; ``metrics`` carries check-specific numbers (e.g. the two floors
    of a constant-step check) that the report tabulates.
    """

    spec: CheckSpec
    verdict: Verdict
    label: str | None
    status: Status
    reason: str
    verdicts: tuple[Mapping[str, Any], ...] = ()
    panels: tuple[Panel, ...] = ()
    metrics: Mapping[str, Any] = field(default_factory=dict)
    expected_rate: str = ""
    exponent: Mapping[str, Any] | None = None
    """``{"estimate", "ci_low", "ci_high"}`` of the headline fit, or None."""
    wall_time: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: one object of ``results.json``."""
        return {
            "id": self.spec.id,
            "title": self.spec.title,
            "claim": self.spec.claim,
            "theorem": self.spec.theorem,
            "expect": self.spec.expect,
            "expect_label": self.spec.expect_label,
            "verdict": self.verdict,
            "label": self.label,
            "status": self.status,
            "reason": self.reason,
            "expected_rate": self.expected_rate,
            "exponent": None if self.exponent is None else dict(self.exponent),
            "metrics": dict(self.metrics),
            "verdicts": [dict(v) for v in self.verdicts],
            "panels": [p.to_dict() for p in self.panels],
            "spec": self.spec.to_dict(),
            "wall_time": self.wall_time,
        }


def status_of(spec: CheckSpec, verdict: str, label: str | None) -> Status:
    """Compare a verdict with the spec's expectation.

    ``picture`` checks are pictures; an inconclusive verdict is inconclusive whatever
    was expected; otherwise the check is as expected when the verdict (and, if the
    spec names one, the failure label) is the one the claim predicts.
    """
    if spec.expect == "picture":
        return "picture"
    if verdict == "inconclusive":
        return "inconclusive"
    if verdict != spec.expect:
        return "unexpected"
    if spec.expect == "fail" and spec.expect_label is not None and label != spec.expect_label:
        return "unexpected"
    return "as-expected"


FAILING: tuple[Status, ...] = ("unexpected", "error")
"""The statuses that make a suite fail."""


def exit_code(results: Sequence[CheckResult]) -> int:
    """The suite's outcome, the rule of ``ratecheck verify`` and ``assert_rate``: 1 when a
    check is ``unexpected`` or ``error``; else 3 when one is ``inconclusive`` (the data did
    not decide: not a pass); else 0."""
    if any(result.status in FAILING for result in results):
        return 1
    return 3 if any(result.status == "inconclusive" for result in results) else 0


CustomCheck = Callable[..., CheckResult]
"""``function(spec: CheckSpec, params: dict, *, progress=None) -> CheckResult``."""


def check_name(function: CustomCheck) -> str:
    """The name of a custom check function in ``results.json``: its ``__name__`` with
    ``-`` for ``_`` (``robbins_monro`` -> ``robbins-monro``)."""
    return getattr(function, "__name__", repr(function)).replace("_", "-")
