"""``ratecheck list``: what can be checked, with keys, defaults and rules from the code
itself; and a "did you mean" for every unknown name or option value."""

from __future__ import annotations

import json

import pytest

import empirical.objectives.ridge as ridge_module
from empirical.objectives import OBJECTIVES, objective
from empirical.optimizers import optimizer
from empirical.schedules import PLATEAU_KEYS, parse_plateau
from reports.cli import main
from reports.theory_view import TERMINAL_WIDTH
from theory.catalog import CATALOG
from theory.errors import InputError
from theory.schedules import parse_schedule

KINDS = ("objectives", "optimizers", "theorems", "schedules")
PARAMETER_KEYS = {"name", "default", "allowed", "required"}


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def listed(capsys, kind: str) -> list[dict]:
    code, out, err = run(capsys, "list", kind, "--format", "json")
    assert (code, err) == (0, "")

    def refuse(token: str) -> None:
        raise AssertionError(f"{token} is not JSON")

    return json.loads(out, parse_constant=refuse)


@pytest.mark.parametrize("kind", KINDS)
def test_every_item_has_a_name_a_description_and_its_parameters(capsys, kind):
    items = listed(capsys, kind)
    assert items
    for item in items:
        assert item["name"] and item["description"], item
        assert "``" not in item["description"], item
        for parameter in item["parameters"]:
            assert set(parameter) == PARAMETER_KEYS, parameter


@pytest.mark.parametrize("kind", KINDS)
def test_the_text_fits_a_100_column_terminal_and_names_every_item(capsys, kind):
    code, out, _ = run(capsys, "list", kind)
    assert code == 0
    assert max(len(line) for line in out.splitlines()) <= TERMINAL_WIDTH
    for item in listed(capsys, kind):
        assert f"\n{item['name']}: " in f"\n{out}", item["name"]


def test_objectives_list_their_keys_defaults_rules_and_constants(capsys):
    items = {item["name"]: item for item in listed(capsys, "objectives")}
    assert list(items) == list(OBJECTIVES)
    ridge = items["ridge"]
    assert ridge["description"] == ridge_module.__doc__.splitlines()[0]  # from the code
    keys = {p["name"]: p for p in ridge["parameters"]}
    assert keys["n"] == {
        "name": "n",
        "default": 1000,
        "allowed": "an integer >= 1",
        "required": False,
    }
    assert keys["data"]["default"] is None and ".npz" in keys["data"]["allowed"]
    assert {"lam", "L", "R", "G"} <= set(ridge["constants"])
    assert ridge["oracle"] == "finite-sum" and "strongly convex" in ridge["properties"]
    assert items["quadratic"]["f_star"] == 0.0


def test_every_listed_default_builds_the_item_it_describes(capsys):
    for item in listed(capsys, "objectives"):
        given = {p["name"]: p["default"] for p in item["parameters"] if p["default"] is not None}
        spec = item["name"] + (
            "" if not given else ":" + ",".join(f"{k}={v}" for k, v in given.items())
        )
        built = objective(spec)
        assert {key: built.params[key] for key in given} == given, spec
        assert item["constants"] == dict(built.constants), spec
    for item in listed(capsys, "optimizers"):
        given = {p["name"]: p["default"] for p in item["parameters"]}
        spec = item["name"] + (
            "" if not given else ":" + ",".join(f"{k}={v}" for k, v in given.items())
        )
        assert dict(optimizer(spec).hyperparams) == given, spec
    (plateau,) = [item for item in listed(capsys, "schedules") if item["name"] == "plateau"]
    assert [p["name"] for p in plateau["parameters"]] == list(PLATEAU_KEYS)
    assert [p["name"] for p in plateau["parameters"] if p["required"]] == ["eta0"]
    rule = parse_plateau("plateau:eta0=1")
    for parameter in plateau["parameters"][1:]:
        assert getattr(rule, parameter["name"]) == parameter["default"], parameter


