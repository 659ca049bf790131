"""Size limits of a user's data file, checked before anything is read into memory.

The limits are :data:`theory.limits.MAX_DATA_FILE_BYTES` (the ``.csv`` or ``.npz`` file on
disk) and :data:`theory.limits.MAX_DATA_ARRAY_BYTES` (each array once loaded: every member
of a ``.npz`` decompressed, the size its zip header declares, which the reader never
exceeds; the array its ``.npy`` header declares, as float64; the table of a ``.csv`` as
float64). Each is raised for one run with its environment variable, e.g.
``RATECHECK_MAX_DATA_FILE_BYTES=4e9``; a file over a limit is refused with a message that
names the limit and that variable, sizes shown in binary units.
"""

from __future__ import annotations

from theory.limits import Limit, LimitError


def size_text(size: int) -> str:
    """``size`` bytes for a person: ``512 bytes``, ``3.4 MiB (3565158 bytes)``."""
    if size < 1024:
        return f"{size} bytes"
    units = ("KiB", "MiB", "GiB", "TiB")
    value, unit = size / 1024, 0
    while value >= 1024 and unit < len(units) - 1:
        value, unit = value / 1024, unit + 1
    return f"{value:.1f} {units[unit]} ({size} bytes)"


def bytes_allowed(limit: Limit) -> int:
    """The limit in force, in whole bytes."""
    return int(limit.value())


def check_size(source: str, what: str, size: int, limit: Limit) -> None:
    """Refuse ``what`` of ``source`` if its ``size`` in bytes is over ``limit``."""
    bound = bytes_allowed(limit)
    if size > bound:
        raise LimitError(
            f"{source}: {what} is {size_text(size)}, over the limit (limit {limit.name} = "
            f"{size_text(bound)}; raise it with the environment variable {limit.variable}=BYTES)"
        )
