"""The on-disk cache of check results.

A result is stored under ``key = sha256(JSON of {spec.to_dict(), a verify check's
Scenario with every field (defaults filled in), the module and qualified name of a custom
check's function, quick, code version, digests of the files the spec names})``:

* the *code version* is the sha256 of the path and bytes of every ``*.py`` file under
  ``theory/``, ``empirical/``, ``reports/suite/`` (the engine and the figure data) and
  ``reports/lecture/`` (the built-in suite), plus the source file of a custom check
  function that lives elsewhere (a test module, say). Rendering code is not part of it:
  a report is re-rendered from the cached results on every run.
* the files a spec names are a data file (``objective`` with ``data=PATH``) and a user
  optimizer file (``optimizer`` of the form ``path/to/file.py:NAME``); their bytes are
  hashed, so an edited data set or optimizer is recomputed. An optimizer given as an
  importable module (``package.module:NAME``) is not hashed: after editing such a
  module, run with ``--no-cache``.

The directory is ``$RATECHECK_CACHE_DIR`` if set, else ``$XDG_CACHE_HOME/ratecheck``,
else ``~/.cache/ratecheck``. Each entry is one JSON file written atomically. An entry is
used only if it is valid, field by field, as the result of the same spec
(:mod:`reports.suite.cache_entry`); one that is not (truncated, hand-edited, wrong types,
too deeply nested, another format) is ignored with one warning line on stderr naming
the file and what is wrong, and the check is recomputed. Results with status ``error``
are not stored. The subdirectory ``figures/`` (:attr:`ResultCache.figures`) keeps a
report's rendered figures by panel content, so that an unchanged rerun copies them
instead of drawing them again.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import inspect
import json
import os
import stat
import sys
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from empirical.optimizers import is_user_reference
from empirical.specs import split_spec
from reports.suite.cache_entry import (
    CACHE_FORMAT,
    MAX_BYTES,
    InvalidEntry,
    entry_bytes,
    jsonable,
    parse_entry,
    result_from_dict,
)
from reports.suite.model import CheckResult, CheckSpec
from theory.errors import InputError, RatecheckError

__all__ = [
    "CACHE_FORMAT",
    "FIGURE_CACHE",
    "ResultCache",
    "code_version",
    "default_cache_dir",
    "jsonable",
    "result_cache",
    "result_from_dict",
]

FIGURE_CACHE = "figures"
"""Subdirectory of the cache directory holding rendered figures by panel content."""

_REPO = Path(__file__).resolve().parents[2]
CODE_ROOTS: tuple[Path, ...] = (
    _REPO / "theory",
    _REPO / "empirical",
    _REPO / "reports" / "suite",
    _REPO / "reports" / "lecture",
)
"""Directories whose Python sources make up the code version."""


def default_cache_dir() -> Path:
    """``$RATECHECK_CACHE_DIR``, else ``$XDG_CACHE_HOME/ratecheck``, else ``~/.cache/ratecheck``."""
    explicit = os.environ.get("RATECHECK_CACHE_DIR")
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg).expanduser() if xdg else Path.home() / ".cache"
    return base / "ratecheck"


def _digest_files(files: Iterable[Path], root: Path | None = None) -> str:
    digest = hashlib.sha256()
    for file in files:
        name = str(file.relative_to(root)) if root is not None else str(file)
        digest.update(name.encode() + b"\0")
        try:
            digest.update(file.read_bytes())
        except OSError:
            digest.update(b"<unreadable>")
        digest.update(b"\0")
    return digest.hexdigest()


@functools.lru_cache(maxsize=1)
def _roots_digest() -> str:
    sources = sorted(
        path
        for root in CODE_ROOTS
        for path in root.rglob("*.py")
        if "__pycache__" not in path.parts
    )
    return _digest_files(sources, _REPO)


def code_version(extra: Iterable[str] = ()) -> str:
    """sha256 of the sources under :data:`CODE_ROOTS` (read once per process) and of the
    files ``extra`` (read on every call)."""
    return _roots_digest() + _digest_files(sorted(Path(p) for p in extra))


def _custom_function(spec: CheckSpec) -> str | None:
    """``module:qualified.name`` of ``spec``'s custom function (None for a verify spec)."""
    function = spec.function
    if spec.kind != "custom" or function is None:
        return None
    return f"{getattr(function, '__module__', '')}:{getattr(function, '__qualname__', '')}"


