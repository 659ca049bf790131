"""The ratecheck exception family.

Every error that a user's input can cause is a :class:`RatecheckError`; its message
names the offending input and what is allowed. The command line turns these into one
line on stderr and exit code 2. ``empirical`` and ``reports`` raise the same classes.
"""

from __future__ import annotations


class RatecheckError(Exception):
    """Base class of every error ratecheck raises on purpose."""


class InputError(RatecheckError, ValueError):
    """A user-supplied value (expression, spec, parameter, file) is invalid."""


class UnknownNameError(InputError, KeyError):
    """A name (theorem id, objective, optimizer, key) is not one ratecheck knows."""

    def __str__(self) -> str:  # KeyError would otherwise quote the message
        return str(self.args[0]) if self.args else ""
