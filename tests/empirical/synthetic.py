"""Synthetic traces with known answers, for the fitting and verdict tests.

**Exact checkpoint simulator** (STATISTICS.md §0). SGD on f(w) = sum_i lam/2 w_i^2
(d equally curved coordinates, f* = 0 at w* = 0) with the oracle
g_k = lam w + beta + (sigma/sqrt(b)) xi_k, xi_k ~ N(0, I), and step eta_k:

    w_k = a_k w_{k-1} - eta_k beta - eta_k (sigma/sqrt(b)) xi_k,     a_k = 1 - eta_k lam.

The recursion is linear-Gaussian, so between checkpoints k_j < k_{j+1}

    w_{k_{j+1}} = Phi_j w_{k_j} + E_j + sqrt(V_j) Z,     Z ~ N(0, I),
    Phi_j = prod_t a_t,  E_j = -beta sum_t eta_t P_t,  V_j = (sigma^2/b) sum_t eta_t^2 P_t^2,

with t running over k_j < t <= k_{j+1} and P_t = prod_{t < s <= k_{j+1}} a_s. The state is
sampled exactly at the checkpoints only, for any schedule, vectorized over replicates;
the mean gap follows from m_{j+1} = Phi_j m_j + E_j, v_{j+1} = Phi_j^2 v_j + V_j and
E gap = d lam/2 (m^2 + v). With eta_k = 1/(lam k) and w_0 = 0, E gap_k = d sigma^2/(2 lam b k).

The other generators: a power law k^p (or any shape) times the normalized gap process
gap/E gap of that simulator (semi-synthetic, STATISTICS §3e), and linear convergence with
multiplicative noise e_k = (1 - eta x_k^2) e_{k-1}, x_k ~ N(0, 1), whose gap is computed
with cancellation as (f* + e^2/2) - f* in float64 (STATISTICS §4c).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from scipy import integrate, stats

Schedule = Callable[[np.ndarray], np.ndarray]


def checkpoints(k_max: int, per_decade: int = 10, k_min: int = 1) -> np.ndarray:
    """Geometric checkpoints from k_min to k_max, about ``per_decade`` per decade, unique ints."""
    n = int(np.ceil(per_decade * np.log10(k_max / k_min))) + 1
    return np.unique(np.round(np.geomspace(k_min, k_max, n)).astype(np.int64))


@dataclass(frozen=True)
class SimulatedTrace:
    """Gaps (R, J) at checkpoints k (J,), with the exact expected gap (J,)."""

    k: np.ndarray
    gaps: np.ndarray
    mean_gap: np.ndarray


def _transitions(
    k: np.ndarray, schedule: Schedule, lam: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Phi_j, S_j = sum eta_t P_t and Q_j = sum eta_t^2 P_t^2 for each segment (k_{j-1}, k_j]."""
    phi, s_sum, q_sum = np.empty(k.size), np.empty(k.size), np.empty(k.size)
    start = 0
    for j, stop in enumerate(k):
        t = np.arange(start + 1, stop + 1, dtype=float)
        eta = np.broadcast_to(np.asarray(schedule(t), dtype=float), t.shape)
        a = 1.0 - eta * lam
        # suffix[i] = prod_{s >= i} a_s within the segment; P_t = suffix[t + 1]
        suffix = np.cumprod(a[::-1])[::-1]
        after = np.append(suffix[1:], 1.0)
        phi[j] = suffix[0]
        s_sum[j] = np.sum(eta * after)
        q_sum[j] = np.sum((eta * after) ** 2)
        start = stop
    return phi, s_sum, q_sum


def simulate_sgd(
    k: np.ndarray,
    schedule: Schedule,
    replicates: int,
    seed: int,
    *,
    lam: float = 1.0,
    d: int = 1,
    sigma: float = 1.0,
    beta: float = 0.0,
    w0: float = 0.0,
    batch: int = 1,
) -> SimulatedTrace:
    """Exact SGD gaps f(w_k) - f* at the checkpoints ``k`` (module docstring)."""
    k = np.asarray(k, dtype=np.int64)
    with np.errstate(over="ignore", invalid="ignore"):  # divergent schedules overflow to inf
        return _simulate(k, schedule, replicates, seed, lam, d, sigma, beta, w0, batch)


