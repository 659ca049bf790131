"""The optimizer protocol on results: update returns (new_w, state), new_w a real float
array of w's shape (R, d), and lookahead a point of that shape; the runner checks the first
step, so that a wrong shape does not broadcast into a verdict and a wrong structure does not
fail as 'too many values to unpack'."""

from __future__ import annotations

import numpy as np
import pytest

from empirical import run
from empirical.optimizers import Optimizer, identity_lookahead
from theory.errors import InputError

R, D = 3, 4
SIZE = {"steps": 20, "replicates": R, "seed": 0, "kernel": "numpy"}
WHERE = "optimizer 'mine': update returned "
EXPECTED = f"expected a real floating-point array of shape (R, d) = ({R}, {D}), the shape of w"


def init(w0):
    return ()


def sgd_update(grad, state, w, lr):
    return w - lr * grad, state


def mine(update=sgd_update, lookahead=identity_lookahead) -> Optimizer:
    return Optimizer(init, update, lookahead, name="mine")


BAD_UPDATES = [
    # (update, the message after "update returned ")
    (
        lambda g, s, w, lr: w - lr * g,
        f"an array of shape ({R}, {D}); expected a pair (new_w, state): the new iterates, an "
        f"array of shape (R, d) = ({R}, {D}) like w, and the optimizer's state",
    ),
    (lambda g, s, w, lr: (w - lr * g, s, 0.0), "a tuple of 3 items; expected a pair (new_w, "),
    (lambda g, s, w, lr: None, "None; expected a pair (new_w, state)"),
    (lambda g, s, w, lr: (w[0] - lr * g[0], s), f"new_w of shape ({D},); {EXPECTED}"),
    (lambda g, s, w, lr: (w[:1] - lr * g[:1], s), f"new_w of shape (1, {D}); {EXPECTED}"),
    (lambda g, s, w, lr: ((w - lr * g).T, s), f"new_w of shape ({D}, {R}); {EXPECTED}"),
    (
        lambda g, s, w, lr: (np.round(w - lr * g).astype(int), s),
        f"new_w of dtype int64; {EXPECTED}",
    ),
    (lambda g, s, w, lr: (w - lr * g * 1j, s), f"new_w of dtype complex128; {EXPECTED}"),
    (lambda g, s, w, lr: (None, s), f"new_w as None; {EXPECTED}"),
]


@pytest.mark.parametrize(("update", "message"), BAD_UPDATES)
def test_a_first_update_off_the_protocol_is_refused(update, message):
    with pytest.raises(InputError) as info:
        run("quadratic:d=4", mine(update), "0.1", **SIZE)
    assert str(info.value).startswith(WHERE + message), str(info.value)


def test_a_lookahead_of_the_wrong_shape_is_refused():
    with pytest.raises(InputError) as info:
        run("quadratic:d=4", mine(lookahead=lambda state, w: w[0]), "0.1", **SIZE)
    assert str(info.value) == f"optimizer 'mine': lookahead returned a point of shape ({D},); " + (
        EXPECTED
    )
