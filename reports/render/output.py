"""The report directory, owned: checked before any compute, written whole or not at all.

A report is built in a fresh temporary directory beside the target and moved into place
at the end, so a reader never sees half a report and a failed write (a full disk) leaves
the previous report as it was. The target may be

- absent or an empty directory: the new report takes its place;
- a previous report (it holds the manifest :data:`MANIFEST`, and nothing the manifest
  does not name): it is replaced as a whole;
- anything else only with ``force``: then only the report's own entries
  (:data:`ENTRIES`) are replaced, each atomically, and every other file is kept.

Two writers into one target do not crash: the last to move its directory in wins.
"""

from __future__ import annotations

import contextlib
import errno
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from theory import validation
from theory.errors import RatecheckError

__all__ = ["ENTRIES", "MANIFEST", "ReportWriteError", "check_out", "publish"]

MANIFEST = ".ratecheck-report.json"
"""The file that marks a directory as a ratecheck report (its schema and entries)."""
MANIFEST_SCHEMA = "ratecheck.report-dir/1"
ENTRIES = ("index.html", "report.md", "results.json", "figures", MANIFEST)
"""What a report directory consists of."""
_EXPECTED = "a new or empty directory, or a previous ratecheck report"
_ATTEMPTS = 5
"""Moves tried when concurrent writers keep replacing the target."""

T = TypeVar("T")


class ReportWriteError(RatecheckError):
    """The report could not be written (the file system refused); nothing was changed."""


def _nearest_existing(path: Path) -> Path:
    while not os.path.lexists(path):
        path = path.parent
    return path


def _name_max(directory: Path) -> int:
    try:
        return os.pathconf(directory, "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _is_report(directory: Path) -> bool:
    """Whether ``directory`` holds a previous report and nothing else."""
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if not isinstance(manifest, dict) or manifest.get("schema") != MANIFEST_SCHEMA:
        return False
    return {entry.name for entry in directory.iterdir()} <= set(ENTRIES)


def check_out(out: str | os.PathLike[str], *, force: bool = False, name: str = "out") -> Path:
    """``out`` as an absolute path, if a report can be written there (see the module
    docstring); else :class:`InputError` naming ``out``. Nothing is created or changed."""
    where = "report"
    text = os.fspath(out)
    if not isinstance(text, str) or not text.strip():
        raise validation.not_allowed(where, name, out, "a directory path")
    path = Path(os.path.normpath(Path(text).expanduser().absolute()))
    existing = _nearest_existing(path)
    limit = _name_max(existing if existing.is_dir() else existing.parent)
    for part in path.parts:
        if len(os.fsencode(part)) > limit:
            raise validation.not_allowed(
                where, name, text, f"path components of at most {limit} bytes"
            )
    if not existing.is_dir():  # out is a file, or a file is on its way
        raise validation.not_allowed(
            where, name, text, f"a directory path ({str(existing)!r} is a file)"
        )
    parent = path.parent if existing == path else existing
    if not os.access(parent, os.W_OK | os.X_OK):
        raise validation.not_allowed(
            where, name, text, f"a path in a writable directory ({str(parent)!r} is not)"
        )
    if existing == path and any(path.iterdir()) and not force and not _is_report(path):
        raise validation.not_allowed(
            where,
            name,
            text,
            f"{_EXPECTED}; it holds other files (pass --force to replace only the report's "
            f"own {', '.join(ENTRIES[:4])} and keep the rest)",
        )
    return path


def publish(
    out: str | os.PathLike[str],
    build: Callable[[Path], T],
    *,
    force: bool = False,
) -> T:
    """Check ``out`` (:func:`check_out`), call ``build(directory)`` on a fresh directory
    beside it, write the manifest and move the directory into place; return what ``build``
    returns. On any failure the temporary directory is removed and ``out`` is unchanged."""
    target = check_out(out, force=force)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".ratecheck-", dir=target.parent))
    except OSError as exc:
        raise ReportWriteError(
            f"report: cannot write into {str(target.parent)!r} ({exc.strerror or exc})"
        ) from None
    try:
        built = build(staging)
        manifest = {"schema": MANIFEST_SCHEMA, "entries": list(ENTRIES)}
        (staging / MANIFEST).write_text(json.dumps(manifest), encoding="utf-8")
        if target.is_dir() and any(target.iterdir()) and not _is_report(target):
            _merge(staging, target)
        else:
            _swap(staging, target)
    except OSError as exc:
        raise ReportWriteError(
            f"report: could not write the report into {str(target)!r} "
            f"({exc.strerror or exc}); the previous contents are unchanged"
        ) from None
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return built


def _swap(staging: Path, target: Path) -> None:
    """Move ``staging`` to ``target``, the previous report (if any) moved aside and removed."""
    for _ in range(_ATTEMPTS):
        try:
            os.rename(staging, target)
            return
        except OSError as exc:
            if exc.errno not in (errno.ENOTEMPTY, errno.EEXIST):
                raise
        aside = Path(tempfile.mkdtemp(prefix=".ratecheck-old-", dir=target.parent))
        try:
            os.rename(target, aside / "report")
        except FileNotFoundError:
            pass  # another writer moved it first
        finally:
            shutil.rmtree(aside, ignore_errors=True)
    raise OSError(errno.EBUSY, "other writers kept replacing it")


def _merge(staging: Path, target: Path) -> None:
    """Replace the report's own entries of ``target`` by ``staging``'s (``force``), each
    by a rename; every other entry of ``target`` stays as it was."""
    for entry in ENTRIES:
        source, destination = staging / entry, target / entry
        if source.is_dir():
            if destination.is_dir() and not destination.is_symlink():
                aside = Path(tempfile.mkdtemp(prefix=".ratecheck-old-", dir=target))
                os.rename(destination, aside / entry)
                os.rename(source, destination)
                shutil.rmtree(aside, ignore_errors=True)
            else:
                with contextlib.suppress(FileNotFoundError):
                    destination.unlink()
                os.rename(source, destination)
        elif source.exists():
            os.replace(source, destination)
