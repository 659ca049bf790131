"""Inputs shared by the tests of ``reports``: a one-check suite, a user optimizer file, and
a look at the process table."""

from __future__ import annotations

from pathlib import Path

ONE_CHECK_SUITE = """
[[check]]
id = "c"
objective = "ridge:n=100,d=3,lam=0.1"
optimizer = "sgd"
schedule = "1/(lam*k)"
expect = "O(1/k)"
steps = 500
replicates = 4
"""
"""A suite of one quick ``verify`` check (ridge, SGD 1/(lam k), 500 steps, 4 replicates)."""

PLAIN_SGD_FILE = """
def make(scale=1.0):
    def init(w0):
        return ()

    def update(grad, state, w, lr):
        return w - scale * lr * grad, state

    return init, update
"""
"""A user optimizer file: plain SGD, its step scaled by ``scale``."""


def running(pid: int) -> bool:
    """Whether ``pid`` is a process that has not ended (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")
