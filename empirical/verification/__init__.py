"""The pieces of :func:`empirical.verify.verify`: assumptions, binding, plan, checks, result."""
