"""The built-in suite: every convergence claim of the lecture as a check.

:data:`LECTURE_SUITE` holds one :class:`CheckSpec` per tested claim, in the lecture's
order; the id ``cNN...`` carries the claim's number NN (1-14, as listed in issue 5 §1), so
the order is that of the ids. Each claim is stated in ratecheck's words, with the theorem
it rests on where the catalog has one. ``verify`` checks are one call of
:func:`empirical.verify`; ``custom`` checks hold the function that computes them. Every
check is seeded by its ``seed`` parameter; ``quick`` makes it CI-sized.

One module per topic holds its checks beside the functions that compute them:
:mod:`~reports.lecture.sgd` (claims 1-3 and 13: the step size), :mod:`~reports.lecture.order`
(4), :mod:`~reports.lecture.averaging` (5, 10), :mod:`~reports.lecture.batch` (6),
:mod:`~reports.lecture.clumpy` (7), :mod:`~reports.lecture.minibatch` (8, 9),
:mod:`~reports.lecture.momentum` (11), :mod:`~reports.lecture.adaptive` (12) and
:mod:`~reports.lecture.pictures` (14); :mod:`~reports.lecture.common` holds their shared
pieces.
"""

from __future__ import annotations

from reports.lecture import (
    adaptive,
    averaging,
    batch,
    clumpy,
    minibatch,
    momentum,
    order,
    pictures,
    sgd,
)
from reports.suite.model import CheckSpec

__all__ = ["LECTURE_SUITE", "claim_number"]

TOPICS = (sgd, order, averaging, batch, clumpy, minibatch, momentum, adaptive, pictures)
"""The topic modules, each with its ``CHECKS``."""


def claim_number(spec: CheckSpec) -> int:
    """The lecture claim (1-14) a check of :data:`LECTURE_SUITE` tests, from its id."""
    return int(spec.id[1:3])


LECTURE_SUITE: tuple[CheckSpec, ...] = tuple(
    sorted((spec for topic in TOPICS for spec in topic.CHECKS), key=lambda spec: spec.id)
)
"""The lecture's claims as checks (issue 5 §1), in the lecture's order."""
