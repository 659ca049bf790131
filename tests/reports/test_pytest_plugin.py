"""The pytest plugin: assert_rate on traces and scenarios, the ratecheck fixture, messages.

Inner pytest runs load the plugin with ``-p reports.pytest_plugin`` and with entry-point
autoloading off, so they behave the same whether or not ratecheck is pip-installed.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

import reports.pytest_plugin
from empirical.runner.loop import run
from reports.pytest_plugin import assert_rate
from tests.reports.samples import PLAIN_SGD_FILE

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[2]
SLOW = {
    "objective": "ridge:n=200,d=5",
    "optimizer": "sgd",
    "schedule": "1/k**0.7",
    "sampling": "replacement",
    "steps": 10_000,
    "replicates": 10,
}


def test_entry_point_is_declared():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["entry-points"]["pytest11"] == {"ratecheck": "reports.pytest_plugin"}
    assert reports.pytest_plugin.ratecheck is not None


def test_assert_rate_on_a_trace():
    stalled = run("ridge:n=200,d=5", "sgd", "0.01", steps=10_000, replicates=10, seed=0)
    with pytest.raises(AssertionError) as info:
        assert_rate(stalled, expected="O(1/k)")
    assert "FAIL (stalls)" in str(info.value)
    gd = run("ridge:n=200,d=5", "sgd", "1/L", steps=1000, replicates=3, seed=2, batch_size=200)
    result = assert_rate(gd, expected="linear")
    assert result.passed and result.config["seed"] == 2


FAILING = [
    # scenario, pieces of the message
    (
        SLOW,
        [
            "FAIL (slower)",
            "fitted exponent -0.",
            "expected O(1/k) (exponent -1, upper test)",
            "window k in [",
            "seed 0",
            "reproduce: ratecheck verify --objective ridge:n=200,d=5",
            "--sampling replacement",
        ],
    ),
    (
        {**SLOW, "schedule": "0.01", "sampling": "shuffle", "seed": 5},
        ["FAIL (stalls)", "seed 5", "--seed 5"],
    ),
]


@pytest.mark.parametrize(("scenario", "pieces"), FAILING)
def test_assertion_message_names_fit_expectation_window_label_and_seed(scenario, pieces):
    with pytest.raises(AssertionError) as info:
        assert_rate(expected="O(1/k)", **scenario)
    for piece in pieces:
        assert piece in str(info.value)


def test_an_inconclusive_run_fails_unless_explicitly_allowed():
    from empirical import Scenario

    short = Scenario(
        "quadratic", "sgd", "1/(lam*k)", expect="O(1/k)", steps=10_000, replicates=5, seed=1
    )
    with pytest.raises(AssertionError, match="INCONCLUSIVE") as caught:
        assert_rate(short)
    assert "R = 5 replicates" in str(caught.value)
    assert assert_rate(short, allow_inconclusive=True).outcome == "inconclusive"
    with pytest.raises(AssertionError, match="FAIL"):
        assert_rate(allow_inconclusive=True, expected="O(1/k)", **SLOW)


def test_a_scenario_without_an_objective_is_a_type_error():
    with pytest.raises(TypeError, match="objective"):
        assert_rate(expected="O(1/k)", optimizer="sgd", schedule="1/k")


USER_TESTS = """
import pytest

from reports.pytest_plugin import assert_rate

SCENARIO = dict(objective="ridge:n=200,d=5", optimizer="sgd", steps=10_000, replicates=10,
                sampling="replacement")


def test_gd_is_linear(ratecheck):
    ratecheck.assert_rate(expected="linear", objective="ridge:n=200,d=5", optimizer="sgd",
                          schedule="1/L", batch_size=200, steps=1000, replicates=3)


def test_slow_schedule(ratecheck):
    ratecheck.assert_rate(SCENARIO, expected="O(1/k)", schedule="1/k**0.7")


def test_direct_helper():
    with pytest.raises(AssertionError, match="FAIL [(]stalls[)]"):
        assert_rate(SCENARIO, expected="O(1/k)", schedule="0.01")
"""


@pytest.fixture
def inner(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.setenv("PYTEST_DISABLE_PLUGIN_AUTOLOAD", "1")
    monkeypatch.syspath_prepend(str(ROOT))
    pytester.makepyfile(test_user=USER_TESTS)
    return pytester


def test_plugin_passes_and_fails_user_tests(inner):
    result = inner.runpytest("-p", "reports.pytest_plugin", "-q")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(
        [
            "*test_slow_schedule*",
            "*AssertionError: ratecheck: FAIL (slower): fitted exponent -0.* (CI -0.* to -0.*);"
            " expected O(1/k) (exponent -1, upper test); window k in *; seed 0; R = 10 replicates.",
        ]
    )


def test_seed_option_reaches_the_fixture(inner):
    result = inner.runpytest("-p", "reports.pytest_plugin", "-q", "--ratecheck-seed", "7")
    result.assert_outcomes(passed=2, failed=1)
    result.stdout.fnmatch_lines(["*seed 7;*", "*reproduce: ratecheck verify*--seed 7*"])


def test_the_message_of_an_auto_sized_verify_lists_its_stages():
    with pytest.raises(AssertionError) as caught:
        assert_rate(
            objective="quadratic",
            optimizer="sgd",
            schedule="0.25/(lam*k)",
            expected="O(1/k)",
            steps=3000,
            seed=1,
        )
    assert "stage 1: R = 30, K = 3000 at alpha 0.005, FAIL (slower)" in str(caught.value)


PLAIN_SGD = PLAIN_SGD_FILE


def test_the_reproduce_command_runs_when_pasted_in_another_directory(tmp_path, monkeypatch):
    found_through = tmp_path / "it's a dir"  # a space and a quote: the prefix must be quoted
    (found_through / "mypkg").mkdir(parents=True)
    (found_through / "mypkg" / "opt.py").write_text(PLAIN_SGD)
    monkeypatch.syspath_prepend(str(found_through))  # as pytest puts a tests/ directory there
    with pytest.raises(AssertionError) as info:
        assert_rate(expected="O(1/k)", **{**SLOW, "optimizer": "mypkg.opt:make", "steps": 2000})
    (line,) = [x for x in str(info.value).splitlines() if x.startswith("reproduce: ")]
    command = line.removeprefix("reproduce: ")
    words = shlex.split(command)
    assert words[0] == f"PYTHONPATH={found_through}${{PYTHONPATH:+:$PYTHONPATH}}"
    flags = dict(zip(words[3::2], words[4::2], strict=True))
    assert flags["--optimizer"] == "mypkg.opt:make" and flags["--schedule"] == "1/k**0.7"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # this checkout's ratecheck, not the cwd
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if shutil.which("ratecheck", path=env["PATH"]) is None:
        pytest.skip("the ratecheck command is not installed")
    done = subprocess.run(
        command, shell=True, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode in (0, 1, 3), done.stderr  # 2: the module could not be imported
    verdict = str(info.value).removeprefix("ratecheck: ").split(":")[0]  # INCONCLUSIVE (...)
    assert done.stdout.startswith(f"ratecheck verify: {verdict}\n"), done.stdout  # the same run


def test_a_module_in_the_interpreters_own_library_needs_no_pythonpath():
    from empirical.optimizers import pasteable

    assert pasteable("json.decoder:JSONDecoder") == ("json.decoder:JSONDecoder", None)
    assert pasteable("sgd") == ("sgd", None)
    assert pasteable("opts.py:make:lr0=1")[0] == f"{Path.cwd() / 'opts.py'}:make:lr0=1"
