"""User suites in TOML: ``load_suite("suite.toml")`` -> the checks it declares.

Format (README, "User suites"; a complete example is ``examples/suite.toml``)::

    title = "My checks"              # optional
    allow_user_code = false          # true lets optimizers name user Python files/modules

    [defaults]                       # optional: run fields every check inherits
    steps = 10000
    replicates = 20

    [quick]                          # optional: overrides under --quick (steps, replicates)
    steps = 1000

    [[check]]
    id = "ridge-sgd"                 # required, unique: letters, digits, . _ -
    title = "..."                    # optional (default: the id); claim = "..." (default: title)
    objective = "ridge:n=500,lam=0.1"            # or {name = "ridge", n = 500, data = "x.csv"}
    optimizer = "sgd"                            # or {name = "momentum", beta = 0.9},
                                                 # {file = "opt.py", factory = "make", ...}
    schedule = "1/(lam*k)"                       # an expression in k, a number, or plateau:...
    expect = "sgd-sc-smooth-last"                # a theorem id, "O(EXPR)" or "linear"
    outcome = "pass"                             # or "fail"; label = "stalls" (optional)
    batch_size = [1, 4, 16]                      # a list makes a grid: three checks

Run fields: ``objective``, ``optimizer``, ``schedule``, ``expect``, ``batch_size``,
``sampling``, ``average``, ``steps``, ``replicates``, ``seed``, ``constants`` (a table),
``alpha``, ``delta``, ``rtol``; each is an argument of :func:`empirical.verify`. A list
in any run field but ``constants`` expands to a grid (the product over every listed
field); each grid check's id gets the suffix ``[field=value,...]``. Relative paths (a
data file, an optimizer file) are relative to the suite file.

Every check is validated before anything runs, by making its
:class:`~empirical.scenario.Scenario` (objective, optimizer, schedule, expectation,
averaging, batch size, and whether the theorem applies); an error names the file, the
check and the field. An optimizer
that names user code is refused unless the suite sets ``allow_user_code = true``: a
suite from somebody's branch runs no code by default.
"""

from __future__ import annotations

import itertools
import math
import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from numbers import Real
from pathlib import Path
from typing import Any

from empirical.optimizers import is_user_reference
from empirical.scenario import Scenario, field_of
from empirical.specs import split_spec
from reports.suite.model import CheckSpec
from theory import limits, validation
from theory.errors import InputError, RatecheckError
from theory.validation import rejection

__all__ = ["FAIL_LABELS", "RUN_FIELDS", "UserSuite", "load_suite", "parse_suite"]

SUITE_FIELDS = ("title", "allow_user_code", "defaults", "quick", "check")
RUN_FIELDS = (
    "objective",
    "optimizer",
    "schedule",
    "expect",
    "batch_size",
    "sampling",
    "average",
    "steps",
    "replicates",
    "seed",
    "constants",
    "alpha",
    "delta",
    "rtol",
)
"""Fields passed to :func:`empirical.verify`; all but ``constants`` may be lists (grids)."""
TEXT_FIELDS = ("id", "title", "claim", "section", "outcome", "label")
CHECK_FIELDS = (*TEXT_FIELDS, *RUN_FIELDS, "quick")
QUICK_FIELDS = ("steps", "replicates")
REQUIRED = ("id", "objective", "optimizer", "schedule", "expect")
OUTCOMES = ("pass", "fail")
FAIL_LABELS = ("slower", "stalls", "diverges", "bound-violated", "faster")
"""Labels a failed verification can carry (``label`` of an expected failure)."""
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


@dataclass(frozen=True)
class UserSuite:
    """A loaded suite: its title, checks (grids expanded) and where it came from."""

    title: str
    specs: tuple[CheckSpec, ...]
    path: Path | None
    allow_user_code: bool


class _Where:
    """Prefix of error messages: the file, the check and the field; the message after it
    is :mod:`theory.validation`'s (``steps = 0 is not allowed; expected ...``)."""

    def __init__(self, source: str) -> None:
        self.source = source

    def suite_at(self, field: str) -> str:
        return f"{self.source}: field {field!r}"

    def check_at(self, entry: str, field: str | None) -> str:
        where = f"{self.source}: check {entry}"
        return f"{where}, field {field!r}" if field else where

    def suite(self, field: str, message: str) -> InputError:
        return InputError(f"{self.suite_at(field)}: {message}")

    def check(self, entry: str, field: str | None, message: str) -> InputError:
        return InputError(f"{self.check_at(entry, field)}: {message}")


def _integer(value: Any, minimum: int) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= minimum


