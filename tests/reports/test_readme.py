"""The README's promises that a test can hold it to."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def test_the_suite_example_in_the_readme_is_the_file_the_tests_run():
    blocks = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    example = (ROOT / "examples" / "suite.toml").read_text(encoding="utf-8")
    assert example in blocks
    assert tomllib.loads(example)["check"]


def test_the_two_setup_commands_are_the_ones_ci_runs():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "pip install . && ratecheck report" in README
    assert 'pip install ".[test]" && python -m pytest -q' in README
    assert 'pip install ".[test]"' in ci and "python -m pytest -q" in ci


def test_the_library_examples_run(capsys):
    """Every Python block of "Library use" runs as written, in one namespace, and prints."""
    section = README.split("## Library use", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"```python\n(.*?)```", section, flags=re.S)
    assert len(blocks) >= 2
    namespace: dict[str, object] = {}
    for block in blocks:
        exec(compile(block, "README.md", "exec"), namespace)
    out = capsys.readouterr().out
    assert "ratecheck verify --objective ridge:lam=1" in out
    assert "ratecheck verify: PASS" in out


def _amount(text: str) -> float:
    units = {"GiB": 2**30, "MiB": 2**20}
    number, _, unit = text.strip().partition(" ")
    return float(number) * units.get(unit, 1)


def test_the_limits_table_states_the_limits_in_force():
    """Every row of the README's limits table names a limit of theory.limits with its
    default, and every limit of theory.limits has a row."""
    from theory import limits

    section = README.split("## Bad input, limits and exit codes", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(
        r"^\s*\| `([A-Z_]+)`(?:, `(_[A-Z]+)`, `(_[A-Z]+)`)? \| ([^|]+) \|", section, re.M
    )
    stated: dict[str, float] = {}
    for name, second, third, defaults in rows:
        names = [name] + [name.rsplit("_", 1)[0] + suffix for suffix in (second, third) if suffix]
        for each, amount in zip(names, defaults.split(","), strict=True):
            stated[each] = _amount(amount)
    declared = {
        value.name: value.default
        for value in vars(limits).values()
        if isinstance(value, limits.Limit)
    }
    assert stated == declared
