"""Built-in optimizers against plain per-replicate, per-coordinate reference loops.

Each reference is written from the paper's (or PyTorch's) formula for one scalar
coordinate; every built-in update is coordinatewise, so a run over (R, d) arrays must
match the reference for each (replicate, coordinate) pair.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from empirical.optimizers import (
    OPTIMIZERS,
    Optimizer,
    is_user_reference,
    momentum,
    nesterov,
    optimizer,
)
from theory.errors import InputError, UnknownNameError

R, D, K = 3, 4, 15
SEED = 20261126

# ---------------------------------------------------------------------------------------
# A separable test problem: coordinate i of replicate r has gradient A[i] x + NOISE[k, r, i]
# at the evaluation point x of update k. Coordinate 0 has A = 0 and mostly zero noise, so
# gradients there are often exactly 0 (the eps edge cases).
# ---------------------------------------------------------------------------------------
_rng = np.random.default_rng(SEED)
A = np.array([0.0, 0.5, 1.0, 2.0])
NOISE = _rng.normal(size=(K, R, D))
NOISE[:, :, 0] *= _rng.random((K, R)) < 0.3
W0 = _rng.normal(size=(R, D))
LR_SCALE = np.array([0.3, 0.1, 0.05])  # per replicate
ALL_ROWS = tuple(range(R))


def grad_at(k: int, r: int, i: int, x: float) -> float:
    return A[i] * x + NOISE[k - 1, r, i]


def lr_at(k: int, r: int, mode: str) -> float:
    return (0.2 if mode == "float" else LR_SCALE[r]) / math.sqrt(k)


def lr_arg(k: int, mode: str, rows: tuple[int, ...] = ALL_ROWS) -> float | np.ndarray:
    if mode == "float":
        return lr_at(k, 0, mode)
    column = np.array([lr_at(k, r, mode) for r in rows])
    return column if mode == "per-replicate (R,)" else column[:, None]


# ---------------------------------------------------------------------------------------
# References: one coordinate, k = 1..K; grad(k, x) is the gradient of update k at x.
# ---------------------------------------------------------------------------------------


def ref_sgd(w, grad, lrs):
    out = []
    for k, lr in enumerate(lrs, 1):
        w = w - lr * grad(k, w)
        out.append(w)
    return out


def ref_rprop(w, grad, lrs, eta_minus, eta_plus, step_min, step_max):
    """Riedmiller & Braun's rule without backtracking, one coordinate; lr_1 is the first step."""
    step, prev, out = lrs[0], 0.0, []
    for k in range(1, len(lrs) + 1):
        g = grad(k, w)
        if g * prev > 0:
            step = min(step * eta_plus, step_max)
        elif g * prev < 0:
            step, g = max(step * eta_minus, step_min), 0.0
        else:
            step = min(max(step, step_min), step_max)
        w = w - math.copysign(step, g) if g != 0 else w
        prev = g
        out.append(w)
    return out


def ref_momentum(w, grad, lrs, beta):
    v, out = 0.0, []
    for k, lr in enumerate(lrs, 1):
        v = beta * v + grad(k, w)
        w = w - lr * v
        out.append(w)
    return out


def _beta_k(beta, k):
    return (k - 1) / (k + 2) if beta == "auto" else beta


def ref_nesterov_pytorch(w, grad, lrs, beta):
    v, out = 0.0, []
    for k, lr in enumerate(lrs, 1):
        b = _beta_k(beta, k)
        g = grad(k, w)
        v = b * v + g
        w = w - lr * (g + b * v)
        out.append(w)
    return out


def ref_nesterov_sutskever(w, grad, lrs, beta):
    v, out = 0.0, []
    for k, lr in enumerate(lrs, 1):
        b = _beta_k(beta, k)
        v = b * v - lr * grad(k, w + b * v)
        w = w + v
        out.append(w)
    return out


def ref_adagrad(w, grad, lrs, eps):
    G, out = 0.0, []
    for k, lr in enumerate(lrs, 1):
        g = grad(k, w)
        G = G + g * g
        w = w - lr * g / (math.sqrt(G) + eps)
        out.append(w)
    return out