def test_the_rule_listed_is_the_rule_a_bad_value_is_refused_with(capsys):
    for item in listed(capsys, "optimizers"):
        for parameter in item["parameters"]:
            with pytest.raises(InputError) as refused:
                optimizer(f"{item['name']}:{parameter['name']}=-7")
            assert str(refused.value).endswith(f"expected {parameter['allowed']}"), refused.value
    nesterov = {p["name"]: p for p in listed(capsys, "optimizers")[2]["parameters"]}
    assert nesterov["beta"]["allowed"] == "'auto' or a number in [0, 1)"


def test_theorems_list_id_method_schedule_iterate_rate_title_and_needs(capsys):
    items = listed(capsys, "theorems")
    assert [item["id"] for item in items] == [theorem.id for theorem in CATALOG]
    by_id = {item["id"]: item for item in items}
    last = by_id["sgd-sc-last"]
    assert last["method"] == "sgd" and last["schedule"] == "1/(k*lam)"
    assert last["iterate"] == "last" and last["rate"] == "-1 (log^1)"
    assert last["title"] == last["description"] and last["needs"] == ["G", "lam"]
    assert by_id["gd-sc-smooth"]["rate"] == "linear"


def test_schedules_list_the_plateau_rule_and_the_formula_syntax(capsys):
    items = {item["name"]: item for item in listed(capsys, "schedules")}
    assert set(items) == {"plateau", "formula"}
    formula = items["formula"]
    assert {"k", "lam", "L", "c"} <= set(formula["symbols"]) and "sqrt" in formula["functions"]
    assert "1/(k*lam)" in formula["examples"]
    for example in formula["examples"]:
        parse_schedule(example)


def test_named_items_only_and_an_unknown_name_is_refused_with_a_suggestion(capsys):
    code, out, _ = run(capsys, "list", "theorems", "gd-sc-smooth")
    assert code == 0 and out.startswith("gd-sc-smooth: ") and "sgd-sc-last" not in out
    code, out, err = run(capsys, "list", "objectives", "ridg")
    assert (code, out) == (2, "")
    assert err.startswith("ratecheck: error: ratecheck list objectives: name = 'ridg' is not")
    assert err.strip().endswith("(did you mean 'ridge'?)")


VERIFY = ["verify", "--objective", "ridge", "--optimizer", "sgd", "--schedule", "1/k"]
VERIFY += ["--expect", "O(1/k)", "--steps", "100", "--replicates", "2"]


def _with(flag: str, value: str) -> list[str]:
    argv = list(VERIFY)
    if flag in argv:
        argv[argv.index(flag) + 1] = value
    else:
        argv += [flag, value]
    return argv


@pytest.mark.parametrize(
    ("argv", "suggested"),
    [
        (_with("--objective", "quadratic:dd=10"), "d"),
        (_with("--optimizer", "adam:beta11=0.5"), "beta1"),
        (_with("--schedule", "plateu:eta0=1"), "plateau"),
        (_with("--schedule", "plateau:eta=1"), "eta0"),
        (_with("--schedule", "1/(lamda*k)"), "lam"),
        (_with("--schedule", "sqr(k)"), "sqrt"),
        (_with("--expect", "lineer"), "linear"),
        (_with("--average", "suffix:alpa=0.5"), "alpha"),
        (_with("--constants", "cc=1"), "c"),
        (_with("--format", "jsno"), "json"),
        (_with("--sampling", "replace"), "replacement"),
        (["theory", "--format", "latx"], "latex"),
        (["verfy"], "verify"),
        (["list", "objectivs"], "objectives"),
    ],
)
def test_an_unknown_name_or_option_value_gets_did_you_mean(capsys, argv, suggested):
    try:
        code = main(argv)
    except SystemExit as stopped:  # argparse's own refusals
        code = stopped.code
    out, err = capsys.readouterr()
    assert (code, out) == (2, "")
    assert err.startswith("ratecheck: error: ") and err.count("\n") == 1, err
    assert f"(did you mean {suggested!r}?)" in err, err
