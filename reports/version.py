"""The installed ratecheck version (a module of its own: the CLI's ``--version`` must not
import the renderers and matplotlib to print it)."""

from __future__ import annotations

import importlib.metadata

__all__ = ["ratecheck_version"]


def ratecheck_version() -> str:
    """The installed ratecheck version, or ``unknown (not installed)``."""
    try:
        return importlib.metadata.version("ratecheck")
    except importlib.metadata.PackageNotFoundError:
        return "unknown (not installed)"
