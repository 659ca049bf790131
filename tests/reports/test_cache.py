"""The result cache: reuse, keys, corrupt entries, errors not stored, the default directory."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from reports.suite import cache as cache_module
from reports.suite.cache import (
    ResultCache,
    default_cache_dir,
    result_from_dict,
)
from reports.suite.engine import run_suite
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel, status_of

CALLS: list[str] = []
"""Ids of the checks the counting custom check has computed (in this process)."""


def counting_check(spec: CheckSpec, params: dict[str, Any], *, progress: Any = None) -> CheckResult:
    CALLS.append(spec.id)
    value = float(params["value"])
    curve = Curve(label="c", k=[1.0, 10.0], mean=[value, value / 10], low=None, high=[value, 1.0])
    return CheckResult(
        spec=spec,
        verdict="pass",
        label="within",
        status=status_of(spec, "pass", "within"),
        reason="counted",
        panels=(Panel(title="p", curves=(curve,)),),
        metrics={"value": value, "nan": float("nan")},
        exponent={"estimate": -1.0, "ci_low": -1.1, "ci_high": -0.9},
    )


def failing_check(spec: CheckSpec, params: dict[str, Any], *, progress: Any = None) -> CheckResult:
    CALLS.append(spec.id)
    raise RuntimeError("no luck")


def counting(check_id: str, value: float = 1.0, quick: dict[str, Any] | None = None) -> CheckSpec:
    return CheckSpec(
        id=check_id,
        title=check_id,
        claim="counts",
        kind="custom",
        function=counting_check,
        params={"value": value},
        quick=quick or {},
    )


def test_an_unchanged_rerun_reuses_the_results(tmp_path):
    CALLS.clear()
    specs = [counting("a"), counting("b", 2.0)]
    first = run_suite(specs, jobs=1, cache=tmp_path)
    second = run_suite(specs, jobs=1, cache=tmp_path)
    assert CALLS == ["a", "b"]
    assert json.dumps([r.to_dict() for r in first]) == json.dumps([r.to_dict() for r in second])
    assert len(list(tmp_path.glob("*.json"))) == 2


def test_no_cache_recomputes_and_writes_nothing(tmp_path):
    CALLS.clear()
    run_suite([counting("a")], jobs=1, cache=tmp_path)
    run_suite([counting("a")], jobs=1, cache=False)
    assert CALLS == ["a", "a"]
    assert len(list(tmp_path.glob("*.json"))) == 1


KEY_CHANGES = [
    ("another parameter value", counting("a", 2.0), False),
    ("the same spec under --quick", counting("a"), True),
    ("another id", counting("z"), False),
    ("new quick overrides", counting("a", 1.0, {"value": 3.0}), False),
]


@pytest.mark.parametrize(("what", "spec", "quick"), KEY_CHANGES, ids=[c[0] for c in KEY_CHANGES])
def test_the_key_changes_with_the_configuration(tmp_path, what, spec, quick):
    store = ResultCache(tmp_path)
    assert store.key(spec, quick) != store.key(counting("a"), False)


def test_the_key_tells_apart_functions_of_the_same_name(tmp_path):
    def counting_check(spec: CheckSpec, params: dict[str, Any], **_: Any) -> CheckResult:
        raise AssertionError("not run")

    other = dataclasses.replace(counting("a"), function=counting_check)
    assert other.to_dict() == counting("a").to_dict()
    store = ResultCache(tmp_path)
    assert store.key(other, False) != store.key(counting("a"), False)


def test_a_cached_result_carries_the_specs_function(tmp_path):
    run_suite([counting("a")], jobs=1, cache=tmp_path)
    (result,) = run_suite([counting("a")], jobs=1, cache=tmp_path)
    assert result.spec == counting("a") and result.spec.function is counting_check


def test_the_key_depends_on_the_code_version(monkeypatch, tmp_path):
    store = ResultCache(tmp_path)
    before = store.key(counting("a"), False)
    extra = tmp_path / "module.py"
    extra.write_text("x = 1\n")
    monkeypatch.setattr(cache_module, "_custom_source", lambda spec: (str(extra),), raising=True)
    with_file = store.key(counting("a"), False)
    extra.write_text("x = 2\n")
    edited = store.key(counting("a"), False)
    assert len({before, with_file, edited}) == 3


def test_the_key_depends_on_a_named_data_files_bytes(tmp_path):
    data = tmp_path / "data.csv"
    data.write_text("1,2\n3,4\n")
    spec = CheckSpec(
        id="d",
        title="d",
        claim="d",
        kind="verify",
        params={"objective": f"ridge:data={data},lam=0.1", "optimizer": "sgd"},
    )
    store = ResultCache(tmp_path)
    before = store.key(spec, False)
    data.write_text("1,2\n3,5\n")
    assert store.key(spec, False) != before


CORRUPTIONS = {
    "truncated": lambda text: text[: len(text) // 2],
    "not json": lambda text: "\x00\xff garbage",
    "empty": lambda text: "",
    "other format": lambda text: text.replace("ratecheck.cache/1", "ratecheck.cache/0"),
    "other key": lambda text: text.replace('"key": "', '"key": "0'),
    "other spec": lambda text: text.replace('"value": 1.0', '"value": 5.0'),
    "missing field": lambda text: text.replace('"reason"', '"why"'),
    "wrong type": lambda text: text.replace('"panels": [', '"panels": [1, '),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=list(CORRUPTIONS))
def test_a_corrupt_entry_is_recomputed_and_replaced(tmp_path, corrupt):
    CALLS.clear()
    run_suite([counting("a")], jobs=1, cache=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    entry.write_text(corrupt(entry.read_text()), encoding="utf-8", errors="surrogateescape")
    (result,) = run_suite([counting("a")], jobs=1, cache=tmp_path)
    assert CALLS == ["a", "a"]
    assert result.reason == "counted"
    assert ResultCache(tmp_path).load(counting("a"), False) is not None


def _edit(change: Callable[[dict[str, Any]], object]) -> Callable[[bytes], bytes]:
    """A tampering that edits the entry's JSON: ``change(entry)`` in place."""

    def tamper(raw: bytes) -> bytes:
        entry = json.loads(raw)
        change(entry)
        return json.dumps(entry).encode()

    return tamper


