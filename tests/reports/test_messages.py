"""Every rejected value reads the same: ``<where>: <name> = <value> is not allowed; expected ...``.

One walk over bad inputs to the suite engine and the command line: each error's first line
has the one shape, and its ``where`` names the function called, the check or the command.
"""

from __future__ import annotations

import re

import pytest

from reports.cli import main
from reports.suite.engine import run_check, run_suite
from reports.suite.model import CheckSpec
from theory.errors import InputError

SHAPE = re.compile(r"^.+: .+ = .+ is not allowed; expected .+$")
CUSTOM = CheckSpec(id="c", title="t", claim="c", kind="custom", function=len, params={})
NO_FUNCTION = CheckSpec(id="f", title="t", claim="c", kind="custom", params={})
BAD_KIND = CheckSpec(id="g", title="t", claim="c", kind="bogus", params={})  # type: ignore[arg-type]

BAD = [
    # (what is called, the where its message starts with)
    (lambda: run_suite([CUSTOM], jobs=0, cache=False), "run_suite"),
    (lambda: run_suite([CUSTOM, 3], jobs=1, cache=False), "run_suite"),  # type: ignore[list-item]
    (lambda: run_suite([CUSTOM, CUSTOM], jobs=1, cache=False), "run_suite"),
]


@pytest.mark.parametrize(("call", "where"), BAD)
def test_every_rejected_value_has_the_one_shape(call, where):
    with pytest.raises(InputError) as info:
        call()
    assert type(info.value) is InputError, repr(info.value)
    first = str(info.value).splitlines()[0]
    assert SHAPE.match(first), first
    assert first.startswith(f"{where}: "), first


@pytest.mark.parametrize(
    ("spec", "where"),
    [(NO_FUNCTION, "check 'f'"), (BAD_KIND, "check 'g'")],
)
def test_a_check_that_cannot_run_says_why_in_the_one_shape(spec, where):
    reason = run_check(spec).reason
    prefix = "The check could not run. InputError: "
    assert reason.startswith(prefix + f"{where}: "), reason
    assert SHAPE.match(reason.removeprefix(prefix)), reason


@pytest.mark.parametrize(
    ("argv", "where"),
    [
        (["theory", "sgd-sc-last", "gd-sc-smooth"], "ratecheck theory"),
        (["theory", "robbins-monro"], "ratecheck theory robbins-monro"),
        (["theory", "robbins-monro", "c/k", "1/k"], "ratecheck theory robbins-monro"),
    ],
)
def test_the_command_line_rejects_arguments_in_the_one_shape(capsys, argv, where):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    prefix = "ratecheck: error: "
    assert err.startswith(prefix + f"{where}: "), err
    assert SHAPE.match(err.removeprefix(prefix)), err
