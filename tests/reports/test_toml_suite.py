"""User suites in TOML: the example file, grids, paths, user code, and validation errors."""

from __future__ import annotations

import json
import re
import textwrap
import time
from pathlib import Path

import pytest

from reports.cli import main
from reports.suite.engine import run_suite
from reports.suite.toml_suite import load_suite, toml_depth
from tests.reports.samples import ONE_CHECK_SUITE, PLAIN_SGD_FILE
from theory.errors import InputError
from theory.limits import LimitError

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "suite.toml"

BASE = ONE_CHECK_SUITE

OPTIMIZER_FILE = PLAIN_SGD_FILE


def write(tmp_path: Path, text: str, name: str = "suite.toml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def test_the_example_suite_expands_its_grid_and_applies_defaults():
    suite = load_suite(EXAMPLE)
    ids = [spec.id for spec in suite.specs]
    assert ids == [
        "ridge-sgd[batch_size=1]",
        "ridge-sgd[batch_size=4]",
        "logistic-sgd",
        "constant-step-stalls",
        "gd-linear",
    ]
    first, _, logistic, stalls, gd = suite.specs
    assert first.params["batch_size"] == 1 and first.params["steps"] == 20000
    assert first.quick == {"steps": 2000, "replicates": 10}
    assert first.theorem == "sgd-sc-smooth-last" and logistic.theorem is None
    assert logistic.params["objective"] == "logistic:n=500,lam=0.1,d=5" or (
        logistic.params["objective"].startswith("logistic:")
    )
    assert (stalls.expect, stalls.expect_label) == ("fail", "stalls")
    assert gd.params["steps"] == 60 and gd.quick == {"steps": 60, "replicates": 3}


def test_the_example_suite_runs_with_every_check_as_expected(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    out = tmp_path / "report"
    code = main(["run", str(EXAMPLE), "--out", str(out), "--quick", "--jobs", "1"])
    printed = capsys.readouterr().out
    assert code == 0, printed
    document = json.loads((out / "results.json").read_text())
    assert [c["status"] for c in document["checks"]] == ["as-expected"] * 5
    assert document["quick"] is True


def test_a_relative_data_path_is_relative_to_the_suite_file(tmp_path):
    (tmp_path / "data").mkdir()
    rows = "\n".join(
        f"{i % 7},{(i * 3) % 5},{i % 7 - (i * 3) % 5 + 0.1 * (i % 3)}" for i in range(60)
    )
    (tmp_path / "data" / "xy.csv").write_text("x1,x2,y\n" + rows + "\n")
    path = write(
        tmp_path,
        BASE.replace(
            'objective = "ridge:n=100,d=3,lam=0.1"',
            'objective = { name = "ridge", data = "data/xy.csv", lam = 0.1 }',
        ),
    )
    (spec,) = load_suite(path).specs
    assert spec.params["objective"] == f"ridge:data={tmp_path / 'data' / 'xy.csv'},lam=0.1"
    (result,) = run_suite([spec], jobs=1, cache=False)
    assert result.status != "error", result.reason


def test_a_suite_naming_a_secret_through_a_symlink_gets_no_line_of_it(tmp_path, capsys):
    """A suite may name any file as data; its error names the line, never prints it."""
    secret = "AKIA-SECRET-ACCESS-KEY-0123"
    (tmp_path / "credentials").write_text(f"[default]\n{secret},2,3\n")
    (tmp_path / "x.csv").symlink_to(tmp_path / "credentials")
    objective = f'objective = {{ name = "ridge", data = "{tmp_path / "x.csv"}" }}'
    path = write(tmp_path, BASE.replace('objective = "ridge:n=100,d=3,lam=0.1"', objective))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    out, err = capsys.readouterr()
    assert secret not in out + err and secret[:8] not in err
    assert err == (
        f"ratecheck: error: {path}: check #1 ('c'), field 'objective': data file "
        f"'{tmp_path / 'x.csv'}': line 2, column 1 is not a number; expected comma-separated "
        "numbers\n"
    )


def test_a_grid_over_several_fields_is_their_product(tmp_path):
    text = BASE.replace('schedule = "1/(lam*k)"', 'schedule = ["1/(lam*k)", "0.5/(lam*k)"]')
    text = text.replace("replicates = 4", "replicates = 4\nseed = [1, 2]")
    specs = load_suite(write(tmp_path, text)).specs
    assert [s.id for s in specs] == [
        "c[schedule=1/(lam*k),seed=1]",
        "c[schedule=1/(lam*k),seed=2]",
        "c[schedule=0.5/(lam*k),seed=1]",
        "c[schedule=0.5/(lam*k),seed=2]",
    ]
    assert [s.params["seed"] for s in specs] == [1, 2, 1, 2]


def test_user_optimizer_code_runs_only_when_the_suite_allows_it(tmp_path):
    (tmp_path / "my_opt.py").write_text(OPTIMIZER_FILE)
    text = BASE.replace('optimizer = "sgd"', 'optimizer = { file = "my_opt.py", factory = "make" }')
    with pytest.raises(InputError, match="allow_user_code = true"):
        load_suite(write(tmp_path, text))
    (spec,) = load_suite(write(tmp_path, "allow_user_code = true\n" + text)).specs
    assert spec.params["optimizer"] == f"{tmp_path / 'my_opt.py'}:make"
    (result,) = run_suite([spec], jobs=1, cache=False)
    assert result.status == "as-expected", result.reason


# (what, suite text, the check named in the error (None: the suite), the field, words)
C1 = "check #1 ('c')"
INVALID = [
    ("not toml", "[[check]\nid = 1", None, None, "not valid TOML"),
    ("no checks", 'title = "x"\n', None, "check", "one or more [[check]]"),
    ("unknown top key", "colour = 1\n" + BASE, None, "colour", "top-level field = 'colour'"),
    ("bad allow", "allow_user_code = 1\n" + BASE, None, "allow_user_code", "true or false"),
    ("top quick", "[quick]\nsteps = -1\n" + BASE, None, "quick", "integer >= 1"),
    ("defaults key", "[defaults]\nid = 'x'\n" + BASE, None, "defaults", "key = 'id' is not"),
    ("unknown check field", BASE + "colour = 'red'\n", C1, "colour", "field = 'colour' is not"),
    ("missing id", BASE.replace('id = "c"\n', ""), "check #1", "id", "missing"),
    ("missing expect", BASE.replace('expect = "O(1/k)"\n', ""), C1, "expect", "missing"),
    ("bad id", BASE.replace('id = "c"', 'id = "a b"'), "check #1 ('a b')", "id", "letters"),
    ("steps text", BASE.replace("steps = 500", 'steps = "ten"'), C1, "steps", "integer >= 1"),
    ("steps zero", BASE.replace("steps = 500", "steps = 0"), C1, "steps", "integer >= 1"),
    ("seed bool", BASE + "seed = true\n", C1, "seed", "integer >= 0"),
    ("unknown objective", BASE.replace("ridge:", "rigde:"), C1, "objective", "mean 'ridge'"),
    ("objective key", BASE.replace("d=3", "dim=3"), C1, "objective", "'dim'"),
    (
        "objective table",
        BASE.replace('"ridge:n=100,d=3,lam=0.1"', "{ n = 3 }"),
        C1,
        "objective",
        "name",
    ),
    ("unknown optimizer", BASE.replace('"sgd"', '"sgdd"'), C1, "optimizer", "sgdd"),
    ("user code", BASE.replace('"sgd"', '"opt.py:make"'), C1, "optimizer", "allow_user_code"),
    ("schedule", BASE.replace('"1/(lam*k)"', '"__import__(1)"'), C1, "schedule", "__import__"),
    (
        "schedule type",
        BASE.replace('"1/(lam*k)"', "[[1]]"),
        "check #1 ('c[schedule=[1]]')",
        "schedule",
        "expression or a number",
    ),
    ("expect", BASE.replace('"O(1/k)"', '"no-such"'), C1, "expect", "spec = 'no-such' is not"),
    (
        "theorem does not apply",
        BASE.replace('"O(1/k)"', '"minibatch-sgd-quadratic-exact"'),
        C1,
        "expect",
        "does not apply",
    ),
    ("batch too big", BASE + "batch_size = 101\n", C1, "batch_size", "101"),
    ("batch type", BASE + "batch_size = 1.5\n", C1, "batch_size", "integer >= 1"),
    ("sampling", BASE + 'sampling = "random"\n', C1, "sampling", "random"),
    ("average", BASE + 'average = "median"\n', C1, "average", "median"),
    ("outcome", BASE + 'outcome = "maybe"\n', C1, "outcome", "pass, fail"),
    ("label without fail", BASE + 'label = "stalls"\n', C1, "label", 'outcome = "fail"'),
    ("unknown label", BASE + 'outcome = "fail"\nlabel = "slow"\n', C1, "label", "slower"),
    ("empty grid", BASE + "batch_size = []\n", C1, "batch_size", "empty grid"),
    (
        "grid entry",
        BASE + "batch_size = [1, 0]\n",
        "check #1 ('c[batch_size=0]')",
        "batch_size",
        "integer >= 1",
    ),
    ("duplicate id", BASE + BASE, "check #2 ('c')", "id", "an id that no other check uses"),
    ("quick key", BASE + "quick = { seed = 1 }\n", C1, "quick", "steps, replicates"),
    (
        "constants",
        BASE + 'constants = { c = "one" }\n',
        C1,
        "constants",
        "mapping of names to numbers",
    ),
    ("alpha", BASE + "alpha = -0.1\n", C1, "alpha", "number > 0"),
]


@pytest.mark.parametrize(
    ("what", "text", "entry", "field", "words"), INVALID, ids=[case[0] for case in INVALID]
)
def test_validation_errors_name_the_file_the_check_and_the_field(
    tmp_path, what, text, entry, field, words
):
    path = write(tmp_path, text, "my-suite.toml")
    with pytest.raises(InputError) as info:
        load_suite(path)
    message = str(info.value)
    assert message.startswith(f"{path}: "), message
    if entry is not None:
        assert message.startswith(f"{path}: {entry}, field {field!r}: "), message
    elif field is not None:
        assert message.startswith(f"{path}: field {field!r}: "), message
    assert words in message, message


# Messages of other layers (the file itself, theory's expression parser, the expectation's
# parser, the theorem's assumptions) that are not about one rejected value.
OTHER_SHAPES = {"not toml", "schedule", "expect", "theorem does not apply"}
REJECTED = re.compile(r"^.+: .+ = .+ is not allowed; expected .+$")
MISSING = re.compile(r"^.+: .+ is missing; expected .+$")


@pytest.mark.parametrize(
    ("what", "text"),
    [case[:2] for case in INVALID if case[0] not in OTHER_SHAPES],
    ids=[case[0] for case in INVALID if case[0] not in OTHER_SHAPES],
)
def test_the_message_after_the_prefix_is_the_validation_vocabulary(tmp_path, what, text):
    with pytest.raises(InputError) as info:
        load_suite(write(tmp_path, text, "my-suite.toml"))
    first = str(info.value).splitlines()[0]
    assert (MISSING if what.startswith("missing") else REJECTED).match(first), first


def test_bad_suite_exits_2_with_one_line(tmp_path, capsys):
    path = write(tmp_path, BASE.replace("steps = 500", "steps = 0"))
    assert main(["run", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "field 'steps'" in err
    assert not (tmp_path / "out").exists()


def test_a_missing_suite_file_is_bad_input(tmp_path, capsys):
    assert main(["run", str(tmp_path / "nope.toml")]) == 2
    assert "no such suite file" in capsys.readouterr().err


def test_an_unexpected_verdict_exits_1(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("RATECHECK_CACHE_DIR", str(tmp_path / "cache"))
    path = write(tmp_path, BASE + 'outcome = "fail"\n')
    code = main(["run", str(path), "--out", str(tmp_path / "out"), "--jobs", "1"])
    out = capsys.readouterr().out
    assert code == 1 and "unexpected" in out


# -- Limits: a suite's size and nesting are refused before it is expanded or parsed --------


def test_a_huge_grid_is_refused_before_it_is_expanded(tmp_path):
    lists = "\n".join(f"{key} = {list(range(1, 1001))}" for key in ("steps", "replicates", "seed"))
    path = write(tmp_path, BASE.replace("steps = 500\nreplicates = 4\n", lists + "\n"))
    start = time.monotonic()
    with pytest.raises(LimitError) as info:
        load_suite(path)
    assert time.monotonic() - start < 1
    assert str(info.value).startswith(f"{path}: check #1 ('c'): grid = 1000000000 is not allowed")
    assert "limit MAX_SUITE_CHECKS = 10000" in str(info.value)
    assert "RATECHECK_MAX_SUITE_CHECKS" in str(info.value)


def test_the_check_limit_counts_every_entry_and_is_raised_by_its_variable(tmp_path, monkeypatch):
    monkeypatch.setenv("RATECHECK_MAX_SUITE_CHECKS", "5")
    grid = BASE.replace("replicates = 4", "replicates = [2, 3, 4]")
    second = grid.replace('id = "c"', 'id = "d"')
    path = write(tmp_path, grid + second)
    with pytest.raises(LimitError, match=r"check #2 \('d'\): grid = 3 is not allowed.* \(here 6\)"):
        load_suite(path)
    monkeypatch.setenv("RATECHECK_MAX_SUITE_CHECKS", "6")
    assert len(load_suite(path).specs) == 6


@pytest.mark.parametrize(
    "text",
    [
        "x = " + "[" * 10000 + "]" * 10000,
        "x = " + "{a = " * 10000 + "1" + "}" * 10000,
        ".".join(["a"] * 100000) + " = 1",
        "[" + ".".join(["a"] * 10000) + "]",
    ],
    ids=["arrays", "inline-tables", "dotted-key", "table-header"],
)
def test_deep_nesting_is_refused_before_parsing(tmp_path, text):
    path = write(tmp_path, text + "\n" + BASE)
    start = time.monotonic()
    with pytest.raises(LimitError, match=r": nesting = \d+ is not allowed; .*MAX_TOML_DEPTH = 50"):
        load_suite(path)
    assert time.monotonic() - start < 1


def test_a_suite_file_over_the_size_limit_is_refused_unread(tmp_path):
    path = write(tmp_path, BASE + "#\n" * 600_000)
    with pytest.raises(LimitError, match=r"size = 1200\d+ is not allowed.*MAX_SUITE_BYTES"):
        load_suite(path)


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("x = [1.5, 2.5, 3.5]", 3),  # floats are not dotted keys
        ('a.b."c.d" = 1', 3),  # a dot inside a quoted key is not a level
        ("x = 'a.b.c.d.e.f' # g.h.i.j.k.l.m", 1),  # nor inside a string or a comment
        ("[[check]]\nobjective = {name = 'ridge', n = 3}", 3),
    ],
)
def test_toml_depth_counts_brackets_and_dotted_keys(text, depth):
    assert toml_depth(text) == depth


def test_the_example_suite_is_well_within_the_limits():
    path = Path(__file__).resolve().parents[2] / "examples" / "suite.toml"
    assert toml_depth(path.read_text()) <= 4