def _resolve(path_text: str, base: Path) -> str:
    path = Path(path_text).expanduser()
    return str(path if path.is_absolute() else (base / path).resolve())


def _spec_text(name: str, params: Mapping[str, Any]) -> str:
    for key, value in params.items():
        text = str(value)
        if any(ch in text for ch in ",=:") and key != "data":
            raise InputError(rejection(key, value, "a value without ',', '=' or ':'"))
        if key == "data" and "," in text:
            raise InputError(rejection(key, value, "a path without ','"))
    items = ",".join(f"{key}={value}" for key, value in params.items())
    return f"{name}:{items}" if items else name


def _objective_text(value: Any, base: Path) -> str:
    """A spec string with any ``data`` path made absolute (relative to the suite file)."""
    if isinstance(value, str):
        name, params = split_spec(value, "objective")
        if "data" not in params:
            return value.strip()
    elif isinstance(value, Mapping):
        params = dict(value)
        name = params.pop("name", None)
        if not isinstance(name, str) or not name:
            raise InputError(rejection("name", name, 'a name such as name = "ridge"'))
    else:
        raise InputError(rejection("objective", value, "'NAME:key=value,...' or a table"))
    if isinstance(params.get("data"), str):
        params["data"] = _resolve(params["data"], base)
    return _spec_text(name, params)


def _optimizer_text(value: Any, base: Path) -> str:
    """A spec string; a user file reference is made absolute (relative to the suite)."""
    if isinstance(value, str):
        text = value.strip()
        if is_user_reference(text):
            target, sep, rest = text.partition(":")
            if target.endswith(".py") or "/" in target:
                return _resolve(target, base) + sep + rest
        return text
    if not isinstance(value, Mapping):
        raise InputError(rejection("optimizer", value, "'NAME:key=value,...' or a table"))
    params = dict(value)
    targets = [key for key in ("name", "file", "module") if key in params]
    if len(targets) != 1:
        expected = "a table with exactly one of name, file or module"
        raise InputError(rejection("optimizer", value, expected))
    key = targets[0]
    target = params.pop(key)
    if not isinstance(target, str) or not target:
        raise InputError(rejection(key, target, "a non-empty string"))
    if key == "name":
        return _spec_text(target, params)
    factory = params.pop("factory", None)
    if not isinstance(factory, str) or not factory:
        expected = f'the name of the function (factory = "NAME") of the {key}'
        raise InputError(rejection("factory", factory, expected))
    if key == "file":
        target = _resolve(target, base)
    elif target.endswith(".py") or "/" in target:
        expected = "a dotted module name (use file = ... for a path)"
        raise InputError(rejection("module", target, expected))
    return _spec_text(f"{target}:{factory}", params)


def _value_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return ",".join(f"{k}={v}" for k, v in value.items())
    return str(value)


def _grid_size(entry: Mapping[str, Any]) -> int:
    """The number of checks ``entry`` expands to: the product of its lists' lengths."""
    return math.prod(
        len(entry[key])
        for key in RUN_FIELDS
        if key != "constants" and isinstance(entry.get(key), list)
    )


def _grid(entry: Mapping[str, Any]) -> list[tuple[dict[str, Any], str]]:
    """The entry's run fields for each grid point, with the id suffix (empty if no grid)."""
    listed = [key for key in RUN_FIELDS if key != "constants" and isinstance(entry.get(key), list)]
    points = []
    for values in itertools.product(*(entry[key] for key in listed)):
        point = {key: entry[key] for key in RUN_FIELDS if key in entry}
        point.update(zip(listed, values, strict=True))
        suffix = ",".join(f"{key}={_value_text(v)}" for key, v in zip(listed, values, strict=True))
        points.append((point, f"[{suffix}]" if listed else ""))
    return points


