"""``results.json``: the machine-readable report (schema ``ratecheck.report/1``).

An object with ``schema``, ``created`` (UTC, ISO 8601), ``ratecheck_version``, ``quick``,
``exit_code`` (0 when no check is ``unexpected`` or ``error``, else 1), ``counts`` (checks
by status) and ``checks``: one :meth:`CheckResult.to_dict` per check, whose ``verdicts``
are ``ratecheck verify --format json`` objects (schema ``ratecheck.verdict/2``) and whose
``figures`` list the PNG files of its panels, relative to the report directory. Strict
JSON: NaN and infinities are written as null.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from reports.suite.cache import jsonable
from reports.suite.model import CheckResult, exit_code
from reports.version import ratecheck_version

__all__ = ["REPORT_SCHEMA", "report_document", "report_json"]

REPORT_SCHEMA = "ratecheck.report/1"
"""The ``schema`` field of ``results.json``."""


def report_document(
    results: Sequence[CheckResult],
    *,
    quick: bool,
    created: str,
    figures: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, Any]:
    """The ``results.json`` object (module docstring); ``figures`` by check id."""
    checks = []
    for result in results:
        entry = result.to_dict()
        entry["figures"] = list((figures or {}).get(result.spec.id, []))
        checks.append(entry)
    counts = Counter(result.status for result in results)
    return jsonable(
        {
            "schema": REPORT_SCHEMA,
            "created": created,
            "ratecheck_version": ratecheck_version(),
            "quick": bool(quick),
            "exit_code": exit_code(results),
            "counts": dict(sorted(counts.items())),
            "checks": checks,
        },
        finite=True,
    )


def report_json(document: Mapping[str, Any]) -> str:
    """``document`` as indented strict JSON."""
    return json.dumps(document, indent=1, allow_nan=False, ensure_ascii=False) + "\n"