def ref_rmsprop(w, grad, lrs, beta2, eps):
    v, out = 0.0, []
    for k, lr in enumerate(lrs, 1):
        g = grad(k, w)
        v = beta2 * v + (1 - beta2) * g * g
        w = w - lr * g / (math.sqrt(v) + eps)
        out.append(w)
    return out


def ref_adadelta(w, grad, lrs, rho, eps):
    # Zeiler 2012, Algorithm 1: E[g^2], RMS[dx]_{t-1}/RMS[g]_t, E[dx^2]; lr scales the step.
    eg2, edx2, out = 0.0, 0.0, []
    for k, lr in enumerate(lrs, 1):
        g = grad(k, w)
        eg2 = rho * eg2 + (1 - rho) * g * g
        dx = -math.sqrt(edx2 + eps) / math.sqrt(eg2 + eps) * g
        edx2 = rho * edx2 + (1 - rho) * dx * dx
        w = w + lr * dx
        out.append(w)
    return out


def ref_adam(w, grad, lrs, beta1, beta2, eps, bias_correction):
    m, v, out = 0.0, 0.0, []
    for k, lr in enumerate(lrs, 1):
        g = grad(k, w)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        mhat = m / (1 - beta1**k) if bias_correction else m
        vhat = v / (1 - beta2**k) if bias_correction else v
        w = w - lr * mhat / (math.sqrt(vhat) + eps)
        out.append(w)
    return out


def ref_adamax(w, grad, lrs, beta1, beta2, eps):
    m, u, out = 0.0, 0.0, []
    for k, lr in enumerate(lrs, 1):
        g = grad(k, w)
        m = beta1 * m + (1 - beta1) * g
        u = max(beta2 * u, abs(g))
        w = w - (lr / (1 - beta1**k)) * m / (u + eps)
        out.append(w)
    return out


def ref_amsgrad(w, grad, lrs, beta1, beta2, eps, bias_correction):
    m, v, vmax, out = 0.0, 0.0, 0.0, []
    for k, lr in enumerate(lrs, 1):
        g = grad(k, w)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        vmax = max(vmax, v)
        if bias_correction:  # torch.optim.Adam(amsgrad=True)
            w = w - lr * (m / (1 - beta1**k)) / (math.sqrt(vmax / (1 - beta2**k)) + eps)
        else:  # Reddi et al. 2018, Algorithm 2, plus eps
            w = w - lr * m / (math.sqrt(vmax) + eps)
        out.append(w)
    return out


