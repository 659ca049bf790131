"""The compiled hot path: one fused numba kernel advancing R replicates by m updates.

For each replicate (``prange``; replicates are independent, so the parallel result is
the serial one bit for bit) and each update k = k0 + 1, ..., k0 + m the kernel takes

1. the gradient point p = lookahead(state, w_{k-1}) (w itself except Sutskever-Nesterov),
2. the family's minibatch gradient g at p from the pre-drawn indices or noise,
3. the optimizer update with the step lr[j] * scale[r] (formulas of
   ``empirical.optimizers``, in the same order of operations),
4. the projection onto the objective's box or ball, if any,
5. the divergence test: a non-finite iterate or ||w_k|| > 1e100 freezes the replicate
   (``alive[r] = False``) and records ``diverged_at[r] = k``,
6. the online averages wbar += rate_t (w_k - wbar) with rate_t = (gamma+1)/(t+gamma)
   (gamma = 0 is the uniform mean) and the prefix sum S_k = S_{k-1} + (w_k - w*) used
   for suffix averages,
7. at the requested updates, a snapshot of the iterate, averages and prefix sums.

One call can thus cover many checkpoints: the threads meet once per call, not once per
checkpoint (on a busy machine each meeting can cost a scheduler time slice).

For speed on small d, each replicate's rows of W, of the optimizer state and of the
averages are taken once per call, not once per update (an array view that numba cannot
prove short-lived costs atomic reference counting); Adam's bias corrections 1 - beta^k
are computed once per block for all replicates; and the divergence test forms ||w||^2
only when some |w_i| exceeds 1e100 / sqrt(d) (a vectorized comparison).
``bench/throughput.py`` measures the speed.

Everything is in this one file on purpose: numba's on-disk cache keys a function on its
own source file only, so a kernel calling helpers from another module could silently
keep stale machine code when that module changes. There is one kernel (``advance``),
defined at module level, dispatching on integer codes; no factories or closures, whose
cached variants numba can confuse. ``fastmath`` is off for bit-reproducible runs.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from empirical.objectives.base import Ball, Box, Objective
from empirical.optimizers.base import Optimizer
from theory.errors import InputError

_LINEAR_LS, _LOGISTIC, _HINGE, _LAD, _QUADRATIC, _HUBER, _REDDI = range(7)
FAMILY_CODES: dict[str, int] = {
    "linear-ls": _LINEAR_LS,
    "logistic": _LOGISTIC,
    "hinge": _HINGE,
    "lad": _LAD,
    "quadratic": _QUADRATIC,
    "huber": _HUBER,
    "reddi": _REDDI,
}
"""Objective families with a compiled gradient."""
FAMILY_ORACLES: dict[str, str] = {
    "linear-ls": "finite-sum",
    "logistic": "finite-sum",
    "hinge": "finite-sum",
    "lad": "finite-sum",
    "quadratic": "gaussian",
    "huber": "deterministic",
    "reddi": "finite-sum",
}
"""The oracle each compiled family's gradient formula assumes."""

OPTIMIZER_SLOTS: dict[str, int] = {
    "sgd": 0,
    "momentum": 1,
    "nesterov": 1,
    "adagrad": 1,
    "rmsprop": 1,
    "adadelta": 2,
    "adam": 2,
    "adamax": 2,
    "amsgrad": 3,
    "rprop": 2,
}
"""Built-in optimizers with a compiled update, and their number of (R, d) state buffers."""

_SGD, _MOMENTUM, _NESTEROV, _SUTSKEVER = 0, 1, 2, 3
_ADAGRAD, _RMSPROP, _ADADELTA, _ADAM, _ADAMAX, _AMSGRAD, _RPROP = 4, 5, 6, 7, 8, 9, 10
_NO_DOMAIN, _BOX, _BALL = 0, 1, 2
DIVERGENCE_LIMIT = 1e100
"""A replicate diverges when its iterate is not finite or ||w|| > DIVERGENCE_LIMIT."""

_JIT = {"cache": True, "fastmath": False, "error_model": "numpy", "nogil": True}


class FamilyData(NamedTuple):
    """The arrays one family's gradient needs, in the kernel's fixed layout."""

    code: int
    X: np.ndarray  # (n, d) design, or (0, d)
    y: np.ndarray  # (n,) targets, or (0,)
    vec: np.ndarray  # (d,) per-coordinate data (quadratic: curvatures h), or (0,)
    center: np.ndarray  # (d,) (quadratic: w*), or (0,)
    scal: np.ndarray  # scalars: [reg] (lad: reg = 0), [sigma], [L, tau], [C]


