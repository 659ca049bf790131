"""The suite engine: verify and custom checks, errors, figure data, parallel = serial, progress."""

from __future__ import annotations

import dataclasses
import io
from typing import Any

import numpy as np
import pytest

from empirical.verification.verify import verify
from reports.progress import SuiteProgress
from reports.suite.engine import run_check, run_suite
from reports.suite.model import CheckResult, CheckSpec, Curve, Panel, exit_code, status_of
from reports.suite.verification import verification_check
from theory.errors import InputError

QUADRATIC = {
    "objective": "quadratic:d=10",
    "optimizer": "sgd",
    "schedule": "1/(lam*k)",
    "steps": 2000,
    "replicates": 10,
    "seed": 3,
}


def path_picture(spec: CheckSpec, params: dict[str, Any], *, progress: Any = None) -> CheckResult:
    """A deterministic picture: a contracting path over the level sets of a bowl."""
    t = np.arange(params["points"])
    grid = np.linspace(-1.0, 1.0, 21)
    panel = Panel(
        title="paths",
        curves=(
            Curve(
                label="path",
                k=(0.8**t).tolist(),
                mean=(-(0.6**t)).tolist(),
                style="path",
                x_label="x",
                y_label="y",
            ),
        ),
        contour={
            "x": grid.tolist(),
            "y": grid.tolist(),
            "z": (grid[None, :] ** 2 + 2 * grid[:, None] ** 2).tolist(),
            "optimum": [0.0, 0.0],
        },
    )
    return CheckResult(
        spec=spec,
        verdict="picture",
        label=None,
        status=status_of(spec, "picture", None),
        reason="a picture",
        panels=(panel,),
    )


def raising_check(spec: CheckSpec, params: dict[str, Any], *, progress: Any = None) -> CheckResult:
    raise ZeroDivisionError("deliberate failure in a custom check")


def verify_spec(check_id: str, outcome: str = "pass", label: str | None = None, **params: Any):
    return CheckSpec(
        id=check_id,
        title=f"title of {check_id}",
        claim=f"claim of {check_id}",
        kind="verify",
        params={**QUADRATIC, **params},
        expect=outcome,
        expect_label=label,
    )


PICTURE = CheckSpec(
    id="picture",
    title="paths",
    claim="draws",
    kind="custom",
    function=path_picture,
    params={"points": 12},
    expect="picture",
)


def small_suite() -> list[CheckSpec]:
    return [
        verify_spec("order", expect="O(1/k)"),
        verify_spec("exact", expect="minibatch-sgd-quadratic-exact", replicates=40),
        verify_spec("stalls", "fail", "stalls", expect="O(1/k)", schedule="0.1"),
        PICTURE,
    ]


def without_times(value: Any) -> Any:
    """``value`` without the wall and compile times, which differ between runs."""
    if isinstance(value, dict):
        return {
            k: without_times(v) for k, v in value.items() if k not in ("wall_time", "compile_time")
        }
    if isinstance(value, list):
        return [without_times(v) for v in value]
    return value


# ---------------------------------------------------------------- statuses and exit codes

STATUS_CASES = [
    # (expected outcome, expected label, verdict, label, status)
    ("pass", None, "pass", "within", "as-expected"),
    ("pass", None, "fail", "slower", "unexpected"),
    ("fail", "stalls", "fail", "stalls", "as-expected"),
    ("fail", "stalls", "fail", "slower", "unexpected"),
    ("fail", None, "pass", "within", "unexpected"),
    ("pass", None, "inconclusive", "imprecise", "inconclusive"),
]


@pytest.mark.parametrize(("outcome", "want_label", "verdict", "label", "status"), STATUS_CASES)
def test_verify_check_status_compares_verdict_with_expectation(
    outcome, want_label, verdict, label, status
):
    spec = verify_spec("s", outcome, want_label)
    assert status_of(spec, verdict, label) == status


EXIT_CASES = [
    ((), 0),
    (("as-expected", "picture"), 0),
    (("as-expected", "picture", "inconclusive"), 3),
    (("inconclusive", "unexpected"), 1),
    (("as-expected", "unexpected"), 1),
    (("error",), 1),
]


@pytest.mark.parametrize(("statuses", "code"), EXIT_CASES)
def test_exit_code(statuses, code):
    results = [
        CheckResult(spec=PICTURE, verdict="pass", label=None, status=s, reason="") for s in statuses
    ]
    assert exit_code(results) == code


# ---------------------------------------------------------------- one verify check


@pytest.fixture(scope="module")
def exact_run():
    params = {**QUADRATIC, "replicates": 40, "expect": "minibatch-sgd-quadratic-exact"}
    spec = verify_spec("exact", expect="minibatch-sgd-quadratic-exact", replicates=40)
    return spec, verify(**params)


def test_verification_check_carries_the_verdict_json(exact_run):
    spec, result = exact_run
    check = verification_check(spec, result)
    assert check.verdict == result.outcome and check.label == result.label
    assert check.status == status_of(spec, result.outcome, result.label)
    (verdict,) = check.verdicts
    assert verdict["schema"] == "ratecheck.verdict/2"
    assert verdict["config"]["command"].startswith("ratecheck verify ")
    assert check.exponent["estimate"] == verdict["exponent"]["estimate"]
    assert check.expected_rate == "k^-1 (attained)"


