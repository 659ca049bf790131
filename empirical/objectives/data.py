"""A user's data set (X, y) for the linear-model objectives (ridge, logistic, ...).

Two file formats, chosen by the file's extension:

* ``.npz``: arrays named ``X`` (shape (n, d)) and ``y`` (shape (n,)) of real numbers (bool,
  integer or float), as ``numpy.savez(path, X=X, y=y)`` writes them; loaded without pickle
  (an array of Python objects is refused, and so is a complex one);
* ``.csv``: comma-separated numbers, one sample a row, the last column is y and the
  others are X. A first line that does not read as numbers is a header and is skipped;
  blank lines and text after ``#`` are ignored.

Sizes are checked before anything is read (:mod:`empirical.objectives.data_limits`): the
file, each array the reader decompresses, each array as float64. Every problem (missing
file, too large, unreadable content, wrong shapes or types, NaN or inf, a label that is not
a class) raises :class:`theory.errors.InputError` naming the file and where in it: the line
and column of a ``.csv``, the array and index of a ``.npz``. A message about a file never
shows the file's text (a data path may come from a suite somebody else wrote, and error
lines end up in CI logs): only its shapes, dtypes, counts, and the values nan and inf.
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

import numpy as np

from empirical.objectives import data_limits
from theory import validation
from theory.errors import InputError, RatecheckError
from theory.limits import MAX_DATA_ARRAY_BYTES, MAX_DATA_FILE_BYTES

FORMATS = (".npz", ".csv")
REAL = "real numbers (bool, integer or float)"
NPZ = "a .npz archive of .npy arrays, as numpy.savez(path, X=X, y=y) writes"

T = TypeVar("T")
Place = Callable[[str, tuple[int, ...]], str]
"""Names an entry of X or y in a message: ``X[2, 1]``, ``X[2, 1] (line 4, column 2)``."""


def load_xy(
    path: str | os.PathLike[str], *, classes: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Read ``(X, y)`` from a ``.npz`` or ``.csv`` file: read-only float64 arrays, finite,
    X of shape (n, d) and y of shape (n,), with n, d >= 1; each ``y`` one of ``classes``
    if given."""
    file = Path(path)
    source = f"data file {str(path)!r}"
    suffix = file.suffix.lower()
    if suffix not in FORMATS:
        expected = f"one of {', '.join(FORMATS)}"
        raise validation.not_allowed(source, "format", file.suffix, expected)
    size = _file_size(file, source)
    data_limits.check_size(source, "the file", size, MAX_DATA_FILE_BYTES)
    if suffix == ".npz":
        X, y = _read_npz(file, source)
        place = _index
    else:
        X, y, lines = _read_csv(file, source)
        place = _csv_place(lines, X.shape[1] + 1)
    return _checked(X, y, source, place, classes, reveal=False)


