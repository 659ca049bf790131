"""Exact derivations on model problems, each solved and checked by SymPy.

Every function returns a :class:`Derivation` (closed form, symbols, conditions, steps,
named results) and is cached: the SymPy work runs once per process. Index convention:
k counts updates, w_0 is the start (THEORY.md §0; papers' w_t is our w_{t-1}).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType

from theory.errors import UnknownNameError
from theory.model_problems.averaging import polydecay_weights
from theory.model_problems.constant_step import constant_step, polyak_ruppert_constant_step
from theory.model_problems.derivation import Derivation, DerivationCheckError
from theory.model_problems.gd_quadratic import gd_quadratic
from theory.model_problems.rakhlin_lemma import rakhlin_lemma
from theory.model_problems.sgd_decaying import sgd_c_over_k, sgd_inverse_k

DERIVATIONS: Mapping[str, Callable[[], Derivation]] = MappingProxyType(
    {
        "sgd_inverse_k": sgd_inverse_k,
        "sgd_c_over_k": sgd_c_over_k,
        "constant_step": constant_step,
        "gd_quadratic": gd_quadratic,
        "rakhlin_lemma": rakhlin_lemma,
        "polydecay_weights": polydecay_weights,
        "polyak_ruppert_constant_step": polyak_ruppert_constant_step,
    }
)
"""Derivation id -> the function that derives it."""


def get_derivation(derivation_id: str) -> Derivation:
    """The derivation with this id; :class:`UnknownNameError` lists the known ids."""
    if not isinstance(derivation_id, str) or derivation_id not in DERIVATIONS:
        raise UnknownNameError(
            f"unknown derivation {derivation_id!r}; known: {', '.join(DERIVATIONS)}"
        )
    return DERIVATIONS[derivation_id]()


__all__ = [
    "DERIVATIONS",
    "Derivation",
    "DerivationCheckError",
    "constant_step",
    "gd_quadratic",
    "get_derivation",
    "polyak_ruppert_constant_step",
    "polydecay_weights",
    "rakhlin_lemma",
    "sgd_c_over_k",
    "sgd_inverse_k",
]
