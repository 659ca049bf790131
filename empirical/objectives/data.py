"""A user's data set (X, y) for the linear-model objectives (ridge, logistic, ...).

Two file formats, chosen by the file's extension:

* ``.npz``: arrays named ``X`` (shape (n, d)) and ``y`` (shape (n,)), loaded without
  pickle;
* ``.csv``: comma-separated numbers, one sample a row, the last column is y and the
  others are X. A first line that does not read as numbers is a header and is skipped.

Every problem (missing file, unreadable content, wrong shapes, NaN or inf) raises
:class:`theory.errors.InputError` naming the file (and the first bad entry).
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from theory import validation
from theory.errors import InputError

FORMATS = (".npz", ".csv")


def load_xy(path: str | os.PathLike[str]) -> tuple[np.ndarray, np.ndarray]:
    """Read ``(X, y)`` from a ``.npz`` or ``.csv`` file; float64, validated by :func:`check_xy`."""
    file = Path(path)
    source = f"data file {str(path)!r}"
    suffix = file.suffix.lower()
    if suffix not in FORMATS:
        expected = f"one of {', '.join(FORMATS)}"
        raise validation.not_allowed(source, "format", file.suffix, expected)
    if not file.is_file():
        raise InputError(f"{source}: no such file")
    reader = _read_npz if suffix == ".npz" else _read_csv
    X, y = reader(file, source)
    return check_xy(X, y, source)


def check_xy(X: object, y: object, source: str = "data") -> tuple[np.ndarray, np.ndarray]:
    """Validate a design X (n, d) and targets y (n,): numeric, finite, n >= 1, d >= 1.

    Returns read-only float64 copies. ``source`` names the data in error messages.
    """
    arrays = []
    for name, value in (("X", X), ("y", y)):
        try:
            arrays.append(np.array(value, dtype=np.float64))
        except (TypeError, ValueError) as exc:
            expected = f"an array of numbers ({exc})"
            raise validation.not_allowed(source, name, value, expected) from None
    X, y = arrays
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        raise validation.not_allowed(source, "X", X, "a 2-D array (n, d) with n, d >= 1")
    if y.ndim != 1:
        raise validation.not_allowed(source, "y", y, "a 1-D array (n,)")
    if y.shape[0] != X.shape[0]:
        raise validation.not_allowed(source, "y", y, f"{X.shape[0]} entries, one per row of X")
    for label, array in (("X", X), ("y", y)):
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:
            index = ", ".join(str(int(i)) for i in bad[0])
            value = float(array[tuple(bad[0])])
            raise validation.not_allowed(source, f"{label}[{index}]", value, "a finite number")
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def _read_npz(file: Path, source: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(file, allow_pickle=False) as archive:
            missing = [key for key in ("X", "y") if key not in archive.files]
            if missing:
                raise InputError(
                    f"{source}: missing array(s) {', '.join(missing)}; the file has "
                    f"{', '.join(archive.files) or 'no arrays'}, and needs X (n, d) and y (n,)"
                )
            return archive["X"], archive["y"]
    except (OSError, ValueError, zipfile.BadZipFile, EOFError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"{source}: cannot read it as .npz ({exc})") from None


def _read_csv(file: Path, source: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        with file.open(encoding="utf-8") as handle:
            lines = [line for line in handle if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read it as text ({exc})") from None
    if not lines:
        raise InputError(f"{source}: the file is empty")
    skip = 0 if _is_numeric_row(lines[0]) else 1
    if len(lines) <= skip:
        raise InputError(f"{source}: the file has a header but no data rows")
    try:
        table = np.loadtxt(lines[skip:], delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError as exc:
        raise InputError(f"{source}: cannot read it as comma-separated numbers ({exc})") from None
    if table.shape[1] < 2:
        expected = "at least 2 (the features, then y as the last column)"
        raise validation.not_allowed(source, "columns", table.shape[1], expected)
    return table[:, :-1], table[:, -1]


def _is_numeric_row(line: str) -> bool:
    try:
        for field in line.split(","):
            float(field)
    except ValueError:
        return False
    return True