# spec, reference, the reference's hyper-parameters (the spec's resolved values)
CASES = [
    ("sgd", ref_sgd, {}),
    ("momentum", ref_momentum, {"beta": 0.9}),
    ("momentum:beta=0.5", ref_momentum, {"beta": 0.5}),
    ("nesterov", ref_nesterov_pytorch, {"beta": 0.9}),
    ("nesterov:beta=auto", ref_nesterov_pytorch, {"beta": "auto"}),
    ("nesterov:convention=sutskever,beta=0.6", ref_nesterov_sutskever, {"beta": 0.6}),
    ("nesterov:convention=sutskever,beta=auto", ref_nesterov_sutskever, {"beta": "auto"}),
    ("adagrad", ref_adagrad, {"eps": 1e-10}),
    ("adagrad:eps=0.5", ref_adagrad, {"eps": 0.5}),
    ("rmsprop", ref_rmsprop, {"beta2": 0.99, "eps": 1e-8}),
    ("rmsprop:beta2=0.5,eps=0.3", ref_rmsprop, {"beta2": 0.5, "eps": 0.3}),
    ("adadelta", ref_adadelta, {"rho": 0.9, "eps": 1e-6}),
    ("adadelta:rho=0.5,eps=0.01", ref_adadelta, {"rho": 0.5, "eps": 0.01}),
    ("adam", ref_adam, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "bias_correction": True}),
    (
        "adam:beta1=0.5,beta2=0.8,eps=0.2",
        ref_adam,
        {"beta1": 0.5, "beta2": 0.8, "eps": 0.2, "bias_correction": True},
    ),
    (
        "adam:beta1=0.5,beta2=0.8,eps=0.2,bias_correction=false",
        ref_adam,
        {"beta1": 0.5, "beta2": 0.8, "eps": 0.2, "bias_correction": False},
    ),
    ("adamax", ref_adamax, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
    ("adamax:beta1=0.3,beta2=0.7,eps=0.2", ref_adamax, {"beta1": 0.3, "beta2": 0.7, "eps": 0.2}),
    ("amsgrad", ref_amsgrad, {"beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "bias_correction": False}),
    (
        "amsgrad:beta1=0.5,beta2=0.6,eps=0.2",
        ref_amsgrad,
        {"beta1": 0.5, "beta2": 0.6, "eps": 0.2, "bias_correction": False},
    ),
    (
        "amsgrad:beta1=0.5,beta2=0.6,eps=0.2,bias_correction=true",
        ref_amsgrad,
        {"beta1": 0.5, "beta2": 0.6, "eps": 0.2, "bias_correction": True},
    ),
    (
        "rprop",
        ref_rprop,
        {"eta_minus": 0.5, "eta_plus": 1.2, "step_min": 1e-6, "step_max": 50.0},
    ),
    (
        "rprop:eta_minus=0.3,eta_plus=1.5,step_min=0.01,step_max=0.2",
        ref_rprop,
        {"eta_minus": 0.3, "eta_plus": 1.5, "step_min": 0.01, "step_max": 0.2},
    ),
]
LR_MODES = ["float", "per-replicate (R,)", "per-replicate (R, 1)"]


def run(opt: Optimizer, lr_mode: str, rows: tuple[int, ...] = ALL_ROWS) -> np.ndarray:
    """Iterates w_1..w_K of the replicates ``rows``, shape (K, len(rows), d).

    Gradients are taken at ``opt.lookahead(state, w)``.
    """
    rows = list(rows)
    state, w, out = opt.init(W0[rows]), W0[rows], []
    for k in range(1, K + 1):
        x = opt.lookahead(state, w)
        grad = A * x + NOISE[k - 1, rows]
        w, state = opt.update(grad, state, w, lr_arg(k, lr_mode, rows))
        out.append(w)
    return np.array(out)


@pytest.mark.parametrize("lr_mode", LR_MODES)
@pytest.mark.parametrize(("spec", "reference", "hyper"), CASES, ids=[c[0] for c in CASES])
def test_update_matches_reference(spec, reference, hyper, lr_mode):
    got = run(optimizer(spec), lr_mode)
    assert got.shape == (K, R, D)
    for r in range(R):
        lrs = [lr_at(k, r, lr_mode) for k in range(1, K + 1)]
        for i in range(D):

            def grad(k, x, r=r, i=i):
                return grad_at(k, r, i, x)

            expected = reference(W0[r, i], grad, lrs, **hyper)
            np.testing.assert_allclose(got[:, r, i], expected, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(("spec", "reference", "hyper"), CASES, ids=[c[0] for c in CASES])
def test_hyperparams_hold_the_resolved_set(spec, reference, hyper):
    opt = optimizer(spec)
    assert opt.builtin and opt.name == spec.partition(":")[0]
    expected = dict(hyper)
    if opt.name == "nesterov":
        expected["convention"] = "sutskever" if "sutskever" in spec else "pytorch"
    assert dict(opt.hyperparams) == expected


@pytest.mark.parametrize("spec", [c[0] for c in CASES])
def test_replicates_are_independent(spec):
    opt = optimizer(spec)
    together = run(opt, "per-replicate (R,)")
    for r in range(R):
        alone = run(opt, "per-replicate (R,)", (r,))[:, 0]
        np.testing.assert_array_equal(alone, together[:, r])


@pytest.mark.parametrize("spec", [c[0] for c in CASES])
def test_update_is_pure(spec):
    opt = optimizer(spec)
    state = opt.init(W0)
    for k in (1, 2):  # a second step, so the state holds non-zero arrays
        grad, lr = A * W0 + NOISE[k - 1], lr_arg(k, "per-replicate (R,)")
        snapshot = [np.copy(a) for a in (grad, W0, lr, *state)]
        first, second = opt.update(grad, state, W0, lr), opt.update(grad, state, W0, lr)
        for before, after in zip(snapshot, (grad, W0, lr, *state), strict=True):
            np.testing.assert_array_equal(before, after)
        np.testing.assert_array_equal(first[0], second[0])
        state = first[1]


# ---------------------------------------------------------------------------------------
# Identities stated in the docstrings, on a deterministic quadratic (no noise).
# f(x) = (1/2) sum_i A2_i x_i^2 per replicate, L = max A2.
# ---------------------------------------------------------------------------------------
A2 = np.array([0.1, 1.0, 3.0, 4.0])


def _run_deterministic(opt: Optimizer, lrs: list[float]):
    state, w, iterates, looks = opt.init(W0), W0, [], []
    for lr in lrs:
        y = opt.lookahead(state, w)
        looks.append(y)
        w, state = opt.update(A2 * y, state, w, lr)
        iterates.append(w)
    return np.array(iterates), np.array(looks), state


def test_nesterov_auto_sutskever_is_the_accelerated_method():
    """y_k = x_k + ((k-1)/(k+2))(x_k - x_{k-1}), x_{k+1} = y_k - lr grad f(y_k), x_1 = w_0."""
    lr = 1.0 / A2.max()
    iterates, looks, _ = _run_deterministic(
        optimizer("nesterov:beta=auto,convention=sutskever"), [lr] * K
    )
    x_prev, x = W0, W0  # x_0 = x_1: the k = 1 momentum weight is 0 anyway
    for k in range(1, K + 1):
        y = x + ((k - 1) / (k + 2)) * (x - x_prev)
        x_prev, x = x, y - lr * (A2 * y)
        np.testing.assert_allclose(looks[k - 1], y, rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(iterates[k - 1], x, rtol=1e-13, atol=1e-15)


def test_heavy_ball_is_polyaks_two_step_form_for_a_constant_step():
    beta, lr = 0.7, 0.2
    iterates, _, _ = _run_deterministic(momentum(beta=beta), [lr] * K)
    w_prev, w = W0, W0  # w_{-1} = w_0
    for k in range(1, K + 1):
        w_prev, w = w, w - lr * (A2 * w) + beta * (w - w_prev)
        np.testing.assert_allclose(iterates[k - 1], w, rtol=1e-12, atol=1e-14)


def test_heavy_ball_forms_differ_for_a_varying_step():
    beta, lrs = 0.7, [0.5 / k for k in range(1, K + 1)]
    iterates, _, _ = _run_deterministic(momentum(beta=beta), lrs)
    w_prev, w = W0, W0
    for lr in lrs:
        w_prev, w = w, w - lr * (A2 * w) + beta * (w - w_prev)
    assert np.max(np.abs(iterates[-1] - w)) > 1e-3


def test_nesterov_pytorch_iterates_are_sutskever_lookahead_points():
    beta, lr = 0.8, 0.15
    pytorch, _, _ = _run_deterministic(nesterov(beta=beta), [lr] * K)
    sutskever = nesterov(beta=beta, convention="sutskever")
    state, w = sutskever.init(W0), W0
    for k in range(K):
        w, state = sutskever.update(A2 * sutskever.lookahead(state, w), state, w, lr)
        np.testing.assert_allclose(pytorch[k], w + beta * state.v, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize(
    ("spec", "same_as"),
    [
        ("momentum:beta=0", "sgd"),
        ("rmsprop:beta2=0.8,eps=0.1", "adam:beta1=0,beta2=0.8,eps=0.1,bias_correction=false"),
    ],
)
def test_special_cases_coincide(spec, same_as):
    lrs = [0.3 / math.sqrt(k) for k in range(1, K + 1)]
    first, _, _ = _run_deterministic(optimizer(spec), lrs)
    second, _, _ = _run_deterministic(optimizer(same_as), lrs)
    np.testing.assert_allclose(first, second, rtol=1e-13, atol=1e-15)


# ---------------------------------------------------------------------------------------
# Specs and validation
# ---------------------------------------------------------------------------------------


def test_registry_lists_every_family():
    assert set(OPTIMIZERS) == {c[0].partition(":")[0] for c in CASES}


def test_an_optimizer_passes_through():
    opt = optimizer("adam")
    assert optimizer(opt) is opt


def test_integer_values_are_stored_as_floats():
    opt = optimizer("momentum:beta=0")
    assert opt.hyperparams == {"beta": 0.0} and isinstance(opt.hyperparams["beta"], float)


def test_hyperparams_are_a_copy_of_the_closed_over_values():
    opt = optimizer("adam:eps=0.5")
    grad = np.ones((1, 1))
    before = opt.update(grad, opt.init(grad), grad, 1.0)[0]
    opt.hyperparams["eps"] = 100.0
    np.testing.assert_array_equal(opt.update(grad, opt.init(grad), grad, 1.0)[0], before)


ERRORS = [
    ("adamw", UnknownNameError, ["optimizer: name = 'adamw'", "adam, adamax", "file.py:NAME"]),
    (
        "adam:beta=0.9",
        UnknownNameError,
        ["key = 'beta'", "one of beta1, beta2, eps, bias_correction"],
    ),
    ("sgd:lr=0.1", UnknownNameError, ["optimizer 'sgd': key = 'lr'", "expected no keys"]),
    ("adam:beta1=1", InputError, ["optimizer 'adam': beta1 = 1 is", "expected a number in [0, 1)"]),
    ("momentum:beta=-0.1", InputError, ["beta = -0.1", "a number in [0, 1)"]),
    ("adadelta:rho=1.5", InputError, ["rho = 1.5", "a number in [0, 1)"]),
    ("adagrad:eps=0", InputError, ["eps = 0", "a finite number > 0"]),
    ("rmsprop:eps=-1e-8", InputError, ["eps = -1e-08", "a finite number > 0"]),
    ("adam:eps=inf", InputError, ["eps = inf", "a finite number > 0"]),
    ("amsgrad:beta2=nan", InputError, ["beta2 = nan", "a number in [0, 1)"]),
    ("adam:beta1=high", InputError, ["beta1 = 'high'", "a number in [0, 1)"]),
    ("momentum:beta=true", InputError, ["beta = True", "a number in [0, 1)"]),
    ("adam:bias_correction=1", InputError, ["bias_correction = 1", "true or false"]),
    ("nesterov:convention=torch", UnknownNameError, ["convention = 'torch'", "pytorch, sutskever"]),
    ("nesterov:beta=fast", UnknownNameError, ["beta = 'fast'", "'auto' or a number in [0, 1)"]),
    ("adam:beta1", InputError, ["key=value"]),
    ("", InputError, ["NAME"]),
]


@pytest.mark.parametrize(("spec", "error", "fragments"), ERRORS, ids=[e[0] for e in ERRORS])
def test_bad_specs_raise_clear_errors(spec, error, fragments):
    with pytest.raises(error) as info:
        optimizer(spec)
    for fragment in fragments:
        assert fragment in str(info.value)


def test_a_non_string_spec_is_refused():
    with pytest.raises(
        InputError, match=r"^optimizer: spec = 3 is not allowed; expected a spec string"
    ):
        optimizer(3)


def test_bad_lr_shape_is_refused():
    opt = optimizer("sgd")
    with pytest.raises(InputError, match=r"\(R,\) or \(R, 1\)"):
        opt.update(np.ones((2, 3)), opt.init(np.ones((2, 3))), np.ones((2, 3)), np.ones((2, 3)))


@pytest.mark.parametrize(
    ("spec", "user"),
    [
        ("adam", False),
        ("adam:beta1=0.5", False),
        ("sgd.v2:lr=1", False),  # a '.' but key=val after it: a (bad) built-in spec
        ("opts.py:make", True),
        ("dir/opts:make", True),
        ("./opts.py:make:beta=0.5", True),
        ("pkg.module:make", True),
        ("pkg.module:make:beta=0.5", True),
    ],
)
def test_user_references_are_detected(spec, user):
    assert is_user_reference(spec) is user