def _simulate(
    k: np.ndarray,
    schedule: Schedule,
    replicates: int,
    seed: int,
    lam: float,
    d: int,
    sigma: float,
    beta: float,
    w0: float,
    batch: int,
) -> SimulatedTrace:
    phi, s_sum, q_sum = _transitions(k, schedule, lam)
    shift = -beta * s_sum
    var = sigma**2 / batch * q_sum
    rng = np.random.default_rng(seed)
    w = np.full((replicates, d), float(w0))
    gaps = np.empty((replicates, k.size))
    mean, variance = float(w0), 0.0
    mean_gap = np.empty(k.size)
    for j in range(k.size):
        w = phi[j] * w + shift[j] + np.sqrt(var[j]) * rng.standard_normal((replicates, d))
        gaps[:, j] = 0.5 * lam * np.sum(w * w, axis=1)
        mean = phi[j] * mean + shift[j]
        variance = phi[j] ** 2 * variance + var[j]
        mean_gap[j] = 0.5 * lam * d * (mean**2 + variance)
    return SimulatedTrace(k=k, gaps=gaps, mean_gap=mean_gap)


def brute_force_sgd(
    k: np.ndarray,
    schedule: Schedule,
    replicates: int,
    seed: int,
    *,
    lam: float = 1.0,
    d: int = 1,
    sigma: float = 1.0,
    beta: float = 0.0,
    w0: float = 0.0,
) -> np.ndarray:
    """The same SGD run step by step (a check of :func:`simulate_sgd`); gaps (R, J)."""
    rng = np.random.default_rng(seed)
    w = np.full((replicates, d), float(w0))
    wanted = set(np.asarray(k).tolist())
    out = []
    for t in range(1, int(np.max(k)) + 1):
        eta = float(schedule(np.array([float(t)]))[0])
        grad = lam * w + beta + sigma * rng.standard_normal((replicates, d))
        w = w - eta * grad
        if t in wanted:
            out.append(0.5 * lam * np.sum(w * w, axis=1))
    return np.stack(out, axis=1)


def inverse_k(c: float = 1.0, lam: float = 1.0, shift: float = 0.0) -> Schedule:
    """eta_k = c / (lam (k + shift))."""
    return lambda t: c / (lam * (t + shift))


def power_schedule(c: float, power: float) -> Schedule:
    """eta_k = c k^(-power)."""
    return lambda t: c * t ** (-power)


def constant(eta: float) -> Schedule:
    """eta_k = eta."""
    return lambda t: np.full_like(t, eta, dtype=float)


def shaped(k: np.ndarray, shape: np.ndarray, replicates: int, seed: int, d: int = 10) -> np.ndarray:
    """shape(k) times the normalized gap process gap/E gap of SGD with eta_k = 1/k, w_0 = 0.

    gap_k / E gap_k is chi^2_d / d at every k (exactly), with the realistic correlation
    corr(w_j, w_k) = (j/k)^(1/2) along a trajectory, so E log gap_k = log shape(k) + const.
    """
    trace = simulate_sgd(k, inverse_k(), replicates, seed, d=d)
    return np.asarray(shape, dtype=float) * trace.gaps / trace.mean_gap


def multiplicative_linear(
    k: np.ndarray, eta: float, replicates: int, seed: int, *, e0: float = 1.0, f_star: float = 1.0
) -> np.ndarray:
    """Gaps of e_k = (1 - eta x_k^2) e_{k-1}, computed with cancellation as (f* + e^2/2) - f*."""
    rng = np.random.default_rng(seed)
    steps = np.log(np.abs(1.0 - eta * rng.standard_normal((replicates, int(np.max(k)))) ** 2))
    log_e = np.log(abs(e0)) + np.cumsum(steps, axis=1)[:, np.asarray(k) - 1]
    value = f_star + 0.5 * np.exp(2.0 * log_e)
    return value - f_star


def almost_sure_log_rate(eta: float) -> float:
    """E log (1 - eta x^2)^2, x ~ N(0, 1): the per-step log-rate of the gap e^2/2."""

    def integrand(x: float) -> float:
        return 2.0 * np.log(abs(1.0 - eta * x * x)) * stats.norm.pdf(x)

    root = 1.0 / np.sqrt(eta)
    parts = [(0.0, root), (root, 2.0 * root), (2.0 * root, np.inf)]
    return 2.0 * sum(integrate.quad(integrand, lo, hi, limit=200)[0] for lo, hi in parts)
