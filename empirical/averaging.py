"""Iterate averages over w_1..w_k (the start w_0 excluded), recorded beside the last iterate.

* ``uniform``: ``(1/k) sum_{s=1}^k w_s`` (Polyak & Juditsky 1992; Ruppert 1988).
* ``suffix(alpha)``: the mean of the last ``m = max(1, ceil(alpha k))`` iterates,
  ``w_{k-m+1}..w_k`` (the alpha-suffix average of Rakhlin, Shamir & Sridharan 2012).
* ``polydecay(gamma)``: Shamir & Zhang 2013 (ICML), §4:
  ``wbar_t = (1 - r_t) wbar_{t-1} + r_t w_t`` with ``r_t = (gamma+1)/(t+gamma)``, t = 1..k
  (``r_1 = 1``, so ``wbar_1 = w_1``). Closed form (THEORY.md §0)
  ``wbar_k = sum_s c_{k,s} w_s`` with
  ``c_{k,s} = (gamma+1) Gamma(s+gamma) Gamma(k) / (Gamma(s) Gamma(k+gamma+1))``, proportional
  to the rising factorial ``s^(gamma)``: gamma = 0 is uniform, gamma = 1 is the linear
  weights ``2s/(k(k+1))``.

The runner keeps polydecay averages online with :func:`polydecay_rate`, and takes exact
suffix averages at a checkpoint k from prefix sums ``S_t = sum_{s<=t} w_s``:
``(S_k - S_{j-1})/(k - j + 1)`` with ``j = suffix_start(alpha, k)``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any, Literal

import numpy as np
from scipy.special import gammaln

from empirical.specs import split_spec
from theory import validation

AverageKind = Literal["uniform", "suffix", "polydecay"]

_PARAM_KEY = {"uniform": None, "suffix": "alpha", "polydecay": "gamma"}
_ALLOWED = "none, uniform, suffix:alpha=A (0 < A <= 1), polydecay:gamma=G (G >= 0)"


def _fmt(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _check_param(kind: str, param: Any) -> float | None:
    where = f"average {kind!r}"
    if kind == "suffix":
        return validation.real(where, "alpha", param, above=0.0, at_most=1.0)
    if kind == "polydecay":
        return validation.real(where, "gamma", param, at_least=0.0)
    if param is not None:
        raise validation.not_allowed(where, "param", param, "None (uniform takes no parameter)")
    return None


@dataclass(frozen=True)
class Average:
    """An averaging scheme: ``kind`` and its ``param`` (alpha for suffix, gamma for polydecay)."""

    kind: AverageKind
    param: float | None = None

    def __post_init__(self) -> None:
        validation.choice("average", "kind", self.kind, _PARAM_KEY, expected=_ALLOWED)
        object.__setattr__(self, "param", _check_param(self.kind, self.param))

    @property
    def label(self) -> str:
        """``uniform``, ``suffix(alpha=0.5)``, ``polydecay(gamma=1)``."""
        key = _PARAM_KEY[self.kind]
        return self.kind if key is None else f"{self.kind}({key}={_fmt(self.param)})"

    def to_spec(self) -> str:
        """The spec that :func:`parse_average` reads back: ``suffix:alpha=0.5``."""
        key = _PARAM_KEY[self.kind]
        return self.kind if key is None else f"{self.kind}:{key}={_fmt(self.param)}"


def parse_average(spec: str | Average | None) -> Average | None:
    """``none`` (or None) -> None; ``uniform``, ``suffix:alpha=A``, ``polydecay:gamma=G``."""
    if spec is None or isinstance(spec, Average):
        return spec
    name, params = split_spec(spec, "average")
    validation.choice("average", "name", name, ("none", *_PARAM_KEY), expected=_ALLOWED)
    if name == "none":
        validation.keys("average 'none'", params, [])
        return None
    key = _PARAM_KEY[name]
    keys = [] if key is None else [key]
    validation.keys(f"average {name!r}", params, keys, required=keys)
    return Average(name, None if key is None else params[key])


def _suffix_length(alpha: float, k: int) -> int:
    """``m = max(1, ceil(alpha k))``, with alpha read as its shortest decimal (0.1 is 1/10)."""
    return max(1, math.ceil(Fraction(repr(float(alpha))) * k))


def suffix_start(alpha: float, k: int) -> int:
    """The first index ``k - m + 1`` of the alpha-suffix average of w_1..w_k."""
    _check_param("suffix", alpha)
    validation.integer("suffix_start", "k", k, minimum=1)
    return k - _suffix_length(alpha, k) + 1


def polydecay_rate(gamma: float, t: int) -> float:
    """``r_t = (gamma+1)/(t+gamma)``: the weight of w_t in the polydecay recursion at step t."""
    return (gamma + 1.0) / (t + gamma)


def average_weights(avg: Average, k: int) -> np.ndarray:
    """The exact weights ``c_{k,1..k}`` of ``avg`` over w_1..w_k, as an array of shape (k,)."""
    k = validation.integer("average_weights", "k", k, minimum=1)
    s = np.arange(1, k + 1, dtype=float)
    if avg.kind == "uniform":
        return np.full(k, 1.0 / k)
    if avg.kind == "suffix":
        m = _suffix_length(avg.param, k)
        return np.where(s > k - m, 1.0 / m, 0.0)
    gamma = avg.param
    # Gamma(k+gamma+1) = (k+gamma) Gamma(k+gamma): c_{k,s} = (gamma+1)/(k+gamma) s^(gamma)/k^(gamma)
    log_c = _log_rising(s, gamma) - _log_rising(np.array([float(k)]), gamma)
    return (gamma + 1.0) / (k + gamma) * np.exp(log_c)


# lnGamma(z) = (z - 1/2) ln z - z + ln(2 pi)/2 + sum_j B_2j/(2j (2j-1) z^(2j-1)) (Stirling)
_STIRLING = (
    1 / 12,
    -1 / 360,
    1 / 1260,
    -1 / 1680,
    1 / 1188,
    -691 / 360360,
    1 / 156,
    -3617 / 122400,
)
_STIRLING_FROM = 10.0  # from here on, eight terms reach double precision


def _stirling_tail(z: np.ndarray) -> np.ndarray:
    inv, inv2 = 1.0 / z, 1.0 / (z * z)
    total, power = np.zeros_like(z), inv
    for coeff in _STIRLING:
        total += coeff * power
        power = power * inv2
    return total


def _log_rising(x: np.ndarray, a: float) -> np.ndarray:
    """``ln(Gamma(x + a)/Gamma(x))`` for x >= 1, a >= 0, with absolute error ~ eps * its size.

    ``gammaln(x + a) - gammaln(x)`` loses about ``eps * gammaln(x)`` to cancellation, so for
    x >= 10 the Stirling series is differenced term by term:
    ``(x - 1/2) log1p(a/x) + a ln(x + a) - a + tail(x + a) - tail(x)``.
    """
    out = np.empty_like(x)
    small = x < _STIRLING_FROM
    xs, xb = x[small], x[~small]
    out[small] = gammaln(xs + a) - gammaln(xs)
    out[~small] = (
        (xb - 0.5) * np.log1p(a / xb)
        + a * np.log(xb + a)
        - a
        + (_stirling_tail(xb + a) - _stirling_tail(xb))
    )
    return out