class OptimizerData(NamedTuple):
    """Integer code, float parameters and number of state buffers of a built-in optimizer."""

    code: int
    params: np.ndarray
    slots: int


class DomainData(NamedTuple):
    """Projection set: code, box bounds or ball center (d,), ball radius."""

    code: int
    lo: np.ndarray
    hi: np.ndarray
    radius: float


def pack_objective(objective: Objective) -> FamilyData | None:
    """The kernel layout of ``objective``'s data, or None if its family is not compiled.

    The kernel reads its arrays without bounds checks, so the shapes are checked here
    (and the oracle each family's gradient assumes); a mismatch is an InputError.
    """
    code = FAMILY_CODES.get(objective.family)
    if code is None:
        return None
    n, d = objective.n, objective.d
    if objective.oracle != FAMILY_ORACLES[objective.family]:
        raise InputError(
            f"objective {objective.name!r}: family {objective.family!r} needs oracle "
            f"{FAMILY_ORACLES[objective.family]!r}, but it declares {objective.oracle!r}"
        )
    data = objective.kernel_data()
    none = np.empty(0)

    def arr(key: str, shape: tuple[int | None, ...]) -> np.ndarray:
        values = _writable(data[key])
        if values.shape != shape:
            raise InputError(
                f"objective {objective.name!r}: kernel_data[{key!r}] has shape "
                f"{values.shape}, expected {shape} (n={n}, d={d})"
            )
        return values

    def scal(*keys: str) -> np.ndarray:
        return np.array([float(data[key]) for key in keys])

    if objective.family in ("linear-ls", "logistic", "hinge", "lad"):
        return FamilyData(code, arr("X", (n, d)), arr("y", (n,)), none, none, scal("reg"))
    empty_rows = np.empty((0, d))
    if objective.family == "quadratic":
        h, center = arr("h", (d,)), arr("w_star", (d,))
        return FamilyData(code, empty_rows, none, h, center, scal("sigma"))
    if objective.family == "huber":
        return FamilyData(code, empty_rows, none, none, none, scal("L", "tau"))
    if (n, d) != (3, 1):
        raise InputError(f"objective {objective.name!r}: family 'reddi' needs n = 3, d = 1")
    return FamilyData(code, empty_rows, none, none, none, scal("C"))


def pack_optimizer(optimizer: Optimizer) -> OptimizerData | None:
    """Code and parameters of a built-in optimizer, or None if it runs the numpy path."""
    if not optimizer.builtin or optimizer.name not in OPTIMIZER_SLOTS:
        return None
    hp = optimizer.hyperparams
    name = optimizer.name
    if name == "sgd":
        code, params = _SGD, []
    elif name == "momentum":
        code, params = _MOMENTUM, [hp["beta"]]
    elif name == "nesterov":
        code = _NESTEROV if hp["convention"] == "pytorch" else _SUTSKEVER
        auto = hp["beta"] == "auto"
        params = [0.0 if auto else hp["beta"], float(auto)]
    elif name == "adagrad":
        code, params = _ADAGRAD, [hp["eps"]]
    elif name == "rmsprop":
        code, params = _RMSPROP, [hp["beta2"], hp["eps"]]
    elif name == "adadelta":
        code, params = _ADADELTA, [hp["rho"], hp["eps"]]
    elif name == "adamax":
        code, params = _ADAMAX, [hp["beta1"], hp["beta2"], hp["eps"]]
    elif name == "rprop":
        code = _RPROP
        params = [hp["eta_minus"], hp["eta_plus"], hp["step_min"], hp["step_max"]]
    else:
        code = _ADAM if name == "adam" else _AMSGRAD
        params = [hp["beta1"], hp["beta2"], hp["eps"], float(hp["bias_correction"])]
    return OptimizerData(code, np.array(params, dtype=np.float64), OPTIMIZER_SLOTS[name])


def pack_domain(domain: Box | Ball | None, d: int) -> DomainData:
    """The kernel layout of a projection set (box: lo, hi; ball: center in ``lo``)."""
    if domain is None:
        return DomainData(_NO_DOMAIN, np.empty(0), np.empty(0), 0.0)
    if isinstance(domain, Box):
        lo = _writable(np.broadcast_to(domain.lo, (d,)))
        hi = _writable(np.broadcast_to(domain.hi, (d,)))
        return DomainData(_BOX, lo, hi, 0.0)
    center = _writable(np.broadcast_to(domain.center, (d,)))
    return DomainData(_BALL, center, np.empty(0), float(domain.radius))


