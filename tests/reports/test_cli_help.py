"""The command line teaches: ``--version``, a top-level help with one example per command
that parses, and every option's help stating its default (or that it is required)."""

from __future__ import annotations

import argparse
import re
import shlex

import pytest

from reports.cli import EXAMPLES, build_parser, main
from reports.version import ratecheck_version


def subcommands() -> dict[str, argparse.ArgumentParser]:
    parser = build_parser()
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return dict(action.choices)


def test_version_prints_the_installed_version(capsys) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0
    assert capsys.readouterr().out.strip() == f"ratecheck {ratecheck_version()}"


def test_the_help_says_what_the_tool_is_for_and_shows_every_command(capsys) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    text = capsys.readouterr().out
    assert "converge at the rate the theory" in text
    for command in subcommands():
        assert f"ratecheck {command} " in text, command


def test_every_example_of_the_help_parses() -> None:
    lines = re.sub(r"\\\n\s*", " ", EXAMPLES).splitlines()
    commands = [line.strip() for line in lines if line.strip().startswith("ratecheck ")]
    assert len(commands) >= len(subcommands())
    parser = build_parser()
    for command in commands:
        words = shlex.split(re.split(r"\s{3,}", command)[0])  # drop the description
        parser.parse_args(words[1:])


@pytest.mark.parametrize("command", ["theory", "verify", "report", "run", "list"])
def test_every_option_states_its_default_or_that_it_is_required(command: str) -> None:
    for action in subcommands()[command]._actions:
        if not action.option_strings or action.dest == "help":
            continue
        text = action.help or ""
        assert "default" in text or (action.required and "required" in text), (
            command,
            action.option_strings,
            text,
        )