def test_figure_bound_is_the_theorem_with_the_objectives_constants(exact_run):
    """The exact theorem is E gap = sigma^2 / (2 b lam k): recomputed here by hand."""
    spec, result = exact_run
    curve = verification_check(spec, result).panels[0].curves[0]
    values = result.to_dict()["bound_check"]["values"]
    k = np.array(curve.bound["k"])
    by_hand = values["sigma"] ** 2 / (2 * values["b"] * values["lam"] * k)
    np.testing.assert_allclose(curve.bound["value"], by_hand, rtol=1e-12)
    assert "minibatch-sgd-quadratic-exact" in curve.bound["label"]


def test_figure_mean_and_band_are_over_replicates(exact_run):
    spec, result = exact_run
    curve = verification_check(spec, result).panels[0].curves[0]
    np.testing.assert_allclose(curve.mean, result.series.mean(axis=0))
    np.testing.assert_allclose(curve.low, np.quantile(result.series, 0.1, axis=0))
    np.testing.assert_allclose(curve.high, np.quantile(result.series, 0.9, axis=0))
    assert curve.k == [float(k) for k in result.trace.k]


def test_fitted_line_has_the_fitted_exponent_on_the_window(exact_run):
    """log(line) is linear in log k with slope p, and matches log(mean) on average."""
    spec, result = exact_run
    curve = verification_check(spec, result).panels[0].curves[0]
    fit = result.fit
    k, line = np.array(curve.fit["k"]), np.array(curve.fit["value"])
    assert k[0] == fit.window[0] and k[-1] == fit.window[1]
    slope = np.polyfit(np.log(k), np.log(line), 1)[0]
    assert slope == pytest.approx(fit.exponent.value, abs=1e-9)
    mean = np.array(curve.mean)[np.isin(curve.k, k)]
    assert np.mean(np.log(mean) - np.log(line)) == pytest.approx(0.0, abs=1e-9)


def test_linear_rate_is_drawn_on_a_semilog_axis():
    params = {
        "objective": "ridge:n=200,d=10,lam=0.01",
        "optimizer": "sgd",
        "schedule": "1/L",
        "batch_size": 200,
        "expect": "linear",
        "steps": 40,
        "replicates": 2,
    }
    spec = CheckSpec(id="gd", title="gd", claim="gd", kind="verify", params=params)
    check = run_check(spec)
    curve = check.panels[0].curves[0]
    assert curve.style == "semilogy"
    k, line = np.array(curve.fit["k"]), np.log(np.array(curve.fit["value"]))
    rho = np.exp(np.polyfit(k, line, 1)[0])
    assert f"rho = {rho:.4g}" in curve.fit["label"]


# ---------------------------------------------------------------- errors


ERROR_CASES = [
    (verify_spec("bad-objective", expect="O(1/k)", objective="nope"), "name = 'nope'"),
    (verify_spec("bad-param", expect="O(1/k)", unknown_param=1), "unknown_param"),
    (
        CheckSpec(
            id="raises",
            title="t",
            claim="c",
            kind="custom",
            function=raising_check,
            params={},
        ),
        "ZeroDivisionError: deliberate failure",
    ),
    (
        CheckSpec(id="no-function", title="t", claim="c", kind="custom", params={}),
        "check 'no-function': function = None is not allowed; expected a callable",
    ),
]


@pytest.mark.parametrize(("spec", "message"), ERROR_CASES, ids=lambda v: getattr(v, "id", ""))
def test_an_exception_in_a_check_becomes_an_error_result(spec, message):
    result = run_check(spec)
    assert result.status == "error" and result.label == "error"
    assert message in result.reason


def test_errors_do_not_stop_the_suite(tmp_path):
    specs = [ERROR_CASES[0][0], PICTURE]
    results = run_suite(specs, jobs=1, cache=tmp_path)
    assert [r.status for r in results] == ["error", "picture"]
    assert exit_code(results) == 1


@pytest.mark.parametrize(
    ("specs", "jobs", "message"),
    [
        ([PICTURE], 0, "^run_suite: jobs = 0 is not allowed; expected an integer >= 1$"),
        ([PICTURE, PICTURE], 1, r"^run_suite: specs\[1\]\.id = 'picture' is not allowed"),
        ([dataclasses.replace(PICTURE, theorem="no-such-theorem")], 1, "no-such"),
    ],
)
def test_bad_suites_fail_before_running(specs, jobs, message):
    with pytest.raises(InputError, match=message):
        run_suite(specs, jobs=jobs, cache=False)


# ---------------------------------------------------------------- the suite


def test_serial_and_parallel_runs_give_the_same_results(tmp_path):
    specs = small_suite()
    serial = run_suite(specs, jobs=1, cache=False)
    parallel = run_suite(specs, jobs=2, cache=False)
    assert [r.spec.id for r in parallel] == [s.id for s in specs]
    assert [without_times(r.to_dict()) for r in serial] == [
        without_times(r.to_dict()) for r in parallel
    ]
    statuses = {r.spec.id: r.status for r in serial}
    assert statuses["stalls"] == "as-expected" and statuses["picture"] == "picture"


def test_progress_lines_name_the_check_its_number_and_time():
    stream = io.StringIO()
    progress = SuiteProgress(2, enabled=True, stream=stream, interval=0)
    progress.started("first")
    progress.finished("first", "as-expected", 1.25)
    progress.finished("second", "picture", 0.0, cached=True)
    progress.close()
    text = stream.getvalue()
    assert "running first" in text
    assert "[1/2] as-expected  first  1.2 s" in text
    assert "[2/2] picture      second  cached" in text
    assert "2/2 done" in text


def test_progress_is_silent_when_not_a_terminal():
    stream = io.StringIO()
    progress = SuiteProgress(1, stream=stream)
    progress.started("a")
    progress.finished("a", "picture", 0.1)
    progress.close()
    assert stream.getvalue() == ""