def _writable(values: object) -> np.ndarray:
    """A C-contiguous, writable float64 array (a copy when needed).

    Numba types read-only arrays separately, so frozen objective data would otherwise
    compile (and cache) a second copy of the kernel.
    """
    arr = np.asarray(values, dtype=np.float64)
    if arr.flags.c_contiguous and arr.flags.writeable:
        return arr
    return np.array(arr, dtype=np.float64, order="C")


@numba.njit(inline="always", **_JIT)
def _sign(x):
    """sign(x) in {-1, 0, 1} (NaN gives 0)."""
    if x > 0.0:
        return 1.0
    if x < 0.0:
        return -1.0
    return 0.0


@numba.njit(inline="always", **_JIT)
def _dot(x, p):
    """x . p, summed in four interleaved partial sums (a fixed order; no fastmath)."""
    d = p.shape[0]
    z0 = 0.0
    z1 = 0.0
    z2 = 0.0
    z3 = 0.0
    i = 0
    while i + 4 <= d:
        z0 += x[i] * p[i]
        z1 += x[i + 1] * p[i + 1]
        z2 += x[i + 2] * p[i + 2]
        z3 += x[i + 3] * p[i + 3]
        i += 4
    while i < d:
        z0 += x[i] * p[i]
        i += 1
    return (z0 + z1) + (z2 + z3)


@numba.njit(inline="always", **_JIT)
def _gradient(family, X, y, vec, center, scal, idx, noise, r, j, p, g):
    """g = the family's minibatch (sub)gradient at p, batch row (r, j)."""
    d = p.shape[0]
    if family == _QUADRATIC:  # quadratic: h (p - w*) + sigma z/sqrt(b)
        sigma = scal[0]
        for i in range(d):
            g[i] = vec[i] * (p[i] - center[i]) + sigma * noise[r, j, i]
        return
    if family == _HUBER:  # Drori-Teboulle's Huber function: L clip(p, -tau, tau)
        L, tau = scal[0], scal[1]
        for i in range(d):
            g[i] = L * min(max(p[i], -tau), tau)
        return
    b = idx.shape[2]
    if family == _REDDI:  # Reddi et al.: f_0 = C x, f_1 = f_2 = -x
        total = 0.0
        for a in range(b):
            total += scal[0] if idx[r, j, a] == 0 else -1.0
        g[0] = total / b
        return
    # linear models: g = (1/b) sum_a c_a x_{s_a} + reg p, with c_a = phi'(x_{s_a}.p)
    reg = scal[0]
    for a in range(b):
        s = idx[r, j, a]
        x = X[s]
        z = _dot(x, p)
        if family == _LINEAR_LS:  # (x.w - y) x
            c = z - y[s]
        elif family == _LOGISTIC:  # -y x / (1 + exp(y x.w))
            c = -y[s] / (1.0 + np.exp(y[s] * z))
        elif family == _HINGE:  # -y x where y x.w < 1
            c = -y[s] if y[s] * z < 1.0 else 0.0
        else:  # lad: sign(x.w - y) x
            c = _sign(z - y[s])
        if b == 1:  # the mean over one sample, without a division
            for i in range(d):
                g[i] = c * x[i] + reg * p[i]
        elif a == 0:
            for i in range(d):
                g[i] = c * x[i]
        elif a < b - 1:
            for i in range(d):
                g[i] += c * x[i]
        else:
            for i in range(d):
                g[i] = (g[i] + c * x[i]) / b + reg * p[i]


@numba.njit(inline="always", **_JIT)
def _beta(hp, k):
    """Nesterov momentum at update k: hp[0], or (k-1)/(k+2) when hp[1] (``auto``)."""
    if hp[1] != 0.0:
        return (k - 1) / (k + 2)
    return hp[0]


@numba.njit(inline="always", **_JIT)
def _bias_corrections(opt, hp, k0, m):
    """(m, 2): 1 - beta1^k and sqrt(1 - beta2^k) at updates k = k0+1..k0+m (Adam's family).

    Computed once per block for all replicates; ones for the other optimizers.
    """
    out = np.ones((m, 2))
    if opt in (_ADAM, _AMSGRAD, _ADAMAX):
        for j in range(m):
            k = k0 + j + 1
            out[j, 0] = 1.0 - hp[0] ** float(k)
            if opt != _ADAMAX:
                out[j, 1] = np.sqrt(1.0 - hp[1] ** float(k))
    return out


