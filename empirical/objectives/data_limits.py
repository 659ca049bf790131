"""Size limits of a user's data file, checked before anything is read into memory.

* :data:`MAX_DATA_FILE_BYTES`: the file on disk (``.csv`` or ``.npz``);
* :data:`MAX_DATA_ARRAY_BYTES`: each array once loaded: every member of a ``.npz``
  decompressed (the size its zip header declares, which the reader never exceeds), the
  array its ``.npy`` header declares as float64, and the table of a ``.csv`` as float64.

Each default can be raised (or lowered) for one run with the environment variable
``RATECHECK_<NAME>`` (a number of bytes, e.g. ``RATECHECK_MAX_DATA_FILE_BYTES=4e9``); a file
over a limit is refused with a message naming the limit and that variable.
"""

from __future__ import annotations

import os

from theory import validation
from theory.errors import InputError

MAX_DATA_FILE_BYTES = 1 << 30
"""Largest data file read, in bytes (1 GiB)."""
MAX_DATA_ARRAY_BYTES = 1 << 30
"""Largest array a data file may hold, decompressed and as float64, in bytes (1 GiB)."""

DEFAULTS = {
    "MAX_DATA_FILE_BYTES": MAX_DATA_FILE_BYTES,
    "MAX_DATA_ARRAY_BYTES": MAX_DATA_ARRAY_BYTES,
}
"""Each limit's default by name."""


def variable(name: str) -> str:
    """The environment variable that sets the limit ``name``."""
    return f"RATECHECK_{name}"


def limit(name: str) -> int:
    """The limit ``name`` in bytes: ``$RATECHECK_<name>`` if set, else its default."""
    text = os.environ.get(variable(name))
    if text is None or not text.strip():
        return DEFAULTS[name]
    expected = "a number of bytes, an integer >= 1 such as 4000000000 or 4e9"
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not (value >= 1 and value.is_integer()):
        raise validation.not_allowed("environment", variable(name), text, expected)
    return int(value)


def size_text(size: int) -> str:
    """``size`` bytes for a person: ``512 bytes``, ``3.4 MiB (3565158 bytes)``."""
    if size < 1024:
        return f"{size} bytes"
    units = ("KiB", "MiB", "GiB", "TiB")
    value, unit = size / 1024, 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.1f} {units[unit]} ({size} bytes)"


def check_size(source: str, what: str, size: int, name: str) -> None:
    """Refuse ``what`` of ``source`` if its ``size`` in bytes is over the limit ``name``."""
    bound = limit(name)
    if size > bound:
        raise InputError(
            f"{source}: {what} is {size_text(size)}, over the limit (limit {name} = "
            f"{size_text(bound)}; raise it with the environment variable {variable(name)}=BYTES)"
        )