class _Validator:
    """Builds each grid point's verify parameters, checking every field."""

    def __init__(self, where: _Where, base: Path, allow_user_code: bool) -> None:
        self.where = where
        self.base = base
        self.allow_user_code = allow_user_code

    def params(self, entry: str, point: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
        """verify's keyword arguments for ``point`` (as written, paths resolved), checked
        by making their :class:`~empirical.scenario.Scenario`, and the theorem id it expects."""
        params = dict(point)
        try:
            params["objective"] = _objective_text(point["objective"], self.base)
        except RatecheckError as exc:
            raise self.where.check(entry, "objective", str(exc)) from None
        try:
            params["optimizer"] = _optimizer_text(point["optimizer"], self.base)
        except RatecheckError as exc:
            raise self.where.check(entry, "optimizer", str(exc)) from None
        if is_user_reference(params["optimizer"]) and not self.allow_user_code:
            expected = (
                "a built-in optimizer: this names user code, which this suite does not allow; "
                "add 'allow_user_code = true' at the top of the suite to run it"
            )
            message = rejection("optimizer", params["optimizer"], expected)
            raise self.where.check(entry, "optimizer", message)
        for name, types, expected in _TYPES:
            value = point.get(name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, types)):
                raise self.where.check(entry, name, rejection(name, value, expected))
        for name in ("alpha", "delta", "rtol"):
            if name in point and not point[name] > 0:
                raise self.where.check(entry, name, rejection(name, point[name], "a number > 0"))
        try:
            scenario = Scenario.from_dict(params)
        except RatecheckError as exc:
            raise self.where.check(entry, field_of(exc), str(exc)) from None
        if "constants" in params:
            params["constants"] = dict(scenario.constants)
        for name in ("alpha", "delta", "rtol"):
            if name in params:
                params[name] = float(params[name])
        if "sampling" not in params:
            params["sampling"] = "shuffle"
        params.setdefault("batch_size", 1)
        expectation = scenario.parts.expectation
        theorem = expectation.theorem.id if expectation and expectation.theorem else None
        return params, theorem


_TYPES = (
    ("schedule", str | Real, "an expression or a number"),
    ("expect", str, "a string"),
    ("average", str, "a string such as 'uniform'"),
    ("steps", int, "an integer >= 1"),
    ("replicates", int, "an integer >= 1"),
    ("seed", int, "an integer >= 0"),
    ("batch_size", int, "an integer >= 1"),
    ("constants", Mapping, "a table of numbers"),
    ("alpha", Real, "a number > 0"),
    ("delta", Real, "a number > 0"),
    ("rtol", Real, "a number > 0"),
)
"""Run fields whose TOML type is checked before the scenario reads them."""


def _check_table(where: _Where, name: str, value: Any, allowed: tuple[str, ...]) -> dict:
    if not isinstance(value, Mapping):
        raise where.suite(name, rejection(name, value, "a table"))
    validation.keys(where.suite_at(name), value, allowed)
    return dict(value)


def _quick(where: _Where, entry: str | None, value: Any) -> dict[str, int]:
    at = where.check_at(entry, "quick") if entry else where.suite_at("quick")
    if not isinstance(value, Mapping):
        raise validation.not_allowed(at, "quick", value, "a table such as {steps = 1000}")
    validation.keys(at, value, QUICK_FIELDS)
    for key, item in value.items():
        if not _integer(item, 1):
            raise validation.not_allowed(at, key, item, "an integer >= 1")
    return dict(value)


def _text(where: _Where, entry: str, table: Mapping[str, Any], key: str, default: str) -> str:
    value = table.get(key, default)
    if not isinstance(value, str):
        raise where.check(entry, key, rejection(key, value, "a string"))
    return value


def _entry_specs(
    where: _Where,
    validator: _Validator,
    index: int,
    table: Any,
    defaults: Mapping[str, Any],
    quick: Mapping[str, int],
    before: int,
) -> list[CheckSpec]:
    """The checks of entry ``index``; ``before`` checks come from the entries before it."""
    label = f"#{index}"
    if not isinstance(table, Mapping):
        raise where.check(label, None, rejection("check", table, "a table ([[check]])"))
    check_id = table.get("id")
    if isinstance(check_id, str):
        label = f"#{index} ({check_id!r})"
    unknown = [key for key in table if key not in CHECK_FIELDS]
    if unknown:
        validation.keys(where.check_at(label, unknown[0]), table, CHECK_FIELDS, name="field")
    merged = {**defaults, **table}
    for key in REQUIRED:
        if key not in merged:
            expected = "the required fields " + ", ".join(REQUIRED)
            raise validation.missing(where.check_at(label, key), [key], expected)
    if not isinstance(check_id, str) or not _ID.fullmatch(check_id):
        expected = "letters, digits, '.', '_' or '-'"
        raise where.check(label, "id", rejection("id", check_id, expected))
    title = _text(where, label, table, "title", check_id)
    claim = _text(where, label, table, "claim", title)
    section = _text(where, label, table, "section", "")
    outcome = _text(where, label, table, "outcome", "pass")
    if outcome not in OUTCOMES:
        expected = f"one of {', '.join(OUTCOMES)}"
        raise where.check(label, "outcome", rejection("outcome", outcome, expected))
    fail_label = table.get("label")
    if fail_label is not None and (outcome != "fail" or fail_label not in FAIL_LABELS):
        expected = f'a label only with outcome = "fail", and one of {", ".join(FAIL_LABELS)}'
        raise where.check(label, "label", rejection("label", fail_label, expected))
    overrides = {**quick, **(_quick(where, label, table["quick"]) if "quick" in table else {})}
    for key in RUN_FIELDS:
        if isinstance(merged.get(key), list) and not merged[key]:
            expected = "a value or a non-empty list (an empty list makes an empty grid)"
            raise where.check(label, key, rejection(key, merged[key], expected))
    limits.MAX_SUITE_CHECKS.check(
        before + _grid_size(merged),
        where.check_at(label, None),
        "grid",
        _grid_size(merged),
        "a number of checks in the suite, grids expanded,",
    )
    specs = []
    for point, suffix in _grid(merged):
        entry = f"#{index} ({check_id + suffix!r})"
        params, theorem = validator.params(entry, point)
        specs.append(
            CheckSpec(
                id=check_id + suffix,
                title=title + (f" {suffix}" if suffix else ""),
                claim=claim,
                kind="verify",
                params=params,
                expect=outcome,
                expect_label=fail_label,
                theorem=theorem,
                quick=overrides,
                section=section,
            )
        )
    return specs


