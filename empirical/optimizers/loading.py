"""Load a user's optimizer factory from ``path/to/file.py:NAME`` or ``package.module:NAME``.

A factory is called with the spec's keyword hyper-parameters and returns an
:class:`~empirical.optimizers.base.Optimizer`, an ``(init, update)`` pair, or an object
with ``init`` and ``update`` attributes (and optionally ``lookahead``), optax-style.
The functions must follow ratecheck's protocol: ``init(w0) -> state`` and
``update(grad, state, w, lr) -> (new_w, state)``, over (R, d) arrays. Code that fails
while it is imported or while the factory runs (``sys.exit(...)`` included) is an
:class:`~theory.errors.InputError` naming the reference, never the end of the process.
"""

from __future__ import annotations

import hashlib
import importlib
import importlib.util
import inspect
import os
import re
import site
import sys
import sysconfig
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

from empirical.optimizers.base import Optimizer, identity_lookahead
from theory import validation
from theory.errors import InputError

_FORMS = "'path/to/file.py:NAME' or 'package.module:NAME'"
_PROTOCOL = (
    ("init", 1, "init(w0)"),
    ("update", 4, "update(grad, state, w, lr)"),
    ("lookahead", 2, "lookahead(state, w)"),
)
_DOTTED = re.compile(r"[A-Za-z_]\w*(\.[A-Za-z_]\w*)*")