def _custom_source(spec: CheckSpec) -> tuple[str, ...]:
    """The source file of ``spec``'s custom function when it is outside the code roots."""
    if spec.kind != "custom" or spec.function is None:
        return ()
    try:
        source = inspect.getsourcefile(spec.function)
    except TypeError:
        return ()
    if source is None:
        return ()
    path = Path(source).resolve()
    inside = any(root in path.parents for root in CODE_ROOTS)
    return () if inside else (str(path),)


def _named_files(params: Mapping[str, Any]) -> list[Path]:
    """Files a verify spec's objective (``data=``) and optimizer (``file.py:``) name."""
    files = []
    objective = params.get("objective")
    if isinstance(objective, str):
        try:
            _, values = split_spec(objective)
        except InputError:
            values = {}
        if isinstance(values.get("data"), str):
            files.append(Path(values["data"]))
    optimizer = params.get("optimizer")
    if isinstance(optimizer, str) and is_user_reference(optimizer):
        target = optimizer.strip().partition(":")[0]
        if target.endswith(".py"):
            files.append(Path(target))
    return files


def _scenario(spec: CheckSpec, quick: bool) -> dict[str, Any] | None:
    """A verify check's whole Scenario as plain data (None for a custom check, or for a spec
    whose scenario is invalid: running it gives its error result)."""
    if spec.kind != "verify":
        return None
    try:
        return spec.scenario(quick).to_dict()
    except RatecheckError:
        return None


class ResultCache:
    """Check results in ``directory`` (created on first store), one JSON file per key."""

    def __init__(self, directory: str | os.PathLike[str] | None = None) -> None:
        self.directory = Path(directory) if directory is not None else default_cache_dir()

    @property
    def figures(self) -> Path:
        """The directory of rendered figures by panel content, :data:`FIGURE_CACHE` inside
        the cache (see :func:`reports.render.figures.write_figures`)."""
        return self.directory / FIGURE_CACHE

    def key(self, spec: CheckSpec, quick: bool) -> str:
        """The entry key of ``spec`` run with or without ``--quick`` (module docstring)."""
        files = _named_files(spec.params) if spec.kind == "verify" else []
        content = {
            "spec": jsonable(spec.to_dict()),
            "scenario": _scenario(spec, quick),
            "function": _custom_function(spec),
            "quick": bool(quick),
            "code": code_version(_custom_source(spec)),
            "files": _digest_files(sorted(files)),
        }
        text = json.dumps(content, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()

    def _path(self, key: str) -> Path:
        return self.directory / f"{key}.json"

    def load(self, spec: CheckSpec, quick: bool) -> CheckResult | None:
        """The stored result of ``spec``, or None if absent, unreadable or invalid
        (:mod:`reports.suite.cache_entry`); an invalid entry is named in one warning line
        on stderr, and the check is then recomputed."""
        key = self.key(spec, quick)
        path = self._path(key)
        try:
            return parse_entry(_read(path), key, spec)
        except (FileNotFoundError, NotADirectoryError):  # no entry (or no cache directory)
            return None
        except InvalidEntry as exc:
            sys.stderr.write(
                f"ratecheck: warning: ignoring the cache entry {path} of check {spec.id!r}: "
                f"{exc}; the check is recomputed\n"
            )
            return None

    def store(self, spec: CheckSpec, quick: bool, result: CheckResult) -> None:
        """Write ``result`` (not if its status is ``error``, nor if it would not be read
        back); a failed write is ignored."""
        if result.status == "error":
            return
        key = self.key(spec, quick)
        try:
            raw = entry_bytes(key, result)
        except (InvalidEntry, TypeError, ValueError):  # invalid, or not JSON at all
            return
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".json")
        except OSError:
            return
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(raw)
            os.replace(tmp, self._path(key))
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(tmp)


def _read(path: Path) -> bytes:
    """The bytes of the entry file ``path``: FileNotFoundError when there is none,
    :class:`InvalidEntry` when it is not a regular file of at most :data:`MAX_BYTES`
    bytes (checked before reading: a FIFO would block, ``/dev/zero`` never end) or cannot
    be read."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InvalidEntry("not a regular file")
        if info.st_size > MAX_BYTES:
            raise InvalidEntry(f"{info.st_size} bytes, more than the {MAX_BYTES} it may have")
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        raise
    except OSError as exc:
        raise InvalidEntry(f"cannot be read ({exc.strerror or exc})") from None


def result_cache(cache: bool | str | os.PathLike[str]) -> ResultCache | None:
    """The cache a suite run uses: None for False, the default directory for True, else the
    directory ``cache``."""
    if cache is False:
        return None
    return ResultCache(None if cache is True else cache)