def check_xy(
    X: object, y: object, source: str = "data", *, classes: Sequence[float] | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Validate a design X (n, d) and targets y (n,): real numbers, finite, n >= 1, d >= 1,
    each ``y`` one of ``classes`` if given.

    Returns read-only float64 copies. ``source`` names the data in error messages, which
    show the offending value (these are the caller's own arrays).
    """
    X_, y_ = _real(source, "X", X), _real(source, "y", y)
    return _checked(X_, y_, source, _index, classes, reveal=True)


def _real(source: str, name: str, value: object) -> np.ndarray:
    """``value`` as a float64 array, if it holds real numbers (never a complex one)."""
    try:
        raw = np.asarray(value)
    except (TypeError, ValueError) as exc:
        raise validation.not_allowed(source, name, value, f"an array of numbers ({exc})") from None
    if raw.dtype.kind == "c":
        raise _complex(source, name, raw.dtype)
    try:
        return np.array(raw, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise validation.not_allowed(source, name, value, f"an array of numbers ({exc})") from None


def _complex(source: str, name: str, dtype: np.dtype) -> RatecheckError:
    expected = f"{REAL}: ratecheck does not drop an imaginary part"
    return validation.not_allowed(source, f"{name} dtype", str(dtype), expected)


def _checked(
    X: np.ndarray,
    y: np.ndarray,
    source: str,
    place: Place,
    classes: Sequence[float] | None,
    reveal: bool,
) -> tuple[np.ndarray, np.ndarray]:
    """The shape, finiteness and class checks of float64 ``X`` and ``y``; ``reveal`` lets a
    rejected label's value be shown (not for a file's data)."""
    if X.ndim != 2 or X.shape[0] < 1 or X.shape[1] < 1:
        expected = "a 2-D array (n, d) with n, d >= 1"
        raise validation.not_allowed(source, "X shape", X.shape, expected)
    if y.ndim != 1:
        raise validation.not_allowed(source, "y shape", y.shape, "a 1-D array (n,)")
    if y.shape[0] != X.shape[0]:
        expected = f"({X.shape[0]},): one entry per row of X"
        raise validation.not_allowed(source, "y shape", y.shape, expected)
    for label, array in (("X", X), ("y", y)):
        bad = np.argwhere(~np.isfinite(array))
        if bad.size:  # nan or inf: the only values of a file that a message shows
            index = tuple(int(i) for i in bad[0])
            value = float(array[index])
            raise validation.not_allowed(source, place(label, index), value, "a finite number")
    if classes is not None:
        bad = ~np.isin(y, classes)
        if bad.any():
            row = int(np.argmax(bad))
            expected = "a class label, " + " or ".join(f"{c:+g}" for c in classes)
            if reveal:
                raise validation.not_allowed(source, place("y", (row,)), float(y[row]), expected)
            raise InputError(f"{source}: {place('y', (row,))} is not allowed; expected {expected}")
    X.flags.writeable = False
    y.flags.writeable = False
    return X, y


def _index(label: str, index: tuple[int, ...]) -> str:
    return f"{label}[{', '.join(map(str, index))}]"


def _csv_place(lines: np.ndarray, width: int) -> Place:
    """Entries named with their line and column in the file (y is the last column)."""

    def place(label: str, index: tuple[int, ...]) -> str:
        column = index[1] + 1 if label == "X" else width
        return f"{_index(label, index)} (line {int(lines[index[0]])}, column {column})"

    return place


def _reason(exc: BaseException) -> str:
    """Why the system refused a path, without the path again: ``Permission denied``."""
    return (exc.strerror if isinstance(exc, OSError) else None) or str(exc)


def _file_size(file: Path, source: str) -> int:
    """The size of the regular file (symlinks followed) at ``file``."""
    try:
        info = file.stat()
    except FileNotFoundError:
        raise InputError(f"{source}: no such file") from None
    except (OSError, ValueError) as exc:
        raise InputError(f"{source}: cannot read it ({_reason(exc)})") from None
    if not stat.S_ISREG(info.st_mode):
        raise InputError(f"{source}: not a regular file; expected a .npz or .csv file")
    return info.st_size


def _read_npz(file: Path, source: str) -> tuple[np.ndarray, np.ndarray]:
    try:
        archive = zipfile.ZipFile(file)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        reason = _reason(exc) if isinstance(exc, OSError) else "not a zip archive"
        raise InputError(f"{source}: cannot read it ({reason}); expected {NPZ}") from None
    with archive:
        names = set(archive.namelist())
        missing = [key for key in ("X", "y") if f"{key}.npy" not in names]
        if missing:
            others = sum(name.endswith(".npy") for name in names) - (2 - len(missing))
            raise InputError(
                f"{source}: missing array(s) {', '.join(missing)}; expected arrays X (n, d) "
                f"and y (n,), as numpy.savez(path, X=X, y=y) writes (the file has {others} "
                "array(s) under other names)"
            )
        return _read_npy(archive, "X", source), _read_npy(archive, "y", source)


def _read_npy(archive: zipfile.ZipFile, key: str, source: str) -> np.ndarray:
    """Array ``key`` of the archive as float64, its sizes and dtype checked before it is read."""
    info = archive.getinfo(f"{key}.npy")
    what = f"array {key!r}"
    data_limits.check_size(source, f"{what} decompressed", info.file_size, MAX_DATA_ARRAY_BYTES)

    def header() -> tuple[tuple[int, ...], np.dtype]:
        with archive.open(info) as handle:
            version = np.lib.format.read_magic(handle)
            if version == (1, 0):
                shape, _, dtype = np.lib.format.read_array_header_1_0(handle)
            else:  # 2.0, and 3.0 (the same header, UTF-8 field names)
                shape, _, dtype = np.lib.format.read_array_header_2_0(handle)
        return shape, dtype

    shape, dtype = _unpacked(source, what, header)
    if dtype.hasobject:
        expected = f"{REAL}: loading Python objects would unpickle them"
        raise validation.not_allowed(source, f"{key} dtype", str(dtype), expected)
    if dtype.kind == "c":
        raise _complex(source, key, dtype)
    if dtype.kind not in "biuf":
        raise validation.not_allowed(source, f"{key} dtype", str(dtype), REAL)
    float64_bytes = math.prod(shape) * np.dtype(np.float64).itemsize
    data_limits.check_size(source, f"{what} as float64", float64_bytes, MAX_DATA_ARRAY_BYTES)

    def array() -> np.ndarray:
        with archive.open(info) as handle:
            return np.lib.format.read_array(handle, allow_pickle=False)

    return np.array(_unpacked(source, what, array), dtype=np.float64)


def _unpacked(source: str, what: str, read: Callable[[], T]) -> T:
    """``read()``; any failure but memory is the file's: damaged, truncated, encrypted."""
    try:
        return read()
    except MemoryError:
        raise
    except Exception as exc:  # zipfile, zlib and numpy errors alike; their text is not shown
        raise InputError(
            f"{source}: {what} cannot be read ({type(exc).__name__}); expected {NPZ}, undamaged"
        ) from None


def _read_csv(file: Path, source: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """X, y and the line number of each row."""
    bound = data_limits.bytes_allowed(MAX_DATA_FILE_BYTES)
    try:
        with file.open("rb") as handle:
            raw = handle.read(bound + 1)  # a file that grows, or reports no size (/proc)
    except OSError as exc:
        raise InputError(f"{source}: cannot read it ({_reason(exc)})") from None
    data_limits.check_size(source, "the file", len(raw), MAX_DATA_FILE_BYTES)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = len(_lines(raw[: exc.start].decode("utf-8-sig")))
        expected = "comma-separated numbers in UTF-8"
        raise InputError(f"{source}: line {line} is not UTF-8 text; expected {expected}") from None
    del raw  # each copy of a file of up to MAX_DATA_FILE_BYTES is freed once read
    lines = _lines(text)
    del text
    numbers = [number for number, line in enumerate(lines, start=1) if _content(line)]
    if not numbers:
        raise InputError(f"{source}: the file is empty")
    skip = 0 if _is_numeric_row(lines[numbers[0] - 1]) else 1
    numbers = numbers[skip:]
    if not numbers:
        raise InputError(f"{source}: the file has a header but no data rows")
    rows = [lines[number - 1] for number in numbers]
    del lines
    width = len(_fields(rows[0]))
    table_bytes = len(rows) * width * np.dtype(np.float64).itemsize
    what = f"its table of {len(rows)} rows x {width} columns as float64"
    data_limits.check_size(source, what, table_bytes, MAX_DATA_ARRAY_BYTES)
    try:
        table = np.loadtxt(rows, delimiter=",", dtype=np.float64, ndmin=2)
    except ValueError:
        raise _unreadable(source, numbers, rows, width) from None
    if table.shape[1] < 2:
        expected = "at least 2 (the features, then y as the last column)"
        raise validation.not_allowed(source, "columns", table.shape[1], expected)
    return np.array(table[:, :-1]), np.array(table[:, -1]), np.array(numbers)  # contiguous


def _lines(text: str) -> list[str]:
    """The lines of ``text``, split at \\n, \\r\\n or \\r (numbered as an editor numbers them)."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text.split("\n")


def _content(line: str) -> str:
    return line.split("#", 1)[0].strip()


def _fields(line: str) -> list[str]:
    return line.split("#", 1)[0].split(",")


def _is_number(field: str) -> bool:
    try:
        float(field)
    except ValueError:
        return False
    return "_" not in field  # float() reads '1_000'; numpy does not


def _is_numeric_row(line: str) -> bool:
    return all(_is_number(field) for field in _fields(line))


def _unreadable(source: str, numbers: list[int], rows: list[str], width: int) -> InputError:
    """Where numpy could not read the table ``rows`` (at lines ``numbers``): the first line
    with another number of fields or a field that is not a number (never its text)."""
    for number, line in zip(numbers, rows, strict=True):
        fields = _fields(line)
        if len(fields) != width:
            return InputError(
                f"{source}: line {number} has {len(fields)} fields; expected {width}, as on "
                f"line {numbers[0]}"
            )
        for column, field in enumerate(fields, start=1):
            if not _is_number(field):
                return InputError(
                    f"{source}: line {number}, column {column} is not a number; expected "
                    "comma-separated numbers"
                )
    return InputError(f"{source}: cannot read it as comma-separated numbers")