@numba.njit(inline="always", **_JIT)
def _update(opt, hp, st, w, g, eta, k, c1, root_c2):
    """One optimizer update of w (d,) and its state st (slots, d) in place.

    c1 = 1 - beta1^k and root_c2 = sqrt(1 - beta2^k) are Adam's bias corrections.
    """
    d = w.shape[0]
    if opt == _SGD:
        for i in range(d):
            w[i] = w[i] - eta * g[i]
    elif opt == _MOMENTUM:
        beta = hp[0]
        for i in range(d):
            st[0, i] = beta * st[0, i] + g[i]
            w[i] = w[i] - eta * st[0, i]
    elif opt == _NESTEROV:
        beta = _beta(hp, k)
        for i in range(d):
            st[0, i] = beta * st[0, i] + g[i]
            w[i] = w[i] - eta * (g[i] + beta * st[0, i])
    elif opt == _SUTSKEVER:
        beta = _beta(hp, k)
        for i in range(d):
            st[0, i] = beta * st[0, i] - eta * g[i]
            w[i] = w[i] + st[0, i]
    elif opt == _ADAGRAD:
        eps = hp[0]
        for i in range(d):
            st[0, i] = st[0, i] + g[i] * g[i]
            w[i] = w[i] - eta * g[i] / (np.sqrt(st[0, i]) + eps)
    elif opt == _RMSPROP:
        beta2, eps = hp[0], hp[1]
        for i in range(d):
            st[0, i] = beta2 * st[0, i] + (1.0 - beta2) * (g[i] * g[i])
            w[i] = w[i] - eta * g[i] / (np.sqrt(st[0, i]) + eps)
    elif opt == _ADADELTA:
        rho, eps = hp[0], hp[1]
        for i in range(d):
            st[0, i] = rho * st[0, i] + (1.0 - rho) * (g[i] * g[i])
            delta = np.sqrt(st[1, i] + eps) / np.sqrt(st[0, i] + eps) * g[i]
            st[1, i] = rho * st[1, i] + (1.0 - rho) * (delta * delta)
            w[i] = w[i] - eta * delta
    elif opt == _ADAMAX:
        beta1, beta2, eps = hp[0], hp[1], hp[2]
        step = eta / c1
        for i in range(d):
            st[0, i] = beta1 * st[0, i] + (1.0 - beta1) * g[i]
            st[1, i] = max(beta2 * st[1, i], abs(g[i]))
            w[i] = w[i] - step * st[0, i] / (st[1, i] + eps)
    elif opt == _RPROP:  # the step in slot 0 (0 until the first update), the last g in slot 1
        eta_minus, eta_plus, step_min, step_max = hp[0], hp[1], hp[2], hp[3]
        for i in range(d):
            step = st[0, i] if st[0, i] > 0.0 else eta
            gi = g[i]
            agree = gi * st[1, i]
            if agree > 0.0:
                step = step * eta_plus
            elif agree < 0.0:
                step = step * eta_minus
                gi = 0.0
            step = min(max(step, step_min), step_max)
            st[0, i] = step
            st[1, i] = gi
            w[i] = w[i] - _sign(gi) * step
    else:  # adam, amsgrad: m in slot 0, v in slot 1, vhat in slot 2
        beta1, beta2, eps, corrected = hp[0], hp[1], hp[2], hp[3] != 0.0
        second = 2 if opt == _AMSGRAD else 1
        for i in range(d):
            st[0, i] = beta1 * st[0, i] + (1.0 - beta1) * g[i]
            st[1, i] = beta2 * st[1, i] + (1.0 - beta2) * (g[i] * g[i])
            if opt == _AMSGRAD:
                st[2, i] = max(st[2, i], st[1, i])
            if corrected:
                w[i] = w[i] - (eta / c1) * st[0, i] / (np.sqrt(st[second, i]) / root_c2 + eps)
            else:
                w[i] = w[i] - eta * st[0, i] / (np.sqrt(st[second, i]) + eps)


@numba.njit(inline="always", **_JIT)
def _project(domain, lo, hi, radius, w):
    """Euclidean projection of w onto the box [lo, hi] or the ball B(lo, radius)."""
    d = w.shape[0]
    if domain == _BOX:
        for i in range(d):
            if w[i] < lo[i]:
                w[i] = lo[i]
            elif w[i] > hi[i]:
                w[i] = hi[i]
    elif domain == _BALL:
        norm2 = 0.0
        for i in range(d):
            norm2 += (w[i] - lo[i]) * (w[i] - lo[i])
        shrink = min(1.0, radius / max(np.sqrt(norm2), 2.2250738585072014e-308))
        for i in range(d):
            w[i] = lo[i] + (w[i] - lo[i]) * shrink