def _result(**fields: Any) -> Callable[[bytes], bytes]:
    return _edit(lambda entry: entry["result"].update(fields))


def _curve(**fields: Any) -> Callable[[bytes], bytes]:
    return _edit(lambda entry: entry["result"]["panels"][0]["curves"][0].update(fields))


def _nested(levels: int) -> Callable[[bytes], bytes]:
    deep = ("[" * levels + "]" * levels).encode()
    return lambda raw: raw.replace(b'"metrics": {', b'"metrics": {"deep": ' + deep + b", ")


TAMPERINGS = [
    ("status not a status", _result(status="passed"), "result.status = 'passed' is not allowed"),
    (
        "status of another verdict",
        _result(verdict="fail", label="slower"),
        "result.status = 'as-expected' is not allowed; expected 'unexpected'",
    ),
    ("status error", _result(status="error"), "result.status = 'error' is not allowed"),
    ("verdict not a verdict", _result(verdict="ok"), "result.verdict = 'ok' is not allowed"),
    ("label a list", _result(label=["within"]), "result.label = ['within'] is not allowed"),
    ("reason a number", _result(reason=5), "result.reason = 5 is not allowed; expected a text"),
    ("negative wall time", _result(wall_time=-1.0), "result.wall_time = -1.0 is not allowed"),
    ("NaN wall time", _result(wall_time=float("nan")), "result.wall_time = nan is not allowed"),
    ("metrics a list", _result(metrics=[1]), "result.metrics = [1] is not allowed"),
    (
        "exponent a text",
        _result(exponent={"estimate": "-1"}),
        "result.exponent.estimate = '-1' is not allowed; expected a number or null",
    ),
    (
        "verdict without a config object",
        _result(verdicts=[{"config": None}]),
        "result.verdicts[0].config = None is not allowed; expected an object",
    ),
    ("unknown field", _result(extra=1), "result has an unknown field 'extra'"),
    (
        "curve of texts",
        _curve(k=["1", "10"]),
        "result.panels[0].curves[0].k = ['1', '10'] is not allowed; expected a list of numbers",
    ),
    ("curve of two lengths", _curve(mean=[1.0]), "len(result.panels[0].curves[0].mean) = 1"),
    ("curve style", _curve(style="3d"), "result.panels[0].curves[0].style = '3d' is not allowed"),
    ("nested 10000 levels deep", _nested(10_000), "nested deeper than 32 levels"),
    ("nested 500 levels deep", _nested(500), "nested deeper than 32 levels"),
    ("truncated JSON", lambda raw: raw[: len(raw) // 2], "not JSON"),
    ("not UTF-8", lambda raw: raw.replace(b"counted", b"co\xffnted"), "not UTF-8 text"),
]


@pytest.mark.parametrize(
    ("tamper", "what"), [t[1:] for t in TAMPERINGS], ids=[t[0] for t in TAMPERINGS]
)
def test_a_tampered_entry_is_recomputed_with_one_warning(tmp_path, capsys, tamper, what):
    CALLS.clear()
    run_suite([counting("a")], jobs=1, cache=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    entry.write_bytes(tamper(entry.read_bytes()))
    capsys.readouterr()
    (result,) = run_suite([counting("a")], jobs=1, cache=tmp_path)
    assert CALLS == ["a", "a"]
    assert result.status == "as-expected" and result.reason == "counted"
    (line,) = capsys.readouterr().err.splitlines()
    assert line.startswith(f"ratecheck: warning: ignoring the cache entry {entry} of check 'a': ")
    assert what in line and line.endswith("; the check is recomputed")
    assert ResultCache(tmp_path).load(counting("a"), False) is not None


def _make_directory(entry: Path) -> None:
    entry.unlink()
    entry.mkdir()


def _make_huge(entry: Path) -> None:
    with entry.open("r+b") as handle:  # sparse: nothing is written
        handle.truncate(cache_module.MAX_BYTES + 1)


@pytest.mark.parametrize(
    ("replace", "what"),
    [
        (_make_directory, "not a regular file"),
        (_make_huge, f"{cache_module.MAX_BYTES + 1} bytes, more than the {cache_module.MAX_BYTES}"),
    ],
    ids=["a directory", "larger than the limit"],
)
def test_an_entry_that_is_not_a_small_file_is_not_read(tmp_path, capsys, replace, what):
    CALLS.clear()
    run_suite([counting("a")], jobs=1, cache=tmp_path)
    (entry,) = tmp_path.glob("*.json")
    replace(entry)
    capsys.readouterr()
    (result,) = run_suite([counting("a")], jobs=1, cache=tmp_path)
    assert CALLS == ["a", "a"] and result.reason == "counted"
    (line,) = capsys.readouterr().err.splitlines()
    assert f"cache entry {entry} of check 'a': {what}" in line


def inconsistent_check(spec: CheckSpec, params: dict[str, Any], **_: Any) -> CheckResult:
    CALLS.append(spec.id)
    return CheckResult(spec=spec, verdict="fail", label="slower", status="as-expected", reason="")


def test_a_result_that_would_not_read_back_is_not_stored(tmp_path, capsys):
    CALLS.clear()
    spec = dataclasses.replace(counting("a"), function=inconsistent_check)
    for _ in range(2):
        run_suite([spec], jobs=1, cache=tmp_path)
    assert CALLS == ["a", "a"]
    assert list(tmp_path.glob("*.json")) == []
    assert capsys.readouterr().err == ""


def test_error_results_are_not_stored(tmp_path):
    CALLS.clear()
    spec = CheckSpec(id="e", title="e", claim="e", kind="custom", function=failing_check, params={})
    for _ in range(2):
        (result,) = run_suite([spec], jobs=1, cache=tmp_path)
        assert result.status == "error" and "RuntimeError: no luck" in result.reason
    assert CALLS == ["e", "e"]
    assert list(tmp_path.glob("*.json")) == []


def test_a_result_round_trips_through_its_dict():
    result = counting_check(counting("a"), {"value": 4.0})
    again = result_from_dict(json.loads(json.dumps(result.to_dict())), counting("a"))
    assert json.dumps(again.to_dict()) == json.dumps(result.to_dict())


def test_an_unwritable_directory_does_not_crash(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    (result,) = run_suite([counting("a")], jobs=1, cache=blocker / "sub")
    assert result.status == "as-expected"


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"RATECHECK_CACHE_DIR": "/x/rc", "XDG_CACHE_HOME": "/x/xdg"}, Path("/x/rc")),
        ({"XDG_CACHE_HOME": "/x/xdg"}, Path("/x/xdg/ratecheck")),
        ({"HOME": "/x/home"}, Path("/x/home/.cache/ratecheck")),
    ],
)
def test_default_cache_directory(monkeypatch, env, expected):
    for name in ("RATECHECK_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    assert default_cache_dir() == expected


def test_a_verify_checks_key_holds_its_whole_scenario(tmp_path):
    """The key covers the Scenario with every field, and a spec whose scenario is invalid
    still gets a key (running it gives its error result)."""
    base = {
        "objective": "ridge:n=50,d=2",
        "optimizer": "sgd",
        "schedule": "1/(lam*k)",
        "expect": "O(1/k)",
        "steps": 100,
    }
    spec = CheckSpec("c", "t", "claim", "verify", base)
    scenario = cache_module._scenario(spec, quick=False)
    assert scenario["sampling"] == "shuffle" and scenario["batch_size"] == 1
    cache = ResultCache(tmp_path)
    other = CheckSpec("c", "t", "claim", "verify", {**base, "sampling": "replacement"})
    assert cache.key(spec, False) != cache.key(other, False)
    broken = CheckSpec("c", "t", "claim", "verify", {**base, "steps": 0})
    assert cache_module._scenario(broken, quick=False) is None
    assert len(cache.key(broken, False)) == 64
