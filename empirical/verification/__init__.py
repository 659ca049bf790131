"""Checking a run against theory. :mod:`~empirical.verification.verify` holds
:func:`empirical.verify` and :func:`empirical.verify_trace`; its pieces are the
expectation (what is claimed), assumptions and binding (does the theorem apply, with which
constants), the plan (quantity, iterate, mode, bound), the checks (which verdict rules
run) and the result."""
