"""First-order optimizers as pure ``init``/``update`` pairs, and the spec registry.

``optimizer("adam:beta1=0.5")`` builds a built-in optimizer from a spec;
``optimizer("my_opts.py:make:lr0=1")`` or ``optimizer("pkg.mod:make")`` loads a user
factory (see :mod:`empirical.optimizers.loading`).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path

from empirical.optimizers.adam import AdamaxState, AdamState, AmsgradState, adam, adamax, amsgrad
from empirical.optimizers.adaptive import (
    AdadeltaState,
    AdagradState,
    RmspropState,
    adadelta,
    adagrad,
    rmsprop,
)
from empirical.optimizers.base import Optimizer, identity_lookahead
from empirical.optimizers.momentum import MomentumState, NesterovState, momentum, nesterov
from empirical.optimizers.rprop import RpropState, rprop
from empirical.optimizers.sgd import SgdState, sgd
from empirical.specs import split_spec
from theory import validation

OPTIMIZERS: dict[str, Callable[..., Optimizer]] = {
    "sgd": sgd,
    "momentum": momentum,
    "nesterov": nesterov,
    "adagrad": adagrad,
    "rmsprop": rmsprop,
    "adadelta": adadelta,
    "adam": adam,
    "adamax": adamax,
    "amsgrad": amsgrad,
    "rprop": rprop,
}
"""Built-in optimizer factories by name; each takes its hyper-parameters as keywords."""

_USER_FORMS = "path/to/file.py:NAME[:key=val,...], package.module:NAME[:key=val,...]"


def hyperparameter_keys(name: str) -> list[str]:
    """The keyword hyper-parameters of the built-in optimizer ``name``."""
    return list(inspect.signature(OPTIMIZERS[name]).parameters)


def is_user_reference(spec: str) -> bool:
    """Whether ``spec`` names a user factory rather than a built-in optimizer.

    True when its first ``:``-segment ends in ``.py`` or contains ``/``, or contains a
    ``.`` while the second segment is not a ``key=val`` list.
    """
    first, _, rest = spec.strip().partition(":")
    second = rest.partition(":")[0]
    return first.endswith(".py") or "/" in first or ("." in first and "=" not in second)


def pasteable(spec: str) -> tuple[str, Path | None]:
    """``spec`` as a command pasted in any directory needs it, and the directory that must
    be on ``PYTHONPATH`` for it (None if none).

    A user file is made absolute (it was found from the working directory); for a
    ``package.module:NAME`` the directory is the one the module was imported from
    (:func:`~empirical.optimizers.loading.import_root`); a built-in name is unchanged.
    """
    from empirical.optimizers.loading import import_root  # here: loading imports this package

    text = spec.strip()
    if not is_user_reference(text):
        return text, None
    target, sep, rest = text.partition(":")
    if target.endswith(".py") or "/" in target:
        return str(Path(target).expanduser().absolute()) + sep + rest, None
    return text, import_root(target)


def _user(spec: str) -> Optimizer:
    from empirical.optimizers.loading import user_optimizer  # here: loading imports this package

    target, _, rest = spec.strip().partition(":")
    name, _, params = rest.partition(":")
    if not name.strip():
        raise validation.not_allowed("optimizer", "spec", spec, f"one of {_USER_FORMS}")
    _, hyper = split_spec(f"{name.strip()}:{params}", f"optimizer {spec!r}")
    return user_optimizer(f"{target}:{name.strip()}", **hyper)


def optimizer(spec: str | Optimizer, *, allow_user_code: bool = True) -> Optimizer:
    """The optimizer named by ``spec`` (``NAME[:key=val,...]`` or a user reference).

    Built-in names and keys are checked before anything runs; values are validated by the
    factory, and the returned ``hyperparams`` hold every key, defaults included. A user
    reference runs the user's Python code; ``allow_user_code=False`` refuses it (for specs
    read from files that should not run code).
    """
    if isinstance(spec, Optimizer):
        return spec
    if not isinstance(spec, str):
        raise validation.not_allowed("optimizer", "spec", spec, "a spec string or an Optimizer")
    if is_user_reference(spec):
        if not allow_user_code:
            raise validation.not_allowed(
                "optimizer",
                "spec",
                spec,
                f"a built-in optimizer ({', '.join(OPTIMIZERS)}): it refers to user code, "
                "which is not allowed here",
            )
        return _user(spec)
    name, params = split_spec(spec, "optimizer")
    built_in = f"one of {', '.join(OPTIMIZERS)}, or a user factory: {_USER_FORMS}"
    validation.choice("optimizer", "name", name, OPTIMIZERS, expected=built_in)
    validation.keys(f"optimizer {name!r}", params, hyperparameter_keys(name))
    return OPTIMIZERS[name](**params)


__all__ = [
    "OPTIMIZERS",
    "AdadeltaState",
    "AdagradState",
    "AdamState",
    "AdamaxState",
    "AmsgradState",
    "MomentumState",
    "NesterovState",
    "Optimizer",
    "RmspropState",
    "RpropState",
    "SgdState",
    "adadelta",
    "adagrad",
    "adam",
    "adamax",
    "amsgrad",
    "hyperparameter_keys",
    "identity_lookahead",
    "is_user_reference",
    "momentum",
    "nesterov",
    "optimizer",
    "pasteable",
    "rmsprop",
    "rprop",
    "sgd",
]