@numba.njit(inline="always", **_JIT)
def _diverged(w, coordinate_limit):
    """True if ||w||^2 > DIVERGENCE_LIMIT^2 or w has a NaN or an infinity.

    The sum of squares is formed only when some |w_i| exceeds ``coordinate_limit``
    (just under DIVERGENCE_LIMIT / sqrt(d)) or is NaN: otherwise ||w||^2 < d limit^2
    < DIVERGENCE_LIMIT^2 and the answer is no. The test vectorizes; the sum does not.
    """
    d = w.shape[0]
    suspect = False
    for i in range(d):
        suspect |= not abs(w[i]) <= coordinate_limit
    if not suspect:
        return False
    s0 = 0.0
    s1 = 0.0
    i = 0
    while i + 2 <= d:
        s0 += w[i] * w[i]
        s1 += w[i + 1] * w[i + 1]
        i += 2
    if i < d:
        s0 += w[i] * w[i]
    return not s0 + s1 <= DIVERGENCE_LIMIT * DIVERGENCE_LIMIT


@numba.njit(parallel=True, **_JIT)
def advance(
    family,
    X,
    y,
    vec,
    center,
    scal,
    opt,
    hp,
    domain,
    lo,
    hi,
    radius,
    W,
    state,
    idx,
    noise,
    lr,
    scale,
    k0,
    gammas,
    averages,
    w_star,
    prefix,
    alive,
    diverged_at,
    snap,
    snap_w,
    snap_avg,
    snap_prefix,
):
    """Advance every alive replicate of W (R, d) by len(lr) updates, in place.

    ``state`` (R, slots, d) holds the optimizer buffers, ``idx`` (R, m, b) the batch
    indices (finite sums), ``noise`` (R, m, d) the scaled Gaussian noise (quadratic),
    ``averages`` (R, len(gammas), d) the polynomial-decay averages, ``prefix`` (R, d) or
    (R, 0) the prefix sums of w - w*; k0 is the number of updates already done.
    After update k0 + snap[s] (snap: increasing offsets in 1..m) the iterate, the
    averages and the prefix sums are copied to ``snap_w[:, s]``, ``snap_avg[:, s]`` and
    ``snap_prefix[:, s]``; a replicate that diverged leaves its later snapshots as given.
    """
    R, d = W.shape
    m = lr.shape[0]
    n_avg = gammas.shape[0]
    n_snap = snap.shape[0]
    track_prefix = prefix.shape[1] > 0
    lookahead = opt == _SUTSKEVER
    coordinate_limit = DIVERGENCE_LIMIT / np.sqrt(d) * (1.0 - 1e-12)
    bias = _bias_corrections(opt, hp, k0, m)
    for r in numba.prange(R):
        if not alive[r]:
            continue
        w = W[r]  # views made once per replicate: none in the update loop
        st = state[r]
        avg = averages[r]
        pre = prefix[r]
        p = np.empty(d)
        g = np.empty(d)
        s = 0
        for j in range(m):
            k = k0 + j + 1
            if lookahead:
                beta = _beta(hp, k)
                for i in range(d):
                    p[i] = w[i] + beta * st[0, i]
                _gradient(family, X, y, vec, center, scal, idx, noise, r, j, p, g)
            else:
                _gradient(family, X, y, vec, center, scal, idx, noise, r, j, w, g)
            _update(opt, hp, st, w, g, lr[j] * scale[r], k, bias[j, 0], bias[j, 1])
            _project(domain, lo, hi, radius, w)
            if _diverged(w, coordinate_limit):
                alive[r] = False
                diverged_at[r] = k
                break
            for a in range(n_avg):
                rate = (gammas[a] + 1.0) / (k + gammas[a])
                for i in range(d):
                    avg[a, i] = avg[a, i] + rate * (w[i] - avg[a, i])
            if track_prefix:
                for i in range(d):
                    pre[i] = pre[i] + (w[i] - w_star[i])
            if s < n_snap and snap[s] == j + 1:
                for i in range(d):
                    snap_w[r, s, i] = w[i]
                for a in range(n_avg):
                    for i in range(d):
                        snap_avg[r, s, a, i] = avg[a, i]
                if track_prefix:
                    for i in range(d):
                        snap_prefix[r, s, i] = pre[i]
                s += 1