def parse_suite(data: Mapping[str, Any], source: str, base: Path) -> UserSuite:
    """The suite described by ``data`` (a parsed TOML document); ``source`` names it in
    errors and ``base`` is the directory relative paths are relative to."""
    where = _Where(source)
    unknown = [key for key in data if key not in SUITE_FIELDS]
    if unknown:
        validation.keys(where.suite_at(unknown[0]), data, SUITE_FIELDS, name="top-level field")
    title = data.get("title", Path(source).stem)
    if not isinstance(title, str):
        raise where.suite("title", rejection("title", title, "a string"))
    allow = data.get("allow_user_code", False)
    if not isinstance(allow, bool):
        raise where.suite("allow_user_code", rejection("allow_user_code", allow, "true or false"))
    defaults = _check_table(where, "defaults", data.get("defaults", {}), RUN_FIELDS)
    quick = _quick(where, None, data.get("quick", {}))
    checks = data.get("check")
    if not isinstance(checks, list) or not checks:
        raise where.suite("check", rejection("check", checks, "one or more [[check]] tables"))
    validator = _Validator(where, base, allow)
    specs: list[CheckSpec] = []
    seen: set[str] = set()
    for index, table in enumerate(checks, start=1):
        for spec in _entry_specs(where, validator, index, table, defaults, quick, len(specs)):
            if spec.id in seen:
                message = rejection("id", spec.id, "an id that no other check uses")
                raise where.check(f"#{index} ({spec.id!r})", "id", message)
            seen.add(spec.id)
            specs.append(spec)
    return UserSuite(title=title, specs=tuple(specs), path=None, allow_user_code=allow)


_TOKEN = re.compile(
    r'''"""(?:[^\\]|\\.)*?"""|\'\'\'.*?\'\'\'|"(?:[^"\\\n]|\\.)*"|'[^'\n]*'|#[^\n]*|'''
    r"[\[\]{}]|\.|[^\s\[\]{}.,=\"'#]+|\S",
    re.DOTALL,
)
"""TOML tokens as far as nesting goes: strings, comments, brackets, dots, bare words."""


def toml_depth(text: str) -> int:
    """An upper bound on the nesting of the TOML document ``text``, read without parsing
    it: open brackets and braces, plus the parts of the dotted key or header around."""
    depth = chain = deepest = 0
    after_dot = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in "[{":
            depth += 1
            chain, after_dot = 0, False
        elif token in "]}":
            depth -= 1
            chain, after_dot = 0, False
        elif token == ".":
            after_dot = True
        elif token[0] == "#":
            continue
        elif token in ",=":
            chain, after_dot = 0, False
        else:
            chain = chain + 1 if after_dot else 1
            after_dot = False
        deepest = max(deepest, depth + chain)
    return deepest


def load_suite(path: str | Path) -> UserSuite:
    """Read and validate the TOML suite at ``path`` (:class:`InputError` naming the file,
    the check and the field on any problem)."""
    path = Path(path)
    source = str(path)
    try:
        size = path.stat().st_size
        limits.MAX_SUITE_BYTES.check(size, source, "size", size, "a file size")
        text = path.read_text(encoding="utf-8")
        depth = toml_depth(text)
        limits.MAX_TOML_DEPTH.check(depth, source, "nesting", depth, "a depth")
        data = tomllib.loads(text)
    except FileNotFoundError:
        raise InputError(f"{source}: no such suite file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{source}: cannot read it ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"{source}: not valid TOML ({exc})") from None
    suite = parse_suite(data, source, path.resolve().parent)
    return UserSuite(
        title=suite.title, specs=suite.specs, path=path, allow_user_code=suite.allow_user_code
    )
