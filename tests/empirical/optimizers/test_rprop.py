"""Rprop: the sign-driven per-coordinate steps of Riedmiller & Braun, PyTorch convention."""

from __future__ import annotations

import numpy as np
import pytest

from empirical import objective, optimizer, run
from reports.lecture.adaptive import iterates
from theory.errors import InputError


def test_the_first_step_is_lr_for_every_coordinate():
    path = iterates("valley:lam=0.01,L=1,angle=0", "rprop", 0.1, 1)
    assert path[1].tolist() == pytest.approx([-3.9, 0.9])


def test_the_iterates_ignore_the_curvature_of_each_coordinate():
    """Only signs enter: condition numbers 1 and 1e4 give the same iterates, bit for bit,
    while gradient descent at step 1/L is far from w* after the same number of steps."""
    flat = iterates("valley:lam=1,L=1,angle=0", "rprop", 0.1, 300)
    steep = iterates("valley:lam=1e-4,L=1,angle=0", "rprop", 0.1, 300)
    np.testing.assert_array_equal(flat, steep)
    gd = iterates("valley:lam=1e-4,L=1,angle=0", "sgd", 1.0, 300)
    assert abs(gd[-1, 0]) > 3.5 and np.max(np.abs(steep[-1])) < 1e-5


def test_a_sign_change_shrinks_the_step_and_holds_the_coordinate():
    opt = optimizer("rprop:eta_minus=0.25")
    w = np.array([[1.0]])
    state = opt.init(w)
    w1, state = opt.update(np.array([[1.0]]), state, w, 0.5)
    w2, state = opt.update(np.array([[-1.0]]), state, w1, 0.5)
    assert (w1.item(), w2.item(), state.step.item(), state.prev.item()) == (0.5, 0.5, 0.125, 0.0)


def test_rprop_runs_in_the_runner_and_converges_on_the_valley():
    valley = objective("valley:lam=0.001,L=1,angle=0")
    trace = run(valley, "rprop", 0.1, steps=200, replicates=1, seed=0)
    start = valley.gap(np.asarray(valley.w0)[None, :])[0]
    assert trace.gap[0][-1] < 1e-10 * start


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("rprop:eta_minus=1.5", "eta_minus = 1.5 is not allowed; expected a number in (0, 1)"),
        ("rprop:eta_plus=0.9", "eta_plus = 0.9 is not allowed; expected a finite number > 1"),
        (
            "rprop:step_min=1,step_max=0.5",
            "step_max = 0.5 is not allowed; expected a finite number >= 1",
        ),
        ("rprop:eta_plu=2", "key = 'eta_plu' is not allowed"),
    ],
)
def test_bad_hyperparameters_are_refused(spec, message):
    with pytest.raises(InputError, match=message.replace("(", r"\(").replace(")", r"\)")):
        optimizer(spec)
