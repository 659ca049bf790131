"""Shared pieces of the lecture's custom checks: figure curves, claims made of parts, results.

A custom check tests a claim that is the conjunction of several *parts*, each a verdict
with the outcome the claim predicts for it (a pass, or a fail with a given label: "the
uniform average is slower than 1/k"). :func:`combine` decides the check: PASS when every
part comes out as predicted, FAIL when some part comes out decisively the other way
(a PASS where a failure was predicted, a FAIL where a pass was, or a FAIL with another
label), INCONCLUSIVE otherwise.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from empirical.fitting import Estimate
from empirical.verdicts import one_sided, tost
from empirical.verification.result import VerificationResult
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel, status_of
from reports.suite.verification import BAND, BAND_TEXT

ALPHA = 0.01
"""Level of the checks' own tests (the verifier's default)."""


@dataclass(frozen=True)
class Part:
    """One verdict of a claim and the outcome the claim predicts for it.

    ``outcome``/``label``: what came out ("pass", "fail", "inconclusive"); ``predicted``:
    "pass" or "fail"; ``predicted_label``: the failure label the claim predicts, if any.
    """

    name: str
    outcome: str
    label: str
    predicted: str
    reason: str
    predicted_label: str | None = None

    @property
    def agrees(self) -> bool:
        """The part came out as the claim predicts."""
        if self.outcome != self.predicted:
            return False
        return self.predicted_label is None or self.label == self.predicted_label

    @property
    def contradicts(self) -> bool:
        """The part came out decisively against the claim."""
        return self.outcome in ("pass", "fail") and not self.agrees

    def text(self) -> str:
        """'name: outcome (label), predicted ...: reason'."""
        wanted = self.predicted + (f" ({self.predicted_label})" if self.predicted_label else "")
        return f"{self.name}: {self.outcome} ({self.label}), predicted {wanted}. {self.reason}"


def part_of(
    name: str, result: VerificationResult, predicted: str = "pass", label: str | None = None
) -> Part:
    """The part made of one verification."""
    return Part(name, result.outcome, result.label, predicted, result.reason, label)


def combine(parts: Sequence[Part]) -> tuple[str, str, str]:
    """(verdict, label, reason) of the claim made of ``parts`` (module docstring)."""
    against = [part for part in parts if part.contradicts]
    open_ = [part for part in parts if not part.agrees and not part.contradicts]
    if against:
        verdict, label = "fail", "contradicted"
        lead = "The claim is contradicted by " + ", ".join(p.name for p in against) + "."
    elif open_:
        verdict, label = "inconclusive", open_[0].label
        lead = "Undecided: " + ", ".join(p.name for p in open_) + " did not decide."
    else:
        verdict, label = "pass", "holds"
        lead = "Every part came out as the claim predicts."
    order = against + open_ + [part for part in parts if part.agrees]
    return verdict, label, " ".join([lead, *(part.text() for part in order)])


def line(k: Sequence[float] | np.ndarray, values: Sequence[float] | np.ndarray, label: str) -> dict:
    """A fit or bound line of a :class:`Curve` (finite points only)."""
    k_arr = np.asarray(k, dtype=np.float64)
    v_arr = np.asarray(values, dtype=np.float64)
    keep = np.isfinite(k_arr) & np.isfinite(v_arr)
    return {"k": k_arr[keep].tolist(), "value": v_arr[keep].tolist(), "label": label}


def replicate_curve(
    label: str,
    k: Sequence[float] | np.ndarray,
    series: np.ndarray,
    *,
    fit: Mapping[str, Any] | None = None,
    bound: Mapping[str, Any] | None = None,
    style: str = "loglog",
    x_label: str = "k (updates)",
    y_label: str = "E[F(w_k) - F*]",
) -> Curve:
    """The mean over replicates (rows of ``series``) with the :data:`BAND` quantiles."""
    values = np.atleast_2d(np.asarray(series, dtype=np.float64))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(values, axis=0)
        low, high = np.nanquantile(values, BAND, axis=0)
    return Curve(
        label=label,
        k=np.asarray(k, dtype=np.float64).tolist(),
        mean=mean.tolist(),
        low=low.tolist() if values.shape[0] > 1 else None,
        high=high.tolist() if values.shape[0] > 1 else None,
        band=BAND_TEXT if values.shape[0] > 1 else "",
        fit=fit,
        bound=bound,
        style=style,  # type: ignore[arg-type]
        x_label=x_label,
        y_label=y_label,
    )


def below_zero(name: str, estimate: Estimate, described: str) -> Part:
    """A part predicted to pass: theta < 0, one-sided at level alpha
    (:func:`empirical.verdicts.one_sided`): PASS if the 1-alpha upper bound of ``estimate``
    is <= 0, FAIL if its 1-alpha lower bound is > 0, else INCONCLUSIVE."""
    decision = one_sided(estimate, 0.0, alpha=ALPHA)
    low, high = decision.bounds
    bounds = f"{100 * (1 - ALPHA):g}% bounds [{low:.3g}, {high:.3g}]"
    if decision.outcome == "pass":
        return Part(name, "pass", "below", "pass", f"{described}; {bounds} < 0.")
    if decision.outcome == "fail":
        return Part(name, "fail", "above", "pass", f"{described}; {bounds} > 0.")
    return Part(name, "inconclusive", "imprecise", "pass", f"{described}; {bounds} contain 0.")


def equivalent(name: str, estimate: Estimate, low: float, high: float, described: str) -> Part:
    """A part predicted to pass: low <= theta <= high by two one-sided tests at level alpha
    (:func:`empirical.verdicts.tost`, as ``check_match``): PASS if the 1-2 alpha interval of
    ``estimate`` lies in [low, high], FAIL if the 1-alpha interval lies outside it, else
    INCONCLUSIVE."""
    decision = tost(estimate, low, high, alpha=ALPHA)
    inner = decision.inner
    assert inner is not None
    shown = (
        f"{described}; {100 * (1 - 2 * ALPHA):g}% CI [{inner[0]:.4g}, {inner[1]:.4g}] "
        f"against [{low:.4g}, {high:.4g}]"
    )
    if decision.outcome == "pass":
        return Part(name, "pass", "matches", "pass", shown + ": inside.")
    if decision.outcome == "fail":
        return Part(name, "fail", decision.side, "pass", shown + f": {decision.side}.")
    return Part(name, "inconclusive", "imprecise", "pass", shown + ": undecided.")


def beyond(name: str, estimate: Estimate, threshold: float, *, above: bool) -> Part:
    """A part predicted to pass: theta >= threshold (``above``) or theta <= threshold,
    one-sided at level alpha (:func:`empirical.verdicts.one_sided`); a FAIL is "slower"."""
    claim = "at-least" if above else "at-most"
    decision = one_sided(estimate, threshold, alpha=ALPHA, claim=claim)
    low, high = decision.bounds
    shown = f"estimate {estimate.value:.3f}, {100 * (1 - ALPHA):g}% bounds [{low:.3f}, {high:.3f}]"
    label = {"pass": "within", "fail": "slower"}.get(decision.outcome, "imprecise")
    return Part(name, decision.outcome, label, "pass", shown + ".")


def estimate_dict(estimate: Estimate, level: float = 1 - 2 * ALPHA) -> dict[str, float]:
    """``{"estimate", "ci_low", "ci_high", "level"}`` of an estimate at ``level``."""
    low, high = estimate.interval(level)
    return {"estimate": estimate.value, "ci_low": low, "ci_high": high, "level": level}


def exponent_of(result: VerificationResult) -> dict[str, Any] | None:
    """The headline exponent of a verification (estimate, CI, level), or None."""
    fit = result.fit
    if fit is None:
        return None
    return {**fit.exponent.to_dict(), "parameter": result.to_dict()["exponent"]["parameter"]}


def build(
    spec: CheckSpec,
    verdict: str,
    label: str | None,
    reason: str,
    *,
    verdicts: Sequence[VerificationResult | Mapping[str, Any]] = (),
    panels: Sequence[Panel] = (),
    metrics: Mapping[str, Any] | None = None,
    expected_rate: str = "",
    exponent: Mapping[str, Any] | None = None,
) -> CheckResult:
    """The :class:`CheckResult`, its status compared with the spec's expectation."""
    dicts = tuple(v.to_dict() if isinstance(v, VerificationResult) else dict(v) for v in verdicts)
    return CheckResult(
        spec=spec,
        verdict=verdict,  # type: ignore[arg-type]
        label=label,
        status=status_of(spec, verdict, label),
        reason=reason,
        verdicts=dicts,
        panels=tuple(panels),
        metrics=dict(metrics or {}),
        expected_rate=expected_rate,
        exponent=None if exponent is None else dict(exponent),
    )


def rounded(value: float, digits: int = 4) -> float:
    """``value`` to ``digits`` significant digits (for the metrics table)."""
    if not math.isfinite(value) or value == 0:
        return float(value)
    return float(f"{value:.{digits}g}")