def _one_line(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"SystemExit: the code called sys.exit({exc.code!r})"
    text = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__


def _is_file_target(target: str) -> bool:
    return target.endswith(".py") or "/" in target


def _load_file(target: str) -> tuple[ModuleType, str]:
    path = Path(target).expanduser()
    where = f"file {target!r}"
    if not path.is_file():
        raise InputError(f"optimizer {where} not found (looked for {path.resolve()})")
    resolved = path.resolve()
    digest = hashlib.sha256(str(resolved).encode()).hexdigest()[:16]
    stem = re.sub(r"\W", "_", path.stem)
    module_name = f"_ratecheck_user_{stem}_{digest}"
    spec = importlib.util.spec_from_file_location(module_name, resolved)
    if spec is None or spec.loader is None:
        raise InputError(f"optimizer {where}: cannot be loaded as a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # dataclasses and pickle look the module up here
    try:
        spec.loader.exec_module(module)
    except (Exception, SystemExit) as exc:  # sys.exit() at import is a failed load too
        del sys.modules[module_name]
        raise InputError(f"optimizer {where} failed to load: {_one_line(exc)}") from exc
    return module, where


def _load_module(target: str) -> tuple[ModuleType, str]:
    where = f"module {target!r}"
    if not _DOTTED.fullmatch(target):
        raise InputError(f"optimizer {where}: not a dotted module name; expected {_FORMS}")
    try:
        return importlib.import_module(target), where
    except (Exception, SystemExit) as exc:
        raise InputError(f"optimizer {where} failed to import: {_one_line(exc)}") from exc


def _callables(module: ModuleType) -> list[str]:
    """Public callables defined in ``module`` itself (not imported into it)."""
    return sorted(
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and callable(obj)
        and getattr(obj, "__module__", None) == module.__name__
    )


def load_factory(ref: str) -> Callable[..., Any]:
    """The callable ``NAME`` of ``path/to/file.py:NAME`` or ``package.module:NAME``.

    A file is executed as a module under a name unique to its resolved path; a module is
    imported normally (it must be importable, e.g. on ``sys.path``).
    """
    target, _, name = ref.rpartition(":") if isinstance(ref, str) else ("", "", "")
    target, name = target.strip(), name.strip()
    if not target or not name:
        raise InputError(f"optimizer reference {ref!r}: expected {_FORMS}")
    if not name.isidentifier():
        raise InputError(f"optimizer reference {ref!r}: {name!r} is not a Python name")
    module, where = _load_file(target) if _is_file_target(target) else _load_module(target)
    if not hasattr(module, name):
        callables = _callables(module)
        defined = ", ".join(callables) or "(none)"
        raise InputError(
            f"optimizer {where} defines no {name!r}; callables it defines: {defined}"
            + validation.suggestion(name, callables)
        )
    factory = getattr(module, name)
    if not callable(factory):
        raise InputError(
            f"optimizer {where}: {name!r} is not callable (it is of type {type(factory).__name__})"
        )
    return factory


def _library_dirs() -> set[Path]:
    """The interpreter's own library directories (stdlib, site-packages), whose modules
    every ``python`` or ``ratecheck`` of this environment imports from any directory."""
    paths = sysconfig.get_paths()
    dirs = [paths[key] for key in ("stdlib", "platstdlib", "purelib", "platlib") if key in paths]
    dirs += [*site.getsitepackages(), site.getusersitepackages()]
    return {Path(d).resolve() for d in dirs}


def import_root(module_name: str) -> Path | None:
    """The directory a fresh interpreter needs on ``PYTHONPATH`` to import ``module_name``
    as this one did, or None when it needs none.

    The directory comes from the imported module's ``__file__`` with one path component
    stripped per dotted component (``ROOT/pkg/opt.py`` for ``pkg.opt``,
    ``ROOT/pkg/__init__.py`` for ``pkg``): it is where ``sys.path`` (the working directory,
    a ``tests/`` directory pytest inserted, ...) let the module be found. None when the
    module is not imported, has no file, its file does not match its name, or ROOT is one
    of the interpreter's library directories.
    """
    module = sys.modules.get(module_name)
    location = getattr(module, "__file__", None)
    if not isinstance(location, str):
        return None
    path = Path(os.path.abspath(location))  # the names sys.path found it by: no symlinks resolved
    stem = path.name.split(".")[0]  # opt.py, opt.cpython-311-x86_64-linux-gnu.so: opt
    leaf = path.parent if stem == "__init__" else path.parent / stem
    parts = module_name.split(".")
    chain = [leaf, *leaf.parents][: len(parts)]
    if [p.name for p in reversed(chain)] != parts:
        return None
    root = chain[-1].parent
    return None if root.resolve() in _library_dirs() else root


def _keywords(fn: Callable[..., Any]) -> list[str] | None:
    """The keyword arguments ``fn`` accepts, or None if any (``**kwargs``) or unknown."""
    try:
        parameters = inspect.signature(fn).parameters.values()
    except (TypeError, ValueError):  # no signature available (some builtins)
        return None
    if any(p.kind is p.VAR_KEYWORD for p in parameters):
        return None
    return [p.name for p in parameters if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)]


def _accepts(fn: Callable[..., Any], n_args: int) -> bool:
    """Whether ``fn`` can be called with ``n_args`` positional arguments (True if unknown)."""
    try:
        inspect.signature(fn).bind(*range(n_args))
    except TypeError:
        return False
    except ValueError:  # no signature available (some builtins)
        return True
    return True


def _as_parts(result: Any, ref: str) -> tuple[Callable, Callable, Callable]:
    if isinstance(result, Optimizer):
        init, update, lookahead = result.init, result.update, result.lookahead
    elif isinstance(result, tuple | list) and len(result) == 2:
        init, update = result
        lookahead = identity_lookahead
    elif hasattr(result, "init") and hasattr(result, "update"):
        init, update = result.init, result.update
        lookahead = getattr(result, "lookahead", identity_lookahead)
    else:
        raise InputError(
            f"optimizer factory {ref!r} returned an object of type {type(result).__name__}; "
            "expected an Optimizer, an (init, update) pair, or an object with init and update"
        )
    parts = {"init": init, "update": update, "lookahead": lookahead}
    for what, n_args, signature in _PROTOCOL:
        if not callable(parts[what]):
            raise InputError(f"optimizer factory {ref!r}: its {what} is not callable")
        if not _accepts(parts[what], n_args):
            raise InputError(
                f"optimizer factory {ref!r}: its {what} must accept {n_args} positional "
                f"argument(s), as {signature}"
            )
    return init, update, lookahead


def user_optimizer(ref: str, **hyper: Any) -> Optimizer:
    """Call the factory ``ref`` with ``hyper``; its result as a non-builtin Optimizer ``ref``."""
    factory = load_factory(ref)
    accepted = _keywords(factory)
    if accepted is not None:
        validation.keys(f"optimizer factory {ref!r}", hyper, accepted)
    keys = ", ".join(f"{key}={value!r}" for key, value in hyper.items()) or "no arguments"
    try:
        result = factory(**hyper)
    except TypeError as exc:
        raise InputError(
            f"optimizer factory {ref!r} cannot be called with {keys}: {_one_line(exc)}"
        ) from exc
    except (Exception, SystemExit) as exc:
        raise InputError(
            f"optimizer factory {ref!r} called with {keys} failed: {_one_line(exc)}"
        ) from exc
    init, update, lookahead = _as_parts(result, ref)
    return Optimizer(init, update, lookahead, name=ref, hyperparams=dict(hyper), builtin=False)
